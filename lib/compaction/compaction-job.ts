// Compaction: input files and options in, new files out. Drops entries no snapshot can see.
import type { Env } from '../env/env'
import type { FileMetaData } from '../version/file-metadata'
import { findFile } from '../version/version'
import { compareByteSlices } from '../format/compare-bytes'
import { checkedTypeAt, compareInternalKeySlices, compareUserKeys, extractUserKey, makeInternalKey, MAX_SEQUENCE, sequenceAt, TAG_SIZE, ValueType, VALUE_TYPE_FOR_SEEK } from '../format/internal-key'
import { KeyBuffer } from '../format/key-buffer'
import { maxGrandparentOverlapBytes, type Compaction } from './compaction'
import { CompactionInput, type ScanBuffers } from './compaction-input'
import { TableOutput, type TableOutputOptions } from './table-output'
import { tableFileName } from '../format/filenames'
import { ENTRIES_PER_STEP, runToEnd, type JobSteps } from './job-slices'

export interface CompactionJob {
  dbname: string
  compaction: Compaction
  // Entries older than the oldest live snapshot are only needed in their newest version.
  smallestSnapshot: number
  verifyChecksums: boolean
  options: TableOutputOptions
}

export interface CompactionResult {
  outputs: FileMetaData[]
  bytesRead: number
  bytesWritten: number
}

// Tracks how much of level + 2 the current output overlaps, to cut outputs before that gets costly.
class GrandparentTracker {
  private index = 0
  private seenKey = false
  private overlappedBytes = 0

  constructor (private readonly grandparents: readonly FileMetaData[], private readonly limit: number) {}

  // Takes the internal key bytes[start, end).
  shouldStopBefore (bytes: Buffer, start: number, end: number): boolean {
    const gp = this.grandparents
    while (this.index < gp.length && compareInternalKeySlices(bytes, start, end, gp[this.index].largest, 0, gp[this.index].largest.length) > 0) {
      if (this.seenKey) this.overlappedBytes += gp[this.index].fileSize
      this.index++
    }
    this.seenKey = true
    if (this.overlappedBytes > this.limit) {
      this.overlappedBytes = 0
      return true
    }
    return false
  }
}

// True when no level below the output level can hold userKey, so a deletion marker has nothing left to hide.
function isBaseLevelForKey (deeperLevels: ReadonlyArray<readonly FileMetaData[]>, userKey: Buffer): boolean {
  const seekKey = makeInternalKey(userKey, MAX_SEQUENCE, VALUE_TYPE_FOR_SEEK)
  for (const files of deeperLevels) {
    const i = findFile(files, seekKey)
    if (i < files.length && compareUserKeys(userKey, extractUserKey(files[i].smallest)) >= 0) return false
  }
  return true
}

// The inputs are read through `buffers`, which the caller keeps for its next compaction.
// runWaitingFlushes lets the caller flush a memtable in the middle of a long compaction; it is
// called at every step (every ENTRIES_PER_STEP entries), often enough to start a flush within a
// few milliseconds, rarely enough to cost nothing.
// With deferredSyncs, each output's fdatasync runs on the thread pool while the merge goes on
// (TableOutput.finish), and its promise is pushed there: the caller must await them all before
// it reports the result, and remove the outputs if one fails.
export function runCompaction (env: Env, job: CompactionJob, allocateFileNumber: () => number, buffers: ScanBuffers, runWaitingFlushes?: () => void): CompactionResult {
  return runToEnd(compactionSteps(env, job, allocateFileNumber, buffers, runWaitingFlushes))
}

export function * compactionSteps (env: Env, job: CompactionJob, allocateFileNumber: () => number, buffers: ScanBuffers, runWaitingFlushes?: () => void, deferredSyncs?: Array<Promise<void>>): JobSteps<CompactionResult> {
  const c = job.compaction
  const tracker = new GrandparentTracker(c.grandparents, maxGrandparentOverlapBytes(c.maxOutputFileSize))
  const outputs: FileMetaData[] = []
  let output: TableOutput | null = null
  let bytesRead = 0
  for (const files of c.inputs) for (const f of files) bytesRead += f.fileSize

  const input = new CompactionInput({ env, dbname: job.dbname, verifyChecksums: job.verifyChecksums, buffers }, c)
  const currentUserKey = new KeyBuffer()
  let hasCurrentUserKey = false
  // Sequence of the previous entry for the same user key; MAX means none seen yet.
  let lastSequenceForKey = MAX_SEQUENCE
  let cutPending = false
  let entriesInStep = 0
  try {
    for (let entry = input.current; entry !== null; input.next(), entry = input.current) {
      if (++entriesInStep === ENTRIES_PER_STEP) {
        entriesInStep = 0
        runWaitingFlushes?.()
        yield
      }
      const { keyBytes, keyStart, keyEnd } = entry
      const type = checkedTypeAt(keyBytes, keyStart, keyEnd)
      const userKeyEnd = keyEnd - TAG_SIZE
      const sequence = sequenceAt(keyBytes, userKeyEnd)
      // Every key feeds the tracker, as in LevelDB, even while no output is open.
      if (tracker.shouldStopBefore(keyBytes, keyStart, keyEnd) && output !== null) cutPending = true
      const newUserKey = !hasCurrentUserKey ||
        compareByteSlices(keyBytes, keyStart, userKeyEnd, currentUserKey.bytes, 0, currentUserKey.length) !== 0
      // Outputs are cut only between user keys, so no key's versions straddle two files.
      if (cutPending && newUserKey && output !== null) {
        outputs.push(output.finish(deferredSyncs))
        output = null
        cutPending = false
      }
      if (newUserKey) {
        currentUserKey.set(keyBytes, keyStart, userKeyEnd)
        hasCurrentUserKey = true
        lastSequenceForKey = MAX_SEQUENCE
      }
      let drop = false
      if (lastSequenceForKey <= job.smallestSnapshot) {
        // A newer version of this key is visible to every snapshot.
        drop = true
      } else if (type === ValueType.Deletion && sequence <= job.smallestSnapshot &&
        isBaseLevelForKey(c.deeperLevels, currentUserKey.view())) {
        drop = true
      }
      lastSequenceForKey = sequence
      if (drop) continue

      if (output === null) output = new TableOutput(env, job.dbname, allocateFileNumber(), job.options)
      output.addScannedEntry(entry)
      if (output.fileSize >= c.maxOutputFileSize) cutPending = true
    }
    if (output !== null) {
      outputs.push(output.finish(deferredSyncs))
      output = null
    }
  } catch (err) {
    output?.abandon()
    for (const done of outputs) {
      try {
        env.removeFile(tableFileName(job.dbname, done.number))
      } catch {
        // Left for the obsolete-file sweep.
      }
    }
    throw err
  } finally {
    input.close()
  }
  let bytesWritten = 0
  for (const f of outputs) bytesWritten += f.fileSize
  return { outputs, bytesRead, bytesWritten }
}

// Settles once every deferred sync of a compaction's outputs has settled (compactionSteps). If
// one failed, the outputs are removed (no version refers to them yet) and the first failure is
// thrown: the compaction failed.
export async function outputsDurable (env: Env, dbname: string, outputs: readonly FileMetaData[], deferredSyncs: ReadonlyArray<Promise<void>>): Promise<void> {
  const settled = await Promise.allSettled(deferredSyncs)
  const failed = settled.find(s => s.status === 'rejected')
  if (failed === undefined) return
  for (const f of outputs) {
    try {
      env.removeFile(tableFileName(dbname, f.number))
    } catch {
      // Left for the obsolete-file sweep.
    }
  }
  throw (failed as PromiseRejectedResult).reason
}
