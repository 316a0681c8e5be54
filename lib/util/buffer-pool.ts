// Buffers of one size, handed back when their user is done so the next user reuses them. A fresh
// large buffer counts as external memory to V8, and V8 answers growth in external memory with
// full garbage collections of the allocating thread, which pause everything that thread runs.
//
// Invariant: a buffer is idle here or in the hands of exactly one user, never both.
export class BufferPool {
  private readonly idle: Buffer[] = []
  private allocated = 0

  constructor (
    readonly bufferSize: number,
    private readonly maxIdle: number,
    private readonly allocate: (size: number) => Buffer = size => Buffer.allocUnsafeSlow(size)
  ) {}

  // The contents are whatever the previous user left.
  take (): Buffer {
    const buffer = this.idle.pop()
    if (buffer !== undefined) return buffer
    this.allocated++
    return this.allocate(this.bufferSize)
  }

  // The caller guarantees nothing still reads the buffer. Buffers of another size are dropped.
  give (buffer: Buffer): void {
    // Two users would then share the buffer, each overwriting the other's bytes.
    if (this.idle.includes(buffer)) throw new Error('BufferPool: a buffer was given back twice')
    if (buffer.length === this.bufferSize && this.idle.length < this.maxIdle) this.idle.push(buffer)
  }

  get idleCount (): number {
    return this.idle.length
  }

  // Buffers this pool has made.
  get allocatedCount (): number {
    return this.allocated
  }
}
