// Serves a front-to-back scan of a file from large reads instead of one read per block: a
// compaction reads every block of its inputs in order.
import type { RandomAccessFile } from './env'

export class ReadaheadFile implements RandomAccessFile {
  private window: Buffer = Buffer.alloc(0)
  private windowOffset = 0

  constructor (private readonly file: RandomAccessFile, private readonly readaheadBytes: number) {}

  // Returned views stay valid: a refill reads into a new buffer rather than over the old one.
  read (offset: number, length: number): Buffer {
    const start = offset - this.windowOffset
    if (start < 0 || start + length > this.window.length) {
      this.window = this.file.read(offset, Math.max(length, this.readaheadBytes))
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
