// A compaction's input entries in internal-key order. Each level-0 file is a sorted run of its
// own; the files of a deeper level, disjoint and ordered, form one run. Runs are read through
// TableScanners, so merging them makes no objects per entry; a block holding one entry (a large
// value) is decoded only as far as its key until its value is wanted (TableScanner.loadValue),
// since the output mostly copies such a block as stored.
import type { Env } from '../env/env'
import { ReadaheadFile } from '../env/readahead-file'
import { openTableFile } from '../table/table-file'
import { compareInternalKeySlices } from '../format/internal-key'
import { DECODE_BUFFER_SIZE, TableScanner } from '../table/table-scanner'
import { BufferPool } from '../util/buffer-pool'
import type { FileMetaData } from '../version/file-metadata'
import type { Compaction } from './compaction'

// Large enough to make reads cheap, small enough that a dozen open runs stay a few MiB.
const READAHEAD_BYTES = 512 * 1024
// A level-0 compaction merges up to a dozen or so runs; the buffers of all of them stay pooled.
const MAX_IDLE_RUN_BUFFERS = 16

// The read buffers of compaction inputs, kept from one compaction to the next by whoever runs
// them. New ones per input file would add up to hundreds of MB of external memory per GB
// compacted, and with them full garbage collections of the compacting thread.
export class ScanBuffers {
  readonly readahead = new BufferPool(READAHEAD_BYTES, MAX_IDLE_RUN_BUFFERS)
  readonly decoded = new BufferPool(DECODE_BUFFER_SIZE, MAX_IDLE_RUN_BUFFERS)
}

export interface InputSource {
  env: Env
  dbname: string
  verifyChecksums: boolean
  buffers: ScanBuffers
}

// One file after another, all read through the same two buffers, taken from the pools for as
// long as the run is open.
class SortedRun {
  private nextFile = 0
  table: TableScanner | null = null
  private readonly readahead: Buffer
  private readonly decoded: Buffer

  constructor (private readonly source: InputSource, private readonly files: readonly FileMetaData[]) {
    this.readahead = source.buffers.readahead.take()
    this.decoded = source.buffers.decoded.take()
    try {
      this.openNextFile()
    } catch (err) {
      this.close()
      throw err
    }
  }

  next (): void {
    const table = this.table
    if (table === null) throw new Error('next() on an exhausted run')
    table.next()
    if (!table.valid()) this.openNextFile()
  }

  // Called once (a buffer given back twice would go to two runs at once).
  close (): void {
    this.closeTable()
    this.source.buffers.readahead.give(this.readahead)
    this.source.buffers.decoded.give(this.decoded)
  }

  private closeTable (): void {
    this.table?.close()
    this.table = null
  }

  private openNextFile (): void {
    this.closeTable()
    while (this.nextFile < this.files.length) {
      const f = this.files[this.nextFile++]
      const { env, dbname, verifyChecksums } = this.source
      const file = new ReadaheadFile(openTableFile(env, dbname, f.number), this.readahead)
      let table: TableScanner
      try {
        table = new TableScanner(file, f.fileSize, verifyChecksums, this.decoded, true)
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

// The runs are merged through a tournament (loser) tree: moving to the next entry replays one
// leaf-to-root path, about log2(runs) key comparisons, where a scan of every run would take one
// per run. A level-0 compaction can merge a dozen runs.
export class CompactionInput {
  private readonly runs: SortedRun[] = []
  // losers[node] for each internal node 1..runs-1: the run that lost the match there.
  // losers[0]: the overall winner, the run holding the smallest current entry.
  private readonly losers: Int32Array

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
    this.losers = new Int32Array(this.runs.length)
    this.buildTree()
  }

  // The current entry's ranges, or null at the end; valid until next().
  get current (): TableScanner | null {
    return this.runs[this.losers[0]].table
  }

  next (): void {
    const winner = this.losers[0]
    this.runs[winner].next()
    this.replay(winner)
  }

  close (): void {
    for (const run of this.runs) run.close()
  }

  // Whether run a's current entry sorts before run b's; an exhausted run sorts after everything.
  private before (a: number, b: number): boolean {
    const ta = this.runs[a].table
    const tb = this.runs[b].table
    if (ta === null) return false
    if (tb === null) return true
    return compareInternalKeySlices(ta.keyBytes, ta.keyStart, ta.keyEnd, tb.keyBytes, tb.keyStart, tb.keyEnd) < 0
  }

  private buildTree (): void {
    const n = this.runs.length
    // winners[node] for internal nodes 1..n-1; leaves n..2n-1 stand for runs 0..n-1.
    const winners = new Int32Array(2 * n)
    for (let i = 0; i < n; i++) winners[n + i] = i
    for (let node = n - 1; node >= 1; node--) {
      const left = winners[2 * node]
      const right = winners[2 * node + 1]
      const rightWins = this.before(right, left)
      winners[node] = rightWins ? right : left
      this.losers[node] = rightWins ? left : right
    }
    this.losers[0] = n > 1 ? winners[1] : 0
  }

  // Run `run` has moved on: replays its matches on the way to the root.
  private replay (run: number): void {
    const losers = this.losers
    let winner = run
    for (let node = (run + this.runs.length) >>> 1; node > 0; node >>>= 1) {
      const loser = losers[node]
      if (this.before(loser, winner)) {
        losers[node] = winner
        winner = loser
      }
    }
    losers[0] = winner
  }
}
