// Entry point of the background worker thread: runs one job per message, in order of arrival. A
// compaction answers once its outputs are synced and a sweep once its unlinks are done, both on
// the thread pool, so the next job may start before they answer.
import os from 'node:os'
import { type MessagePort, parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads'
import type { Env, WorkerEnvModule } from '../env/env'
import { defaultEnv } from '../env/node-env'
import { FileNumberCounter } from '../version/file-number-counter'
import { ScanBuffers } from './compaction-input'
import { executeJob } from './job-runner'
import { outputsDurable, type CompactionResult } from './compaction-job'
import { sweepObsoleteFilesAsync } from '../version/obsolete-files'
import { encodeError, type JobRequest, type JobResponse } from './job-messages'

const { fileNumbers, niceness, flushPort, envModule } = workerData as { fileNumbers: SharedArrayBuffer, niceness: number, flushPort: MessagePort, envModule?: WorkerEnvModule }
const counter = new FileNumberCounter(fileNumbers)
const buffers = new ScanBuffers()
const env = envModule === undefined ? defaultEnv : loadEnv(envModule)

// A failure here fails the worker, and with it every job handed to it (LEVEL_IO_ERROR).
function loadEnv ({ module, config }: WorkerEnvModule): Env {
  // Loaded synchronously, before the first job; the module is only known at run time.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(module) as { createEnv?: (config: unknown) => Env }
  if (typeof loaded.createEnv !== 'function') throw new Error(`${module} does not export createEnv(config)`)
  return loaded.createEnv(config)
}

// On Linux a pid of 0 means the calling thread, so this lowers only this worker's CPU priority:
// the main thread, which serves reads and writes, wins when both want a core.
try {
  if (niceness > 0) os.setPriority(0, niceness)
} catch {
  // Not permitted or not supported: run at normal priority.
}

interface JobMessage {
  id: number
  request: JobRequest
}

// A compaction's outputs are synced on the thread pool while it merges on (compactionSteps), so
// the fdatasyncs do not hold this thread; it answers once they are done. A flush slipped into a
// compaction syncs on this thread: its answer cannot wait for the compaction's end.
function handle (port: MessagePort, { id, request }: JobMessage): void {
  if (request.kind === 'sweep') {
    // Unlinks on the thread pool: the next job need not wait for them.
    sweepObsoleteFilesAsync(env, request.live).then(
      (result) => port.postMessage({ id, result }),
      (err: unknown) => port.postMessage({ id, error: encodeError(err) })
    )
    return
  }
  const deferredSyncs: Array<Promise<void>> = []
  let response: JobResponse
  try {
    const result = executeJob(env, counter, buffers, request, runWaitingFlushes, request.kind === 'compact' ? deferredSyncs : undefined)
    if (request.kind === 'compact' && deferredSyncs.length > 0) {
      outputsDurable(env, request.job.dbname, (result as CompactionResult).outputs, deferredSyncs).then(
        () => port.postMessage({ id, result }),
        (err: unknown) => port.postMessage({ id, error: encodeError(err) })
      )
      return
    }
    response = { id, result }
  } catch (err) {
    response = { id, error: encodeError(err) }
    if (deferredSyncs.length > 0) {
      // Outputs written before the failure were removed; their files close once their syncs end.
      void Promise.allSettled(deferredSyncs).then(() => port.postMessage(response))
      return
    }
  }
  port.postMessage(response)
}

// Flushes arrive on a port of their own, and a running compaction polls it: like LevelDB, a
// waiting memtable is flushed in the middle of a long compaction rather than after it, since
// writers stall until it is.
function runWaitingFlushes (): void {
  for (let m = receiveMessageOnPort(flushPort); m !== undefined; m = receiveMessageOnPort(flushPort)) {
    handle(flushPort, m.message as JobMessage)
  }
}

flushPort.on('message', (message: JobMessage) => handle(flushPort, message))
if (parentPort !== null) {
  const port = parentPort
  port.on('message', (message: JobMessage) => handle(port, message))
}
// Tells the runner this runtime could load and start the worker (id 0 belongs to no job).
parentPort?.postMessage({ id: 0 })
