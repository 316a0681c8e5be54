// The platform on Node, Bun and Deno (see platform.ts).
import nodePath from 'node:path'
import { setImmediate as nextMacrotask } from 'node:timers/promises'
import { defaultEnv } from '../env/node-env'
import type { Platform } from './platform'

export const platform: Platform = {
  path: nodePath,
  defaultEnv,
  setImmediate: fn => { setImmediate(fn) },
  nextTick: fn => { process.nextTick(fn) },
  nextMacrotask: async () => { await nextMacrotask() },
  newSharedMemory: size => new SharedArrayBuffer(size),
  // An Env crosses into a worker thread only if it says how (Env.workerModule).
  canRunJobsInWorker: env => env === defaultEnv || env.workerModule !== undefined,
  newWorkerJobRunner: (env, fileNumbers, hooks) => {
    // Loaded on first use: the worker-thread runner imports the job code, which imports this module.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { WorkerJobRunner } = require('../compaction/worker-job-runner') as typeof import('../compaction/worker-job-runner')
    return new WorkerJobRunner(env, fileNumbers, hooks.onIdleExit, hooks.onInlineFallback)
  },
  utf8Slice: nativeUtf8Slice() ?? ((bytes, start, end) => bytes.toString(undefined, start, end)),
  copyToBuffer,
  copyToView: copyToBuffer
}

// Buffer's own utf8Slice(start, end), which toString() calls after checking its arguments: an
// iterator calls this twice per entry, with a range it knows to be valid. Used only where it
// exists and behaves so (Node, Bun; not a documented API); otherwise toString(), which decodes
// utf8 when given no encoding without looking an encoding up by name.
function nativeUtf8Slice (): ((bytes: Buffer, start: number, end: number) => string) | undefined {
  const proto = Buffer.prototype as Buffer & { utf8Slice?: (start: number, end: number) => string }
  const slice = proto.utf8Slice
  if (typeof slice !== 'function') return undefined
  try {
    if (slice.call(Buffer.from('a\u00e9b', 'utf8'), 1, 3) !== '\u00e9') return undefined
  } catch {
    return undefined
  }
  return (bytes, start, end) => (bytes as typeof proto).utf8Slice!(start, end)
}

// From Buffer's pool: one allocation per 4 KiB or so rather than one per entry.
function copyToBuffer (bytes: Buffer, start: number, end: number): Buffer {
  const copy = Buffer.allocUnsafe(end - start)
  bytes.copy(copy, 0, start, end)
  return copy
}

export const path = platform.path
