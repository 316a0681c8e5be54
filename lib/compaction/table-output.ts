// Writes a sorted stream of entries into a new table file and describes the result.
import type { Env, WritableFile } from '../env/env'
import type { FileMetaData } from '../version/file-metadata'
import type { EntryRanges } from '../iterator/entry-ranges'
import { copyBytes } from '../format/key-buffer'
import { TableBuilder } from '../table/table-builder'
import type { TableScanner } from '../table/table-scanner'
import { tableFileName } from '../format/filenames'

export interface TableOutputOptions {
  blockSize: number
  blockRestartInterval: number
  compression: boolean
  bloomBitsPerKey: number
}

export class TableOutput {
  private readonly file: WritableFile
  private readonly builder: TableBuilder
  private smallest: Buffer | null = null
  readonly path: string

  constructor (private readonly env: Env, dbname: string, readonly fileNumber: number, options: TableOutputOptions) {
    this.path = tableFileName(dbname, fileNumber)
    this.file = env.newWritableFile(this.path)
    this.builder = new TableBuilder(this.file, options)
  }

  add (key: Buffer, value: Buffer): void {
    this.addRanges(key, 0, key.length, value, 0, value.length)
  }

  addEntry (entry: EntryRanges): void {
    this.addRanges(entry.keyBytes, entry.keyStart, entry.keyEnd, entry.valueBytes, entry.valueStart, entry.valueEnd)
  }

  // A compaction's entry: one that is alone in its stored block is written as that block (see
  // TableBuilder.addStoredBlock). Separate from addEntry, whose entries (a flush's) are plain
  // objects, so that neither call site sees two kinds of entry.
  addScannedEntry (entry: TableScanner): void {
    const stored = entry.storedBlock
    if (stored === null || !this.builder.addStoredBlock(entry.keyBytes, entry.keyStart, entry.keyEnd, entry.valueEnd - entry.valueStart, stored)) {
      entry.loadValue()
      this.builder.addRanges(entry.keyBytes, entry.keyStart, entry.keyEnd, entry.valueBytes, entry.valueStart, entry.valueEnd)
    }
    if (this.smallest === null) this.smallest = copyBytes(entry.keyBytes.subarray(entry.keyStart, entry.keyEnd))
  }

  private addRanges (key: Buffer, keyStart: number, keyEnd: number, value: Buffer, valueStart: number, valueEnd: number): void {
    this.builder.addRanges(key, keyStart, keyEnd, value, valueStart, valueEnd)
    if (this.smallest === null) this.smallest = copyBytes(key.subarray(keyStart, keyEnd))
  }

  get fileSize (): number {
    return this.builder.fileSize()
  }

  get numEntries (): number {
    return this.builder.numEntries()
  }

  // Completes the table durably; the caller records it in a version edit. With `deferredSyncs`
  // the fdatasync runs on the thread pool instead and its promise goes there: the table is
  // durable (and its file closed) only once that settles, which the caller awaits before it
  // reports the table.
  finish (deferredSyncs?: Array<Promise<void>>): FileMetaData {
    this.builder.finish()
    if (deferredSyncs === undefined) {
      this.file.sync()
      this.file.close()
    } else {
      const file = this.file
      deferredSyncs.push(file.syncAsync().finally(() => file.close()))
    }
    if (this.smallest === null) throw new Error('finish() on an empty table output')
    return { number: this.fileNumber, fileSize: this.builder.fileSize(), smallest: this.smallest, largest: this.builder.largestKey() }
  }

  // Drops a partly written table after an error.
  abandon (): void {
    try {
      this.builder.abandon()
      this.file.close()
    } catch {
      // The original error matters more than a failure to clean up.
    }
    try {
      this.env.removeFile(this.path)
    } catch {
      // Left for the obsolete-file sweep on the next open.
    }
  }
}
