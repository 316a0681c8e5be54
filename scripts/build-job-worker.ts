// The Node part of `npm run build` after tsc: replaces dist/lib/compaction/job-worker.js, the
// script WorkerJobRunner starts its background thread with, by one file that holds it and every
// module it loads. Unbundled, each worker's start resolved, read and compiled about 55 modules
// one at a time: ~10 ms of CPU per start, paid by every database that flushes or compacts, and
// twice by a process that reopens one (measured on the 2-core machine, start to ready message:
// 45-53 ms of process CPU unbundled, 34-42 ms bundled). The bundle is made from tsc's own output,
// so the worker runs exactly the code the main thread does. Optional native addons and other
// packages stay outside it, loaded at run time as before (a worker without them takes the same
// fallbacks); module-error, plain JavaScript, goes in.
import fs from 'node:fs'
import path from 'node:path'
import { build } from 'esbuild'

const ROOT = path.resolve(__dirname, '..', '..')
const WORKER = path.join(ROOT, 'dist', 'lib', 'compaction', 'job-worker.js')
const RUNTIME_PACKAGES = ['@node-rs/crc32', 'fs-native-extensions', 'bun:ffi']

async function main (): Promise<void> {
  const result = await build({
    entryPoints: [WORKER],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node18',
    external: RUNTIME_PACKAGES,
    write: false,
    logLevel: 'silent'
  })
  const [output] = result.outputFiles
  fs.writeFileSync(WORKER, output.contents)
}

main().catch((err: Error) => {
  console.error(err)
  process.exitCode = 1
})
