// Runs flush and compaction jobs in a Node worker thread (worker_threads); Node-only, reached
// through the Node platform (lib/platform/node.ts). Jobs are plain data in and plain data out, so
// results are the same as the inline runner's.
import path from 'node:path'
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads'
import type { Env } from '../env/env'
import type { FileNumberCounter } from '../version/file-number-counter'
import type { LogFlushJob, LogFlushResult } from './flush-job'
import { decodeError, reviveFlushResult, type JobRequest, type JobResponse } from './job-messages'
import { sweepObsoleteFiles, type LiveFiles, type SweepResult } from '../version/obsolete-files'
import { ioError } from '../util/errors'
import { InlineJobRunner, WorkerOrInlineJobRunner, type JobRunner } from './job-runner'

interface PendingJob {
  worker: Worker
  resolve: (response: JobResponse) => void
  reject: (err: Error) => void
}

// The worker thread and the port that carries flushes to it, ahead of queued compactions.
interface RunningWorker {
  thread: Worker
  flushPort: MessagePort
}

// Background threads get a lower CPU priority (a nice value) than the main thread, so on a
// machine with few cores flushes and compactions yield to reads and writes rather than delay them.
const WORKER_NICENESS = 10

// In a worker thread, started on first use and only kept referenced while a job runs, so an
// idle database never keeps the process alive. The worker runs compactions one at a time, in the
// order given, and flushes as soon as it can, even in the middle of a compaction. If it dies,
// every job handed to it fails with LEVEL_IO_ERROR and the next job starts a fresh worker. If it
// dies before it has said it is ready (a runtime whose worker_threads cannot run it), the runner
// runs every job inline from then on, the failed ones included.
export class WorkerJobRunner extends WorkerOrInlineJobRunner implements JobRunner {
  private worker: RunningWorker | null = null
  private nextId = 1
  private readonly pending = new Map<number, PendingJob>()
  private idleWaiters: Array<() => void> = []
  private closed = false

  // onIdleExit hears of a worker that died with no job to fail: nothing is lost, and the next
  // job starts a fresh worker, but the owner may want to log it. onInlineFallback hears that
  // workers cannot start here and jobs run inline from now on.
  // The worker makes its Env from env.workerModule, or uses the default Env.
  constructor (
    private readonly env: Env,
    private readonly fileNumbers: FileNumberCounter,
    private readonly onIdleExit: (err: Error) => void = () => {},
    private readonly onInlineFallback: (err: Error) => void = () => {},
    private readonly script = path.join(__dirname, 'job-worker.js')
  ) {
    super()
  }

  // For tests: the worker thread, if one is running.
  get thread (): Worker | null {
    return this.worker?.thread ?? null
  }

  private start (): RunningWorker {
    if (this.worker !== null) return this.worker
    const { port1: flushPort, port2: workerFlushPort } = new MessageChannel()
    // Loaded through require() from an evaluated script, so runtimes that would take a .js worker
    // file for an ES module (Deno) run it as CommonJS, as it was compiled.
    const worker = new Worker(`require(${JSON.stringify(this.script)})`, {
      eval: true,
      workerData: { fileNumbers: this.fileNumbers.shared, niceness: WORKER_NICENESS, flushPort: workerFlushPort, envModule: this.env.workerModule },
      transferList: [workerFlushPort],
      resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 96 }
    })
    let ready = false
    const onResponse = (response: JobResponse): void => {
      ready = true
      const job = this.pending.get(response.id)
      if (job === undefined) return
      this.pending.delete(response.id)
      if (response.error !== undefined) job.reject(decodeError(response.error))
      else job.resolve(response)
      this.settled(worker)
    }
    worker.on('message', onResponse)
    flushPort.on('message', onResponse)
    // The worker's own reference (taken while jobs run) decides whether the process stays alive.
    flushPort.unref()
    // 'error' (an uncaught exception, out of memory) is followed by 'exit'; the first one fails the jobs.
    const failAll = (err: Error): void => {
      const current = this.worker?.thread === worker
      if (current) this.worker = null
      flushPort.close()
      // Only this worker's jobs: after an 'error', a fresh worker may already have taken new ones.
      const jobs = [...this.pending].filter(([, job]) => job.worker === worker)
      for (const [id] of jobs) this.pending.delete(id)
      if (!ready && this.inline === null && !this.closed) {
        this.inline = new InlineJobRunner(this.env, this.fileNumbers)
        this.onInlineFallback(err)
      }
      for (const [, job] of jobs) job.reject(err)
      if (current && jobs.length === 0 && !this.closed) this.onIdleExit(err)
      this.settled(worker)
    }
    worker.on('error', err => failAll(ioError(`background worker failed: ${err.message}`, err)))
    worker.on('exit', code => failAll(ioError(`background worker exited with code ${code}`)))
    worker.unref()
    this.worker = { thread: worker, flushPort }
    return this.worker
  }

  private settled (worker: Worker): void {
    if ([...this.pending.values()].some(job => job.worker === worker)) return
    worker.unref()
    if (this.pending.size > 0) return
    const waiters = this.idleWaiters
    this.idleWaiters = []
    for (const resolve of waiters) resolve()
  }

  protected call (request: JobRequest): Promise<JobResponse> {
    if (this.closed) return Promise.reject(ioError('background worker is closed'))
    const { thread, flushPort } = this.start()
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { worker: thread, resolve, reject })
      thread.ref()
      const port = request.kind === 'flush' || request.kind === 'recover' ? flushPort : thread
      port.postMessage({ id, request })
    })
  }

  async recover (job: LogFlushJob): Promise<LogFlushResult> {
    return this.run({ kind: 'recover', job }, response => reviveFlushResult(response.result as LogFlushResult), runner => runner.recover(job))
  }

  // Not worth starting a worker for: without one running (at open, or when idle), the sweep is inline.
  async sweep (live: LiveFiles): Promise<SweepResult> {
    if (this.worker === null && !this.closed) return sweepObsoleteFiles(this.env, live)
    return this.run({ kind: 'sweep', live }, response => response.result as SweepResult, runner => runner.sweep(live))
  }

  async close (): Promise<void> {
    this.closed = true
    while (this.pending.size > 0) await new Promise<void>(resolve => this.idleWaiters.push(resolve))
    const worker = this.worker
    this.worker = null
    if (worker !== null) await worker.thread.terminate()
  }
}
