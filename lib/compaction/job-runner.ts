// Runs flush and compaction jobs either on the calling thread or in a worker thread. Jobs are
// plain data in and plain data out, so both runners give the same results.
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import type { Env } from '../env/env'
import { FileNumberCounter } from '../version/file-number-counter'
import { TableCache } from '../cache/table-cache'
import { LRUCache } from '../cache/lru-cache'
import type { Block } from '../table/block'
import { runLogFlush, type LogFlushJob, type LogFlushResult } from './flush-job'
import { runCompaction, type CompactionJob, type CompactionResult } from './compaction-job'
import { decodeError, reviveCompactionJob, reviveCompactionResult, reviveFlushResult, type JobRequest, type JobResponse } from './job-messages'
import { ioError } from '../util/errors'

export interface JobRunner {
  flush (job: LogFlushJob): Promise<LogFlushResult>
  compact (job: CompactionJob): Promise<CompactionResult>
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
export function executeJob (env: Env, context: JobContext, fileNumbers: FileNumberCounter, request: JobRequest): LogFlushResult | CompactionResult {
  if (request.kind === 'flush') return runLogFlush(env, request.job)
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

// On the calling thread: used with a custom Env, which cannot cross into a worker.
export class InlineJobRunner implements JobRunner {
  constructor (private readonly env: Env, private readonly context: JobContext, private readonly fileNumbers: FileNumberCounter) {}

  async flush (job: LogFlushJob): Promise<LogFlushResult> {
    return executeJob(this.env, this.context, this.fileNumbers, { kind: 'flush', job }) as LogFlushResult
  }

  async compact (job: CompactionJob): Promise<CompactionResult> {
    return executeJob(this.env, this.context, this.fileNumbers, { kind: 'compact', job }) as CompactionResult
  }

  async close (): Promise<void> {}
}

interface PendingJob {
  resolve: (response: JobResponse) => void
  reject: (err: Error) => void
}

// In a worker thread, started on first use and only kept referenced while a job runs, so an
// idle database never keeps the process alive.
export class WorkerJobRunner implements JobRunner {
  private worker: Worker | null = null
  private nextId = 1
  private readonly pending = new Map<number, PendingJob>()

  constructor (private readonly context: JobContext, private readonly fileNumbers: FileNumberCounter) {}

  private start (): Worker {
    if (this.worker !== null) return this.worker
    const worker = new Worker(path.join(__dirname, 'job-worker.js'), {
      workerData: { context: this.context, fileNumbers: this.fileNumbers.shared },
      resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 96 }
    })
    worker.on('message', (response: JobResponse) => {
      const job = this.pending.get(response.id)
      if (job === undefined) return
      this.pending.delete(response.id)
      if (this.pending.size === 0) worker.unref()
      if (response.error !== undefined) job.reject(decodeError(response.error))
      else job.resolve(response)
    })
    const failAll = (err: Error): void => {
      if (this.worker === worker) this.worker = null
      for (const job of this.pending.values()) job.reject(err)
      this.pending.clear()
    }
    worker.on('error', err => failAll(ioError(`background worker failed: ${err.message}`, err)))
    worker.on('exit', code => failAll(ioError(`background worker exited with code ${code}`)))
    worker.unref()
    this.worker = worker
    return worker
  }

  private call (request: JobRequest): Promise<JobResponse> {
    const worker = this.start()
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
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

  async close (): Promise<void> {
    const worker = this.worker
    this.worker = null
    if (worker !== null) await worker.terminate()
  }
}
