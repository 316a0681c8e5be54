// Serves a front-to-back scan of a file from large reads instead of one read per block: a
// compaction reads every block of its inputs in order.
import type { RandomAccessFile } from './env'

export class ReadaheadFile implements RandomAccessFile {
  private window: Buffer = Buffer.alloc(0)
  private windowOffset = 0

  // Each refill reads over `buffer`, whose length sets the readahead size: the caller can hand
  // the same buffer to the reader of its next file once this one is closed.
  constructor (private readonly file: RandomAccessFile, private readonly buffer: Buffer) {}

  // A returned view is valid until the next read: a refill overwrites the window. A read longer
  // than the buffer gets a buffer of its own.
  read (offset: number, length: number): Buffer {
    const start = offset - this.windowOffset
    if (start < 0 || start + length > this.window.length) {
      this.window = length > this.buffer.length
        ? this.file.read(offset, length)
        : this.file.read(offset, this.buffer.length, this.buffer)
      this.windowOffset = offset
      return this.window.subarray(0, length)
    }
    return this.window.subarray(start, start + length)
  }

  size (): number {
    return this.file.size()
  }

  close (): void {
    this.window = Buffer.alloc(0)
    this.file.close()
  }
}
