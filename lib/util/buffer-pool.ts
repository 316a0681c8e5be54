// Buffers of one size, handed back when their user is done so the next user reuses them. A fresh
// large buffer counts as external memory to V8, and V8 answers growth in external memory with
// full garbage collections of the allocating thread, which pause everything that thread runs.
export class BufferPool {
  private readonly idle: Buffer[] = []

  constructor (
    readonly bufferSize: number,
    private readonly maxIdle: number,
    private readonly allocate: (size: number) => Buffer = size => Buffer.allocUnsafeSlow(size)
  ) {}

  // The contents are whatever the previous user left.
  take (): Buffer {
    return this.idle.pop() ?? this.allocate(this.bufferSize)
  }

  // The caller guarantees nothing still reads the buffer. Buffers of another size are dropped.
  give (buffer: Buffer): void {
    if (buffer.length === this.bufferSize && this.idle.length < this.maxIdle) this.idle.push(buffer)
  }

  get idleCount (): number {
    return this.idle.length
  }
}
