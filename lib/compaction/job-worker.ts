// Entry point of the background worker thread: runs one job per message, in order of arrival. A
// job answers once its tables are synced and a sweep once its unlinks are done, both on the
// thread pool, so the next job may start before they answer.
import os from 'node:os'
import { type MessagePort, parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads'
import type { Env, WorkerEnvModule } from '../env/env'
import { defaultEnv } from '../env/node-env'
import { FileNumberCounter } from '../version/file-number-counter'
import { ScanBuffers } from './compaction-input'
import { executeJob, type JobResult } from './job-runner'
import { compactionSteps, outputsDurable, type CompactionResult } from './compaction-job'
import { memTableFlushSteps, type MemTableFlushResult } from './flush-job'
import { runInSlices, runToEnd } from './job-slices'
import { platform } from '../platform/node'
import { sweepObsoleteFilesAsync } from '../version/obsolete-files'
import { encodeError, reviveCompactionJob, reviveMemTableFlushJob, type JobRequest, type JobResponse } from './job-messages'

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

// Tables are synced on the thread pool (TableOutput.finish with deferredSyncs), so the
// fdatasyncs do not hold this thread: a job answers once its tables are durable. A compaction
// runs in slices, letting this thread's event loop run between them, so the syncs of flushes
// slipped into it are answered without waiting for its end.
async function handle (port: MessagePort, { id, request }: JobMessage): Promise<void> {
  let response: JobResponse
  try {
    response = { id, result: await run(request) }
  } catch (err) {
    response = { id, error: encodeError(err) }
  }
  port.postMessage(response)
}

async function run (request: JobRequest): Promise<JobResult> {
  // Unlinks on the thread pool: the next job need not wait for them.
  if (request.kind === 'sweep') return await sweepObsoleteFilesAsync(env, request.live)
  if (request.kind === 'recover') return executeJob(env, counter, buffers, request)
  const deferredSyncs: Array<Promise<void>> = []
  let result: MemTableFlushResult | CompactionResult
  try {
    if (request.kind === 'compact') {
      result = await runInSlices(compactionSteps(env, reviveCompactionJob(request.job), () => counter.allocate(), buffers, runWaitingFlushes, deferredSyncs), platform.nextMacrotask)
    } else {
      result = runToEnd(memTableFlushSteps(env, reviveMemTableFlushJob(request.job), deferredSyncs))
    }
  } catch (err) {
    // Tables written before the failure were removed; their files close once their syncs end.
    await Promise.allSettled(deferredSyncs)
    throw err
  }
  const tables = 'outputs' in result ? result.outputs : result.meta === undefined ? [] : [result.meta]
  await outputsDurable(env, request.job.dbname, tables, deferredSyncs)
  return result
}

// Flushes arrive on a port of their own, and a running compaction polls it: like LevelDB, a
// waiting memtable is flushed in the middle of a long compaction rather than after it, since
// writers stall until it is.
function runWaitingFlushes (): void {
  for (let m = receiveMessageOnPort(flushPort); m !== undefined; m = receiveMessageOnPort(flushPort)) {
    void handle(flushPort, m.message as JobMessage)
  }
}

flushPort.on('message', (message: JobMessage) => { void handle(flushPort, message) })
if (parentPort !== null) {
  const port = parentPort
  port.on('message', (message: JobMessage) => { void handle(port, message) })
}
// Tells the runner this runtime could load and start the worker (id 0 belongs to no job).
parentPort?.postMessage({ id: 0 })
