// Entry point of the browser job worker (started by browser-job-runner.ts from the worker that
// serves the database): runs the flushes and compactions it is sent, each against an OpfsJobEnv
// that opens the job's inputs and creates its outputs. Jobs run in slices with a task between
// them, so a flush that arrives during a long compaction runs alongside it rather than after it
// (writers stall until it is done); compactions run one at a time, in the order sent.
import { OpfsJobEnv, OpfsJobFiles } from '../env/opfs-job-env'
import type { OpfsDirectoryHandle } from '../env/opfs-env'
import { platform } from '../platform/node'
import { FileNumberCounter } from '../version/file-number-counter'
import { ScanBuffers } from './compaction-input'
import type { FromJobWorker, ToJobWorker } from './browser-job-runner'
import { encodeError, type JobResponse } from './job-messages'
import { jobSteps } from './job-runner'
import { runInSlices } from './job-slices'

interface WorkerScope {
  onmessage: ((event: { data: ToJobWorker }) => void) | null
  postMessage (message: FromJobWorker): void
}

const scope = globalThis as unknown as WorkerScope
// This worker's files get names no other worker's have.
const stamp = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`
const buffers = new ScanBuffers()
let counter: FileNumberCounter | null = null
let stocksMade = 0
let compactions: Promise<void> = Promise.resolve()
// The files of each database directory (the runner serves one database, so usually one).
const stocks = new Map<OpfsDirectoryHandle, OpfsJobFiles>()
const running = new Set<Promise<void>>()

// Directory handles arrive as new objects with every message: the same directory is found by isSameEntry.
async function stockFor (directory: OpfsDirectoryHandle): Promise<OpfsJobFiles> {
  for (const [known, stock] of stocks) {
    if (await (known as unknown as { isSameEntry (other: unknown): Promise<boolean> }).isSameEntry(directory)) return stock
  }
  const stock = new OpfsJobFiles(directory, `${stamp}-${stocksMade++}`)
  stocks.set(directory, stock)
  return stock
}

async function runJob (message: Extract<ToJobWorker, { kind: 'job' }>): Promise<void> {
  const env = new OpfsJobEnv(await stockFor(message.directory as OpfsDirectoryHandle))
  let response: JobResponse
  let succeeded = false
  try {
    await env.prepare(message.files)
    const steps = jobSteps(env, counter as FileNumberCounter, buffers, message.request)
    response = { id: message.id, result: await runInSlices(steps, platform.nextMacrotask, () => env.whenReadyToCreate()) }
    succeeded = true
  } catch (err) {
    response = { id: message.id, error: encodeError(err) }
  }
  let created: Record<string, string> = {}
  try {
    created = await env.finish(succeeded)
  } catch (err) {
    if (response.error === undefined) response = { id: message.id, error: encodeError(err) }
  }
  scope.postMessage({ kind: 'done', response, created })
}

function track (job: Promise<void>): Promise<void> {
  running.add(job)
  return job.finally(() => running.delete(job))
}

scope.onmessage = event => {
  const message = event.data
  if (message.kind === 'init') {
    counter = new FileNumberCounter(message.fileNumbers)
    scope.postMessage({ kind: 'ready' })
  } else if (message.kind === 'job') {
    if (message.request.kind === 'compact') compactions = compactions.then(() => track(runJob(message)))
    else void track(runJob(message))
  } else {
    void (async () => {
      await compactions
      await Promise.all(running)
      for (const stock of stocks.values()) await stock.dispose().catch(() => {})
      scope.postMessage({ kind: 'closed' })
    })()
  }
}
