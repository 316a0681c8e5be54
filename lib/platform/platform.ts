// What the engine needs from the runtime it runs on, besides file access (the Env): path names,
// event-loop scheduling, the default Env, and background threads for flushes and compactions.
// Engine files import the Node implementation (./node); browser bundles built with
// scripts/build-browser.ts get ./browser in its place. Nothing else in lib/ outside the
// Node-only modules (NodeEnv and its locks, the worker-thread job runner and its worker script)
// imports a Node built-in.
import type { Env } from '../env/env'
import type { JobRunner } from '../compaction/job-runner'
import type { FileNumberCounter } from '../version/file-number-counter'

// The subset of node:path the engine uses, with its meaning.
export interface PathOps {
  readonly sep: string
  resolve (...paths: string[]): string
  join (...paths: string[]): string
  basename (path: string): string
  dirname (path: string): string
}

// What a background job runner reports besides job results: a worker that died with no job to
// fail, and workers that cannot start here (jobs then run on the calling thread).
export interface WorkerRunnerHooks {
  onIdleExit: (err: Error) => void
  onInlineFallback: (err: Error) => void
}

export interface Platform {
  readonly path: PathOps
  // The Env a database uses unless its options name another.
  readonly defaultEnv: Env
  // Runs `fn` on a later turn of the event loop, after pending I/O and timers get theirs.
  setImmediate (fn: () => void): void
  // Runs `fn` once the current task (and, from a promise continuation, the microtasks queued so
  // far) has run, before any other task.
  nextTick (fn: () => void): void
  // Resolves on a later turn of the event loop: awaiting it lets other tasks run.
  nextMacrotask (): Promise<void>
  // Memory of `size` bytes that background threads can share: a SharedArrayBuffer where the
  // runtime has them (a browser page only when cross-origin isolated), else an ArrayBuffer.
  newSharedMemory (size: number): ArrayBuffer | SharedArrayBuffer
  // Whether jobs for `env` can run on a background thread here.
  canRunJobsInWorker (env: Env): boolean
  newWorkerJobRunner (env: Env, fileNumbers: FileNumberCounter, hooks: WorkerRunnerHooks): JobRunner
  // The string UTF-8 bytes[start, end) spell, exactly as Node's Buffer decodes it: a BOM is kept
  // and each maximal invalid subsequence becomes one U+FFFD. Where Buffer is a JavaScript shim (a
  // browser bundle), its decoder is several times slower than the runtime's native one.
  utf8Slice (bytes: Buffer, start: number, end: number): string
  // Bytes of their own, a copy of bytes[start, end): a Buffer for the 'buffer' format, and for
  // 'view' a Uint8Array (which a Buffer also is, where Buffer is native and pooled).
  copyToBuffer (bytes: Buffer, start: number, end: number): Buffer
  copyToView (bytes: Buffer, start: number, end: number): Uint8Array
}
