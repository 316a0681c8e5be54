// Flush: a memtable's sorted entries in, one level-0 (or deeper) table and its metadata out.
import type { Env } from '../env/env'
import type { InternalIterator } from '../iterator/iterator'
import type { FileMetaData } from '../version/file-metadata'
import { TableOutput, type TableOutputOptions } from './table-output'

export interface FlushJob {
  dbname: string
  fileNumber: number
  options: TableOutputOptions
}

// Returns undefined for an empty memtable: there is nothing to record.
export function runFlush (env: Env, job: FlushJob, entries: InternalIterator): FileMetaData | undefined {
  entries.seekToFirst()
  if (!entries.valid()) return undefined
  const output = new TableOutput(env, job.dbname, job.fileNumber, job.options)
  try {
    for (; entries.valid(); entries.next()) output.add(entries.key(), entries.value())
    return output.finish()
  } catch (err) {
    output.abandon()
    throw err
  }
}
