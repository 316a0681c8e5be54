// Runs flush and compaction jobs either on the calling thread or in a worker thread. Jobs are
// plain data in and plain data out, so both runners give the same results.
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import type { Env } from '../env/env'
import { defaultEnv } from '../env/node-env'
import { FileNumberCounter } from '../version/file-number-counter'
import { TableCache } from '../cache/table-cache'
import { LRUCache } from '../cache/lru-cache'
import type { Block } from '../table/block'
import { runLogFlush, type LogFlushJob, type LogFlushResult } from './flush-job'
import { runCompaction, type CompactionJob, type CompactionResult } from './compaction-job'
import { decodeError, reviveCompactionJob, reviveCompactionResult, reviveFlushResult, type JobRequest, type JobResponse, type RemoveResult } from './job-messages'
import { ioError } from '../util/errors'

export interface JobRunner {
  flush (job: LogFlushJob): Promise<LogFlushResult>
  compact (job: CompactionJob): Promise<CompactionResult>
  // Unlinks files; resolves with the ones that could not be removed, and their errors.
  removeFiles (paths: string[]): Promise<RemoveResult>
  // Waits for jobs already handed over, then releases the runner (terminates its worker).
  close (): Promise<void>
}

export interface JobContext {
  dbname: string
  verifyChecksums: boolean
  maxOpenFiles: number
}

// Small: compactions read each block once, without filling the cache.
const JOB_BLOCK_CACHE_BYTES = 1024 * 1024

// Executes a job against its own table cache, so nothing stays open on files the job's
// inputs, which the database deletes once the job's edit is applied.
export function executeJob (env: Env, context: JobContext, fileNumbers: FileNumberCounter, request: JobRequest): LogFlushResult | CompactionResult | RemoveResult {
  if (request.kind === 'flush') return runLogFlush(env, request.job)
  if (request.kind === 'remove') return removeFiles(env, request.paths)
  const tableCache = new TableCache(env, context.dbname, {
    verifyChecksums: context.verifyChecksums,
    blockCache: new LRUCache<Block>(JOB_BLOCK_CACHE_BYTES)
  }, context.maxOpenFiles)
  try {
    return runCompaction(env, tableCache, reviveCompactionJob(request.job), () => fileNumbers.allocate())
  } finally {
    tableCache.close()
  }
}

function removeFiles (env: Env, paths: string[]): RemoveResult {
  const failures: string[] = []
  for (const file of paths) {
    try {
      env.removeFile(file)
    } catch (err) {
      failures.push(`${path.basename(file)}: ${(err as Error).message}`)
    }
  }
  return { failures }
}

// On the calling thread: used with a custom Env, which cannot cross into a worker.
export class InlineJobRunner implements JobRunner {
  constructor (private readonly env: Env, private readonly context: JobContext, private readonly fileNumbers: FileNumberCounter) {}

  async flush (job: LogFlushJob): Promise<LogFlushResult> {
    return executeJob(this.env, this.context, this.fileNumbers, { kind: 'flush', job }) as LogFlushResult
  }

  async compact (job: CompactionJob): Promise<CompactionResult> {
    return executeJob(this.env, this.context, this.fileNumbers, { kind: 'compact', job }) as CompactionResult
  }

  async removeFiles (paths: string[]): Promise<RemoveResult> {
    return removeFiles(this.env, paths)
  }

  async close (): Promise<void> {}
}

interface PendingJob {
  worker: Worker
  resolve: (response: JobResponse) => void
  reject: (err: Error) => void
}

// Background threads get a lower CPU priority (a nice value) than the main thread, so on a
// machine with few cores flushes and compactions yield to reads and writes rather than delay them.
const WORKER_NICENESS = 10

// In a worker thread, started on first use and only kept referenced while a job runs, so an
// idle database never keeps the process alive. The worker runs one job at a time, in the order
// given. If it dies, every job handed to it fails with LEVEL_IO_ERROR and the next job starts a
// fresh worker.
export class WorkerJobRunner implements JobRunner {
  private worker: Worker | null = null
  private nextId = 1
  private readonly pending = new Map<number, PendingJob>()
  private idleWaiters: Array<() => void> = []
  private closed = false

  constructor (private readonly context: JobContext, private readonly fileNumbers: FileNumberCounter) {}

  // For tests: the worker thread, if one is running.
  get thread (): Worker | null {
    return this.worker
  }

  private start (): Worker {
    if (this.worker !== null) return this.worker
    const worker = new Worker(path.join(__dirname, 'job-worker.js'), {
      workerData: { context: this.context, fileNumbers: this.fileNumbers.shared, niceness: WORKER_NICENESS },
      resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 96 }
    })
    worker.on('message', (response: JobResponse) => {
      const job = this.pending.get(response.id)
      if (job === undefined) return
      this.pending.delete(response.id)
      if (response.error !== undefined) job.reject(decodeError(response.error))
      else job.resolve(response)
      this.settled(worker)
    })
    // 'error' (an uncaught exception, out of memory) is followed by 'exit'; the first one fails the jobs.
    const failAll = (err: Error): void => {
      if (this.worker === worker) this.worker = null
      // Only this worker's jobs: after an 'error', a fresh worker may already have taken new ones.
      const jobs = [...this.pending].filter(([, job]) => job.worker === worker)
      for (const [id] of jobs) this.pending.delete(id)
      for (const [, job] of jobs) job.reject(err)
      this.settled(worker)
    }
    worker.on('error', err => failAll(ioError(`background worker failed: ${err.message}`, err)))
    worker.on('exit', code => failAll(ioError(`background worker exited with code ${code}`)))
    worker.unref()
    this.worker = worker
    return worker
  }

  private settled (worker: Worker): void {
    if ([...this.pending.values()].some(job => job.worker === worker)) return
    worker.unref()
    if (this.pending.size > 0) return
    const waiters = this.idleWaiters
    this.idleWaiters = []
    for (const resolve of waiters) resolve()
  }

  private call (request: JobRequest): Promise<JobResponse> {
    if (this.closed) return Promise.reject(ioError('background worker is closed'))
    const worker = this.start()
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { worker, resolve, reject })
      worker.ref()
      worker.postMessage({ id, request })
    })
  }

  async flush (job: LogFlushJob): Promise<LogFlushResult> {
    return reviveFlushResult((await this.call({ kind: 'flush', job })).result as LogFlushResult)
  }

  async compact (job: CompactionJob): Promise<CompactionResult> {
    return reviveCompactionResult((await this.call({ kind: 'compact', job })).result as CompactionResult)
  }

  // Not worth starting a worker for: without one running (at open, or when idle), removal is inline.
  async removeFiles (paths: string[]): Promise<RemoveResult> {
    if (this.worker === null && !this.closed) return removeFiles(defaultEnv, paths)
    return (await this.call({ kind: 'remove', paths })).result as RemoveResult
  }

  async close (): Promise<void> {
    this.closed = true
    while (this.pending.size > 0) await new Promise<void>(resolve => this.idleWaiters.push(resolve))
    const worker = this.worker
    this.worker = null
    if (worker !== null) await worker.terminate()
  }
}
