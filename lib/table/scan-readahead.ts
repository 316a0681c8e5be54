// The block reads of one table iterator. A scan reads block after block, each adjacent to the
// last (after it going forward, before it in reverse); such reads are served from a window read
// ahead in the scan's direction, so a scan makes one read call per window instead of one per
// block. Readahead starts with the second adjacent read in a row, so that a seek followed by a
// step or two reads no more than it uses; a read anywhere else (a seek) reads just what it asks
// for and resets the readahead.
//
// Invariants: window[0, windowLength) holds the file's bytes from windowOffset. Every read
// returns a view of the window, valid until the next read, which may refill the window in place:
// a scan allocates nothing per block, and whoever keeps bytes read copies them (see isWindow).
import type { RandomAccessFile } from '../env/env'

// The first window once a scan is detected, and the most it grows to by doubling.
const MIN_READAHEAD = 32 * 1024
const MAX_READAHEAD = 256 * 1024

export class ScanReadahead implements RandomAccessFile {
  private window: Buffer = Buffer.allocUnsafeSlow(0)
  private windowOffset = 0
  private windowLength = 0
  // The span of the previous read, to tell a scan from a seek.
  private lastStart = -1
  private lastEnd = -1
  // Adjacent reads in a row.
  private streak = 0
  private readahead = 0

  // `file` stays its owner's (the table's): close() does not close it.
  constructor (private readonly file: RandomAccessFile) {}

  read (offset: number, length: number): Buffer {
    const forward = offset === this.lastEnd
    const backward = offset + length === this.lastStart
    this.lastStart = offset
    this.lastEnd = offset + length
    if (!forward && !backward) {
      this.streak = 0
      this.readahead = 0
    } else {
      this.streak++
    }
    if (!this.holds(offset, length)) {
      if (this.streak < 2) {
        this.fill(offset, length)
      } else {
        this.readahead = Math.min(MAX_READAHEAD, Math.max(MIN_READAHEAD, this.readahead * 2))
        const size = Math.max(this.readahead, length)
        this.fill(forward ? offset : Math.max(0, offset + length - size), size)
      }
    }
    const start = offset - this.windowOffset
    // Short only at the end of the file.
    return this.window.subarray(start, Math.min(start + length, this.windowLength))
  }

  // Whether `bytes` is a view of the window, which the next read may overwrite.
  isWindow (bytes: Uint8Array): boolean {
    return bytes.buffer === this.window.buffer
  }

  size (): number {
    return this.file.size()
  }

  close (): void {
    this.window = Buffer.allocUnsafeSlow(0)
    this.windowLength = 0
  }

  private holds (offset: number, length: number): boolean {
    return offset >= this.windowOffset && offset + length <= this.windowOffset + this.windowLength
  }

  private fill (start: number, size: number): void {
    if (this.window.length < size) this.window = Buffer.allocUnsafeSlow(size)
    const read = this.file.read(start, size, this.window)
    // A file may return a buffer of its own rather than read into the one given.
    if (read.buffer !== this.window.buffer || read.byteOffset !== this.window.byteOffset) this.window = read
    this.windowOffset = start
    this.windowLength = read.length
  }
}
