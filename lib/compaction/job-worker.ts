// Entry point of the background worker thread: runs one job per message, in order.
import { parentPort, workerData } from 'node:worker_threads'
import { defaultEnv } from '../env/node-env'
import { FileNumberCounter } from '../version/file-number-counter'
import { executeJob, type JobContext } from './job-runner'
import { encodeError, type JobRequest, type JobResponse } from './job-messages'

const { context, fileNumbers } = workerData as { context: JobContext, fileNumbers: SharedArrayBuffer }
const counter = new FileNumberCounter(fileNumbers)

parentPort?.on('message', ({ id, request }: { id: number, request: JobRequest }) => {
  let response: JobResponse
  try {
    response = { id, result: executeJob(defaultEnv, context, counter, request) }
  } catch (err) {
    response = { id, error: encodeError(err) }
  }
  parentPort?.postMessage(response)
})
