// Runs flush and compaction jobs in a dedicated worker of their own, started from the worker that
// serves the database (a nested worker), so a long compaction never holds the serving thread.
// Browser-only, reached through the browser platform (lib/platform/browser.ts); the Node
// counterpart is worker-job-runner.ts. Jobs are plain data in and plain data out, so results are
// the same as the inline runner's.
//
// File access: the serving worker's OpfsEnv owns the directory (names, journal, LOCK). A job
// message carries the directory's handle and the physical files behind the job's inputs; the job
// worker opens its own handles on them ('readwrite-unsafe', which the OpfsEnv uses for data files
// where the browser has it), writes its outputs to files of its own, and answers with their
// names; this runner has the OpfsEnv adopt them (name them in its journal) before the job's
// promise resolves, so before the version edit that refers to them is written.
//
// Where the job worker cannot run (no Worker in this context, no shared memory because the page
// is not cross-origin isolated, a browser that cannot open one file from two workers, a bundle
// without the job worker's script, or a worker that fails to start), every job runs inline, in
// slices, and onInlineFallback says why once (the database writes it to its LOG).
//
// Invariants (this runner owns the job worker and the jobs handed to it):
// - `pending` holds exactly the jobs posted to the running worker and not yet settled; a job
//   settles only after its outputs are adopted (or it failed), and close() waits for all of them.
// - Once `inline` is set it stays set: every later job, and every job the worker failed before it
//   was ready, runs on the calling thread.
// - The sweep never goes to the worker: it changes only names, which the serving worker owns. Nor
//   does recovery at open: no request is served before it ends, and a database reopened with a
//   short log (the common case) would otherwise start a worker for a few milliseconds of work.
import type { Env } from '../env/env'
import type { OpfsEnv } from '../env/opfs-env'
import { sstTableFileName, tableFileName } from '../format/filenames'
import type { FileNumberCounter } from '../version/file-number-counter'
import type { LiveFiles, SweepResult } from '../version/obsolete-files'
import { ioError } from '../util/errors'
import type { WorkerRunnerHooks } from '../platform/platform'
import type { LogFlushJob, LogFlushResult } from './flush-job'
import { decodeError, type JobRequest, type JobResponse } from './job-messages'
import { InlineJobRunner, WorkerOrInlineJobRunner, type JobRunner } from './job-runner'
import { jobWorkerSource } from './browser-job-source'

// Messages to the job worker: `init` first (the shared file-number counter), then jobs; `close`
// has it remove its spare files and answer with `closed`.
export type ToJobWorker =
  | { kind: 'init', fileNumbers: SharedArrayBuffer }
  | { kind: 'job', id: number, request: JobRequest, directory: unknown, files: Record<string, string> }
  | { kind: 'close' }

// From the job worker: `ready` once it runs, a job's response with the files it created, `closed`.
export type FromJobWorker =
  | { kind: 'ready' }
  | { kind: 'done', response: JobResponse, created: Record<string, string> }
  | { kind: 'closed' }

// The DOM's Worker, as far as used here (the project compiles with Node's types).
interface BrowserWorker {
  postMessage (message: ToJobWorker): void
  terminate (): void
  onmessage: ((event: { data: FromJobWorker }) => void) | null
  onerror: ((event: { message?: string, preventDefault (): void }) => void) | null
  onmessageerror: (() => void) | null
}

type WorkerConstructor = new (url: string, options: { type: 'module', name: string }) => BrowserWorker

interface PendingJob {
  dbname: string
  resolve: (response: JobResponse) => void
  reject: (err: Error) => void
}

interface RunningWorker {
  worker: BrowserWorker
  ready: boolean
  closed: Promise<void> | null
}

// How long a closing worker gets to remove its spare files before it is terminated anyway.
const CLOSE_WAIT_MS = 2000

function dbnameOf (request: JobRequest): string {
  return request.kind === 'sweep' ? '' : request.job.dbname
}

// The files a job reads, by the names the database gives them.
function inputsOf (request: JobRequest): string[] {
  if (request.kind !== 'compact') return []
  const { dbname, compaction } = request.job
  return [...compaction.inputs[0], ...compaction.inputs[1]].flatMap(f => [tableFileName(dbname, f.number), sstTableFileName(dbname, f.number)])
}

// Why the job worker cannot run here, or undefined if it can try.
function unavailable (env: OpfsEnv, fileNumbers: FileNumberCounter): string | undefined {
  if (typeof (globalThis as { Worker?: unknown }).Worker !== 'function') return 'Worker is not available in this context'
  if (typeof SharedArrayBuffer !== 'function' || !(fileNumbers.shared instanceof SharedArrayBuffer)) return 'SharedArrayBuffer is not available (the page is not cross-origin isolated)'
  if (!env.sharesFiles) return "this browser cannot open one OPFS file from two workers (createSyncAccessHandle mode 'readwrite-unsafe')"
  if (jobWorkerSource === undefined) return 'this bundle has no job worker script (built without scripts/build-browser.ts)'
  return undefined
}

export class BrowserJobRunner extends WorkerOrInlineJobRunner implements JobRunner {
  private running: RunningWorker | null = null
  private nextId = 1
  private readonly pending = new Map<number, PendingJob>()
  private idleWaiters: Array<() => void> = []
  private closed = false
  // Runs sweeps and recoveries, and every job once the job worker cannot run here.
  private readonly local: InlineJobRunner
  private scriptUrl: string | null = null

  constructor (
    private readonly env: OpfsEnv,
    private readonly fileNumbers: FileNumberCounter,
    private readonly hooks: WorkerRunnerHooks
  ) {
    super()
    this.local = new InlineJobRunner(env as Env, fileNumbers)
  }

  private fallBack (reason: Error): void {
    if (this.inline !== null) return
    this.inline = this.local
    this.hooks.onInlineFallback(reason)
  }

  private start (): RunningWorker {
    if (this.running !== null) return this.running
    const WorkerClass = (globalThis as unknown as { Worker: WorkerConstructor }).Worker
    // A script of our own, from memory: works wherever the bundle runs, with no file to serve.
    this.scriptUrl ??= URL.createObjectURL(new Blob([jobWorkerSource ?? ''], { type: 'text/javascript' }))
    const worker = new WorkerClass(this.scriptUrl, { type: 'module', name: 'ai-level background jobs' })
    const running: RunningWorker = { worker, ready: false, closed: null }
    worker.onmessage = event => {
      const message = event.data
      if (message.kind === 'ready') running.ready = true
      else if (message.kind === 'done') void this.finish(message.response, message.created)
    }
    const fail = (err: Error): void => {
      if (this.running !== running) return
      this.running = null
      worker.terminate()
      const jobs = [...this.pending]
      this.pending.clear()
      // Never started: every job runs inline from now on, the failed ones included (run() reruns them).
      if (!running.ready) this.fallBack(err)
      else if (jobs.length === 0 && !this.closed) this.hooks.onIdleExit(err)
      for (const [, job] of jobs) job.reject(err)
      this.settled()
    }
    worker.onerror = event => {
      event.preventDefault()
      fail(ioError(`background worker failed: ${event.message ?? 'it did not load'}`))
    }
    worker.onmessageerror = () => fail(ioError('background worker: a message could not be read'))
    worker.postMessage({ kind: 'init', fileNumbers: this.fileNumbers.shared as SharedArrayBuffer })
    this.running = running
    return running
  }

  // Names the job's outputs in the serving worker's Env, then settles the job.
  private async finish (response: JobResponse, created: Record<string, string>): Promise<void> {
    const job = this.pending.get(response.id)
    if (job === undefined) return
    try {
      if (Object.keys(created).length > 0) await this.env.adoptFiles(job.dbname, created)
      if (response.error !== undefined) job.reject(decodeError(response.error))
      else job.resolve(response)
    } catch (err) {
      job.reject(err as Error)
    } finally {
      this.pending.delete(response.id)
      this.settled()
    }
  }

  private settled (): void {
    if (this.pending.size > 0) return
    const waiters = this.idleWaiters
    this.idleWaiters = []
    for (const resolve of waiters) resolve()
  }

  protected call (request: JobRequest): Promise<JobResponse> {
    if (this.closed) return Promise.reject(ioError('background worker is closed'))
    const reason = unavailable(this.env, this.fileNumbers)
    if (reason !== undefined) {
      this.fallBack(new Error(reason))
      return Promise.reject(new Error(reason))
    }
    const dbname = dbnameOf(request)
    const { directory, files } = this.env.jobFiles(dbname, inputsOf(request))
    let running: RunningWorker
    try {
      running = this.start()
    } catch (err) {
      // A Worker constructor that throws (a content security policy without blob: workers, say).
      this.fallBack(err as Error)
      throw err
    }
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { dbname, resolve, reject })
      running.worker.postMessage({ kind: 'job', id, request, directory, files })
    })
  }

  async recover (job: LogFlushJob): Promise<LogFlushResult> {
    return await this.local.recover(job)
  }

  async sweep (live: LiveFiles): Promise<SweepResult> {
    return await this.local.sweep(live)
  }

  async close (): Promise<void> {
    this.closed = true
    while (this.pending.size > 0) await new Promise<void>(resolve => this.idleWaiters.push(resolve))
    await this.local.close()
    const running = this.running
    this.running = null
    if (running !== null) {
      // Lets the worker remove its spare files; a worker that does not answer is terminated anyway
      // (its files are internal ones, which the next load removes).
      await new Promise<void>(resolve => {
        const timer = setTimeout(resolve, CLOSE_WAIT_MS)
        running.worker.onmessage = event => {
          if (event.data.kind !== 'closed') return
          clearTimeout(timer)
          resolve()
        }
        running.worker.onerror = event => {
          event.preventDefault()
          clearTimeout(timer)
          resolve()
        }
        running.worker.postMessage({ kind: 'close' })
      })
      running.worker.terminate()
    }
    if (this.scriptUrl !== null) URL.revokeObjectURL(this.scriptUrl)
    this.scriptUrl = null
  }
}
