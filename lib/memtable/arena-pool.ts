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

  // A memtable takes writes while it holds at most writeBufferSize, so the write that takes it
  // past that can take it as far again as that write is long: LevelDB's flush points, which the
  // tables' sizes follow. An arena of twice writeBufferSize (plus slack for entry overhead) lets
  // any write up to writeBufferSize long, a db.batch of a thousand 4 KiB values in the default
  // 4 MiB say, finish in the pooled arena. Outgrowing it instead cost every such memtable a fresh
  // shared buffer, faulted in page by page, and a copy of the full one: about 4 us a put when
  // filling with 4 KiB values. Pages a memtable never reaches are never touched (shared memory
  // comes zeroed from the OS), so a memtable of small writes uses no more memory than before.
  static forWriteBufferSize (writeBufferSize: number): ArenaPool {
    const slack = Math.max(64 * 1024, Math.ceil(writeBufferSize / 8))
    return new ArenaPool(Math.ceil((2 * writeBufferSize + slack) / 8) * 8)
  }
}
