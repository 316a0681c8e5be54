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
  // toString() decodes utf8 when given no encoding, without looking an encoding up by name.
  utf8Slice: (bytes, start, end) => bytes.toString(undefined, start, end),
  copyToBuffer,
  copyToView: copyToBuffer
}

// From Buffer's pool: one allocation per 4 KiB or so rather than one per entry.
function copyToBuffer (bytes: Buffer, start: number, end: number): Buffer {
  const copy = Buffer.allocUnsafe(end - start)
  bytes.copy(copy, 0, start, end)
  return copy
}

export const path = platform.path
