// Memtable arenas of one size, handed back when a memtable is done so the next one reuses them.
// A fresh multi-megabyte arena per memtable counts as external memory to V8, and that growth
// triggers full garbage collections on the thread that owns the database, pausing its event loop.
// Arenas are SharedArrayBuffers, so a background thread can flush a frozen memtable in place.
export class ArenaPool {
  private readonly idle: Buffer[] = []

  // One idle arena is enough: a flushed memtable's arena waits for the next switch, which takes it.
  constructor (readonly arenaSize: number, private readonly maxIdle = 1) {}

  take (): Buffer {
    return this.idle.pop() ?? Buffer.from(new SharedArrayBuffer(this.arenaSize))
  }

  // The caller guarantees nothing still reads the arena.
  give (arena: Buffer): void {
    if (arena.length === this.arenaSize && this.idle.length < this.maxIdle) this.idle.push(arena)
  }

  // A memtable is switched out once it reaches writeBufferSize, after the write that took it
  // there: the slack lets a typical batch finish in the pooled arena instead of outgrowing it.
  static forWriteBufferSize (writeBufferSize: number): ArenaPool {
    const slack = Math.max(64 * 1024, Math.ceil(writeBufferSize / 8))
    return new ArenaPool(Math.ceil((writeBufferSize + slack) / 8) * 8)
  }
}
