// Preloaded with `node --require`: makes every optional native piece of ai-level unresolvable, as
// on a platform with no prebuilt binary or an install without optional dependencies, so the
// package runs on its TypeScript fallbacks.
import Module from 'node:module'

const HIDDEN = new Set(['@node-rs/crc32', 'fs-native-extensions'])
const loader = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string }
const resolve = loader._resolveFilename

loader._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
  if (HIDDEN.has(request)) {
    throw Object.assign(new Error(`Cannot find module '${request}' (hidden: native pieces are made unavailable)`), { code: 'MODULE_NOT_FOUND' })
  }
  return resolve.call(this, request, ...rest)
}
