// Flush: a memtable's sorted entries in, one table and its metadata out.
import type { Env } from '../env/env'
import type { EntryRanges } from '../iterator/entry-ranges'
import { MemTableIterator } from '../memtable/memtable-iterator'
import type { FileMetaData } from '../version/file-metadata'
import { MemTable } from '../memtable/memtable'
import { InternalKeySkipList } from '../memtable/skiplist'
import { replayLog } from '../log/log-replay'
import { logFileName } from '../format/filenames'
import { corruption } from '../util/errors'
import { TableOutput, type TableOutputOptions } from './table-output'
import { ENTRIES_PER_STEP, runToEnd, type JobSteps } from './job-slices'

export interface FlushJob {
  dbname: string
  fileNumber: number
  options: TableOutputOptions
}

// A flush of a memtable that takes no more writes, read in place from its arena (shared memory
// when the job runs in a worker).
export interface MemTableFlushJob extends FlushJob {
  arena: Buffer
}

export interface MemTableFlushResult {
  meta?: FileMetaData
}

// A flush of a memtable rebuilt from its write-ahead log, at recovery: a log holds exactly the
// writes of one memtable.
export interface LogFlushJob extends FlushJob {
  logNumber: number
  // Recovery skips damaged records as LevelDB does; a live log's records were all acknowledged,
  // so there damage is an error.
  tolerateDamage: boolean
}

export interface LogFlushResult {
  meta?: FileMetaData
  maxSequence: number
  damage: string[]
}

const NO_BYTES = Buffer.alloc(0)

// Returns undefined for an empty memtable: there is nothing to record. With deferredSyncs the
// table's fdatasync runs on the thread pool and its promise goes there (TableOutput.finish):
// the caller must await it before it reports the table.
function * flushSteps (env: Env, job: FlushJob, entries: MemTableIterator, deferredSyncs?: Array<Promise<void>>): JobSteps<FileMetaData | undefined> {
  entries.seekToFirst()
  if (!entries.valid()) return undefined
  const output = new TableOutput(env, job.dbname, job.fileNumber, job.options)
  const entry: EntryRanges = { keyBytes: NO_BYTES, keyStart: 0, keyEnd: 0, valueBytes: NO_BYTES, valueStart: 0, valueEnd: 0 }
  let entriesInStep = 0
  try {
    for (; entries.valid(); entries.next()) {
      entries.readEntry(entry)
      output.addEntry(entry)
      if (++entriesInStep === ENTRIES_PER_STEP) {
        entriesInStep = 0
        yield
      }
    }
    return output.finish(deferredSyncs)
  } catch (err) {
    output.abandon()
    throw err
  }
}

export function runMemTableFlush (env: Env, job: MemTableFlushJob): MemTableFlushResult {
  return runToEnd(memTableFlushSteps(env, job))
}

export function * memTableFlushSteps (env: Env, job: MemTableFlushJob, deferredSyncs?: Array<Promise<void>>): JobSteps<MemTableFlushResult> {
  return { meta: yield * flushSteps(env, job, new MemTableIterator(InternalKeySkipList.frozen(job.arena)), deferredSyncs) }
}

export function runLogFlush (env: Env, job: LogFlushJob): LogFlushResult {
  return runToEnd(logFlushSteps(env, job))
}

// The log is replayed in one step; the table is written in steps.
export function * logFlushSteps (env: Env, job: LogFlushJob): JobSteps<LogFlushResult> {
  const mem = MemTable.forLogOfSize(env.getFileSize(logFileName(job.dbname, job.logNumber)))
  const damage: string[] = []
  let maxSequence = 0
  replayLog(env, logFileName(job.dbname, job.logNumber), batch => {
    mem.addBatch(batch)
    maxSequence = Math.max(maxSequence, batch.sequence + batch.count() - 1)
  }, (bytes, reason) => {
    if (!job.tolerateDamage) throw corruption(`log ${job.logNumber} is damaged: ${reason}`)
    damage.push(`log ${job.logNumber}: dropped ${bytes} bytes: ${reason}`)
  })
  const entries = mem.newIterator()
  try {
    return { meta: yield * flushSteps(env, job, entries), maxSequence, damage }
  } finally {
    entries.close()
  }
}
