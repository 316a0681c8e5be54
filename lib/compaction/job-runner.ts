// Runs flush and compaction jobs on the calling thread (a worker-thread runner is in
// worker-job-runner.ts, reached through the platform). Jobs are
// plain data in and plain data out, so both runners give the same results.
import type { Env } from '../env/env'
import { FileNumberCounter } from '../version/file-number-counter'
import { logFlushSteps, memTableFlushSteps, type LogFlushJob, type LogFlushResult, type MemTableFlushJob, type MemTableFlushResult } from './flush-job'
import { compactionSteps, type CompactionJob, type CompactionResult } from './compaction-job'
import { ScanBuffers } from './compaction-input'
import { detachCompactionJob, reviveCompactionJob, reviveCompactionResult, reviveFlushResult, reviveMemTableFlushJob, type JobRequest, type JobResponse } from './job-messages'
import { sweepObsoleteFiles, type LiveFiles, type SweepResult } from '../version/obsolete-files'
import { platform } from '../platform/node'
import { runInSlices, runToEnd, type JobSteps } from './job-slices'

export interface JobRunner {
  flush (job: MemTableFlushJob): Promise<MemTableFlushResult>
  recover (job: LogFlushJob): Promise<LogFlushResult>
  compact (job: CompactionJob): Promise<CompactionResult>
  // Removes the files of the database directory that `live` does not need.
  sweep (live: LiveFiles): Promise<SweepResult>
  // Waits for jobs already handed over, then releases the runner (terminates its worker).
  close (): Promise<void>
}

export type JobResult = MemTableFlushResult | LogFlushResult | CompactionResult | SweepResult

// A job opens the files it reads and closes them before it returns, so nothing stays open on
// its inputs, which the database deletes once the job's edit is applied. A runner keeps one
// ScanBuffers for all its compactions.
export function * jobSteps (env: Env, fileNumbers: FileNumberCounter, buffers: ScanBuffers, request: JobRequest): JobSteps<JobResult> {
  if (request.kind === 'flush') return yield * memTableFlushSteps(env, reviveMemTableFlushJob(request.job))
  if (request.kind === 'recover') return yield * logFlushSteps(env, request.job)
  if (request.kind === 'sweep') return sweepObsoleteFiles(env, request.live)
  return yield * compactionSteps(env, reviveCompactionJob(request.job), () => fileNumbers.allocate(), buffers)
}

// Runs a job to the end on the calling thread (in a worker thread, which serves nothing else).
export function executeJob (env: Env, fileNumbers: FileNumberCounter, buffers: ScanBuffers, request: JobRequest): JobResult {
  return runToEnd(jobSteps(env, fileNumbers, buffers, request))
}

// On the calling thread: used when background workers are off, or for an Env that cannot cross
// into a worker. Jobs run a time slice at a time (job-slices.ts), so reads and writes are served
// between slices rather than after the whole job.
export class InlineJobRunner implements JobRunner {
  private readonly buffers = new ScanBuffers()
  // Jobs between their first and last slice, which close() waits for.
  private readonly running = new Set<Promise<unknown>>()

  constructor (private readonly env: Env, private readonly fileNumbers: FileNumberCounter) {}

  private run (request: JobRequest): Promise<JobResult> {
    const job = runInSlices(jobSteps(this.env, this.fileNumbers, this.buffers, request), platform.nextMacrotask, this.env.whenReadyToCreate?.bind(this.env))
    const settled = job.then(() => {}, () => {}).finally(() => this.running.delete(settled))
    this.running.add(settled)
    return job
  }

  async flush (job: MemTableFlushJob): Promise<MemTableFlushResult> {
    return await this.run({ kind: 'flush', job }) as MemTableFlushResult
  }

  async recover (job: LogFlushJob): Promise<LogFlushResult> {
    return await this.run({ kind: 'recover', job }) as LogFlushResult
  }

  async compact (job: CompactionJob): Promise<CompactionResult> {
    return await this.run({ kind: 'compact', job }) as CompactionResult
  }

  async sweep (live: LiveFiles): Promise<SweepResult> {
    return sweepObsoleteFiles(this.env, live)
  }

  async close (): Promise<void> {
    await Promise.all(this.running)
  }
}

// A runner that hands flushes and compactions to a worker of its own (a worker thread in Node,
// a nested worker in the browser) until that worker cannot run here: from then on `inline` is
// set, for good, and every job runs on the calling thread, a job that failed with the worker
// included. Subclasses start the worker, post a job to it (call) and decide recover and sweep.
export abstract class WorkerOrInlineJobRunner {
  protected inline: InlineJobRunner | null = null

  protected abstract call (request: JobRequest): Promise<JobResponse>

  protected async run<T> (request: JobRequest, inWorker: (response: JobResponse) => T, inline: (runner: InlineJobRunner) => Promise<T>): Promise<T> {
    if (this.inline === null) {
      try {
        return inWorker(await this.call(request))
      } catch (err) {
        if (this.inline === null) throw err
      }
    }
    return inline(this.inline)
  }

  async flush (job: MemTableFlushJob): Promise<MemTableFlushResult> {
    return this.run({ kind: 'flush', job }, response => reviveFlushResult(response.result as MemTableFlushResult), runner => runner.flush(job))
  }

  async compact (job: CompactionJob): Promise<CompactionResult> {
    return this.run({ kind: 'compact', job: detachCompactionJob(job) }, response => reviveCompactionResult(response.result as CompactionResult), runner => runner.compact(job))
  }
}
