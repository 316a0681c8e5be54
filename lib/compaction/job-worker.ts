// Entry point of the background worker thread: runs one job per message, in order.
import os from 'node:os'
import { parentPort, workerData } from 'node:worker_threads'
import { defaultEnv } from '../env/node-env'
import { FileNumberCounter } from '../version/file-number-counter'
import { executeJob, type JobContext } from './job-runner'
import { encodeError, type JobRequest, type JobResponse } from './job-messages'

const { context, fileNumbers, niceness } = workerData as { context: JobContext, fileNumbers: SharedArrayBuffer, niceness: number }
const counter = new FileNumberCounter(fileNumbers)

// On Linux a pid of 0 means the calling thread, so this lowers only this worker's CPU priority:
// the main thread, which serves reads and writes, wins when both want a core.
try {
  if (niceness > 0) os.setPriority(0, niceness)
} catch {
  // Not permitted or not supported: run at normal priority.
}

// Test-only fault injection, read per job: AIDB_TEST_WORKER_FAULT=<kind>:<exit|throw> makes the
// worker exit (a crash) or fail when it receives a job of that kind ('flush' or 'compact').
function injectFault (request: JobRequest): void {
  const fault = process.env.AIDB_TEST_WORKER_FAULT
  if (fault === undefined || fault === '') return
  const [kind, how] = fault.split(':')
  if (kind !== request.kind) return
  if (how === 'exit') process.exit(70)
  throw new Error(`injected ${request.kind} failure (AIDB_TEST_WORKER_FAULT)`)
}

parentPort?.on('message', ({ id, request }: { id: number, request: JobRequest }) => {
  let response: JobResponse
  try {
    injectFault(request)
    response = { id, result: executeJob(defaultEnv, context, counter, request) }
  } catch (err) {
    response = { id, error: encodeError(err) }
  }
  parentPort?.postMessage(response)
})
