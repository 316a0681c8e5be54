// Compaction: input files and options in, new files out. Drops entries no snapshot can see.
import type { Env } from '../env/env'
import type { InternalIterator } from '../iterator/iterator'
import { MergingIterator } from '../iterator/merging-iterator'
import type { FileMetaData } from '../version/file-metadata'
import { findFile } from '../version/version'
import { newLevelIterator } from '../version/level-iterator'
import type { TableCache } from '../cache/table-cache'
import { compareInternalKeys, compareUserKeys, extractUserKey, makeInternalKey, MAX_SEQUENCE, parseInternalKey, ValueType, VALUE_TYPE_FOR_SEEK } from '../format/internal-key'
import { maxGrandparentOverlapBytes, type Compaction } from './compaction'
import { TableOutput, type TableOutputOptions } from './table-output'
import { tableFileName } from '../format/filenames'

export interface CompactionJob {
  dbname: string
  compaction: Compaction
  // Entries older than the oldest live snapshot are only needed in their newest version.
  smallestSnapshot: number
  options: TableOutputOptions
}

export interface CompactionResult {
  outputs: FileMetaData[]
  bytesRead: number
  bytesWritten: number
}

function inputIterator (c: Compaction, tableCache: TableCache): InternalIterator {
  const children: InternalIterator[] = []
  if (c.level === 0) {
    for (const f of c.inputs[0]) children.push(tableCache.newIterator(f.number, f.fileSize, false))
  } else {
    children.push(newLevelIterator(c.inputs[0], tableCache, false))
  }
  children.push(newLevelIterator(c.inputs[1], tableCache, false))
  return new MergingIterator(children)
}

// Tracks how much of level + 2 the current output overlaps, to cut outputs before that gets costly.
class GrandparentTracker {
  private index = 0
  private seenKey = false
  private overlappedBytes = 0

  constructor (private readonly grandparents: readonly FileMetaData[], private readonly limit: number) {}

  shouldStopBefore (internalKey: Buffer): boolean {
    const gp = this.grandparents
    while (this.index < gp.length && compareInternalKeys(internalKey, gp[this.index].largest) > 0) {
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
function isBaseLevelForKey (deeperLevels: readonly FileMetaData[][], userKey: Buffer): boolean {
  const seekKey = makeInternalKey(userKey, MAX_SEQUENCE, VALUE_TYPE_FOR_SEEK)
  for (const files of deeperLevels) {
    const i = findFile(files, seekKey)
    if (i < files.length && compareUserKeys(userKey, extractUserKey(files[i].smallest)) >= 0) return false
  }
  return true
}

export function runCompaction (env: Env, tableCache: TableCache, job: CompactionJob, allocateFileNumber: () => number): CompactionResult {
  const c = job.compaction
  const tracker = new GrandparentTracker(c.grandparents, maxGrandparentOverlapBytes(c.maxOutputFileSize))
  const outputs: FileMetaData[] = []
  let output: TableOutput | null = null
  let bytesRead = 0
  for (const files of c.inputs) for (const f of files) bytesRead += f.fileSize

  const input = inputIterator(c, tableCache)
  let currentUserKey: Buffer | null = null
  // Sequence of the previous entry for the same user key; MAX means none seen yet.
  let lastSequenceForKey = MAX_SEQUENCE
  let cutPending = false
  try {
    for (input.seekToFirst(); input.valid(); input.next()) {
      const key = input.key()
      // Every key feeds the tracker, as in LevelDB, even while no output is open.
      if (tracker.shouldStopBefore(key) && output !== null) cutPending = true
      const parsed = parseInternalKey(key)
      const newUserKey = currentUserKey === null || compareUserKeys(parsed.userKey, currentUserKey) !== 0
      // Outputs are cut only between user keys, so no key's versions straddle two files.
      if (cutPending && newUserKey && output !== null) {
        outputs.push(output.finish())
        output = null
        cutPending = false
      }
      if (newUserKey) {
        currentUserKey = parsed.userKey
        lastSequenceForKey = MAX_SEQUENCE
      }
      let drop = false
      if (lastSequenceForKey <= job.smallestSnapshot) {
        // A newer version of this key is visible to every snapshot.
        drop = true
      } else if (parsed.type === ValueType.Deletion && parsed.sequence <= job.smallestSnapshot &&
        isBaseLevelForKey(c.deeperLevels, parsed.userKey)) {
        drop = true
      }
      lastSequenceForKey = parsed.sequence
      if (drop) continue

      if (output === null) output = new TableOutput(env, job.dbname, allocateFileNumber(), job.options)
      output.add(key, input.value())
      if (output.fileSize >= c.maxOutputFileSize) cutPending = true
    }
    if (output !== null) {
      outputs.push(output.finish())
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
