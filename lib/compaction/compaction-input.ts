// A compaction's input entries in internal-key order. Each level-0 file is a sorted run of its
// own; the files of a deeper level, disjoint and ordered, form one run. Runs are read through
// TableScanners, so merging them makes no objects per entry.
import type { Env } from '../env/env'
import { ReadaheadFile } from '../env/readahead-file'
import { openTableFile } from '../cache/table-cache'
import { compareInternalKeySlices } from '../format/internal-key'
import { TableScanner } from '../table/table-scanner'
import type { FileMetaData } from '../version/file-metadata'
import type { Compaction } from './compaction'

// Large enough to make reads cheap, small enough that a dozen open runs stay a few MiB.
const READAHEAD_BYTES = 512 * 1024

export interface InputSource {
  env: Env
  dbname: string
  verifyChecksums: boolean
}

class SortedRun {
  private nextFile = 0
  table: TableScanner | null = null

  constructor (private readonly source: InputSource, private readonly files: readonly FileMetaData[]) {
    this.openNextFile()
  }

  next (): void {
    const table = this.table
    if (table === null) throw new Error('next() on an exhausted run')
    table.next()
    if (!table.valid()) this.openNextFile()
  }

  close (): void {
    this.table?.close()
    this.table = null
  }

  private openNextFile (): void {
    this.close()
    while (this.nextFile < this.files.length) {
      const f = this.files[this.nextFile++]
      const { env, dbname, verifyChecksums } = this.source
      const file = new ReadaheadFile(openTableFile(env, dbname, f.number), READAHEAD_BYTES)
      let table: TableScanner
      try {
        table = new TableScanner(file, f.fileSize, verifyChecksums)
      } catch (err) {
        file.close()
        throw err
      }
      if (table.valid()) {
        this.table = table
        return
      }
      table.close()
    }
  }
}

export class CompactionInput {
  private readonly runs: SortedRun[] = []
  // The run holding the smallest current entry; null once every run is exhausted.
  private currentRun: SortedRun | null = null

  constructor (source: InputSource, c: Compaction) {
    try {
      if (c.level === 0) {
        for (const f of c.inputs[0]) this.runs.push(new SortedRun(source, [f]))
      } else {
        this.runs.push(new SortedRun(source, c.inputs[0]))
      }
      this.runs.push(new SortedRun(source, c.inputs[1]))
    } catch (err) {
      this.close()
      throw err
    }
    this.findSmallest()
  }

  // The current entry's ranges, or null at the end; valid until next().
  get current (): TableScanner | null {
    return this.currentRun === null ? null : this.currentRun.table
  }

  next (): void {
    if (this.currentRun === null) throw new Error('next() on an exhausted CompactionInput')
    this.currentRun.next()
    this.findSmallest()
  }

  close (): void {
    for (const run of this.runs) run.close()
    this.currentRun = null
  }

  private findSmallest (): void {
    let smallest: SortedRun | null = null
    let smallestTable: TableScanner | null = null
    for (const run of this.runs) {
      const table = run.table
      if (table === null) continue
      if (smallestTable === null || compareInternalKeySlices(table.keyBytes, table.keyStart, table.keyEnd,
        smallestTable.keyBytes, smallestTable.keyStart, smallestTable.keyEnd) < 0) {
        smallest = run
        smallestTable = table
      }
    }
    this.currentRun = smallest
  }
}
