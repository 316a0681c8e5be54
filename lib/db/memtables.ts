// The two memtables: the one taking writes and the one being flushed.
//
// Invariants:
// - `mem` takes every write. `imm`, when set, is the previous memtable: read-only, holding
//   writes newer than every table, until its flush is in the current version.
// - Only switch() and flushed() change them; switch() only while imm is null.
// - Both take their arenas from one pool, and flushed() gives imm's back.
import { ArenaPool } from '../memtable/arena-pool'
import { MemTable } from '../memtable/memtable'

export class MemTables {
  private readonly arenaPool: ArenaPool
  private active: MemTable
  private flushing: MemTable | null = null

  constructor (writeBufferSize: number) {
    this.arenaPool = ArenaPool.forWriteBufferSize(writeBufferSize)
    this.active = new MemTable(this.arenaPool)
  }

  get mem (): MemTable {
    return this.active
  }

  get imm (): MemTable | null {
    return this.flushing
  }

  // The current memtable becomes the one to flush; a fresh one takes the writes.
  switch (): void {
    this.flushing = this.active
    this.active = new MemTable(this.arenaPool)
  }

  // imm's flush is in the current version: its memory goes back to the pool.
  flushed (): void {
    this.flushing?.release()
    this.flushing = null
  }
}
