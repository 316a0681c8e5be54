// Memtable arenas of one size, handed back when a memtable is done so the next one reuses them
// (a fresh multi-megabyte arena per memtable would trigger full garbage collections on the
// thread that owns the database). Arenas are shared memory where the platform has it, so a
// background thread can flush a frozen memtable in place.
import { BufferPool } from '../util/buffer-pool'
import { platform } from '../platform/node'

export class ArenaPool extends BufferPool {
  // One idle arena is enough: a flushed memtable's arena waits for the next switch, which takes it.
  constructor (arenaSize: number) {
    super(arenaSize, 1, size => Buffer.from(platform.newSharedMemory(size)))
  }

  // A memtable is switched out once it reaches writeBufferSize, after the write that took it
  // there: the slack lets a typical batch finish in the pooled arena instead of outgrowing it.
  static forWriteBufferSize (writeBufferSize: number): ArenaPool {
    const slack = Math.max(64 * 1024, Math.ceil(writeBufferSize / 8))
    return new ArenaPool(Math.ceil((writeBufferSize + slack) / 8) * 8)
  }
}
