import type { RandomAccessFile } from '../env/env'
import { crc32cOf, unmask } from '../format/crc32c'
import { getFixed32 } from '../format/coding'
import { BLOCK_SIZE, HEADER_SIZE, MAX_RECORD_TYPE, RecordType } from './log-format'

// Called with the number of bytes dropped and why. Whether a drop is fatal is the caller's call.
export type LogReporter = (bytes: number, reason: string) => void

export interface LogReaderOptions {
  checksum: boolean
  reporter?: LogReporter
  // Records that start before this file offset are skipped.
  initialOffset?: number
}

// Outcomes of reading a physical record besides its record type.
const EOF = MAX_RECORD_TYPE + 1
const BAD_RECORD = MAX_RECORD_TYPE + 2
// A physical record that starts before initialOffset.
const SKIPPED = MAX_RECORD_TYPE + 3

const EMPTY = Buffer.alloc(0)
// The most a fragmented record's buffer is given before any of it has been read (recordBuffer).
const MAX_RECORD_BUFFER_BYTES = 64 * 1024 * 1024

// Reads logical records back, following LevelDB's recovery rules: damaged bytes are reported
// and skipped, while a record torn by a crash at the end of the file reads as a clean end. So
// does one torn where the file ends in zeros (space a writer reserved, WritableFile.reserve):
// damage with nothing but zeros after it until the end of the file is such a tear.
export class LogReader {
  private readonly checksum: boolean
  private readonly reporter: LogReporter | undefined
  private readonly initialOffset: number
  private block: Buffer = EMPTY
  // Unconsumed bytes of the current block are block[bufferStart, bufferEnd).
  private bufferStart = 0
  private bufferEnd = 0
  // File offset just past the current block.
  private endOfBufferOffset = 0
  private eof = false
  private lastRecordStart = 0
  // Until a record boundary is seen, fragments of a record that began before initialOffset are skipped.
  private resyncing: boolean
  private positioned = false
  // Payload of the most recent physical record.
  private fragmentStart = 0
  private fragmentEnd = 0

  constructor (private readonly source: RandomAccessFile, options: LogReaderOptions) {
    this.checksum = options.checksum
    this.reporter = options.reporter
    this.initialOffset = options.initialOffset ?? 0
    this.resyncing = this.initialOffset > 0
  }

  // File offset of the start of the record last returned by readRecord().
  get lastRecordOffset (): number {
    return this.lastRecordStart
  }

  // The next logical record, or null at the end of the log. Returned buffers are never reused.
  readRecord (): Buffer | null {
    if (!this.positioned) {
      this.skipToInitialBlock()
      this.positioned = true
    }

    // Non-null while assembling a fragmented record, which is copied into it fragment by fragment.
    let fragments: Buffer | null = null
    let fragmentedSize = 0
    let prospectiveRecordOffset = 0

    while (true) {
      const type = this.readPhysicalRecord()
      const fragmentLength = this.fragmentEnd - this.fragmentStart
      // Computed after the read, since the read may have skipped a block trailer.
      const physicalRecordOffset = this.endOfBufferOffset - (this.bufferEnd - this.bufferStart) - HEADER_SIZE - fragmentLength

      // Unlike LevelDB, skipped records leave resyncing on, so the remaining fragments of a
      // record that began before initialOffset are skipped instead of reported as orphans.
      if (type === SKIPPED) continue
      if (this.resyncing) {
        if (type === RecordType.Middle) continue
        this.resyncing = false
        if (type === RecordType.Last) continue
      }

      switch (type) {
        case RecordType.Full:
          // An empty FIRST before a FULL was written by old LevelDB writers; it is not damage.
          if (fragmentedSize > 0) this.reportCorruption(fragmentedSize, 'partial record without end(1)')
          this.lastRecordStart = physicalRecordOffset
          return this.block.subarray(this.fragmentStart, this.fragmentEnd)

        case RecordType.First:
          if (fragmentedSize > 0) this.reportCorruption(fragmentedSize, 'partial record without end(2)')
          prospectiveRecordOffset = physicalRecordOffset
          fragments = this.appendFragment(this.recordBuffer(physicalRecordOffset), 0)
          fragmentedSize = fragmentLength
          break

        case RecordType.Middle:
          if (fragments === null) {
            this.reportCorruption(fragmentLength, 'missing start of fragmented record(1)')
          } else {
            fragments = this.appendFragment(fragments, fragmentedSize)
            fragmentedSize += fragmentLength
          }
          break

        case RecordType.Last:
          if (fragments === null) {
            this.reportCorruption(fragmentLength, 'missing start of fragmented record(2)')
          } else {
            fragments = this.appendFragment(fragments, fragmentedSize)
            this.lastRecordStart = prospectiveRecordOffset
            return fragments.subarray(0, fragmentedSize + fragmentLength)
          }
          break

        case EOF:
          // A fragmented record cut short here was torn by a crash mid-write: drop it silently.
          return null

        case BAD_RECORD:
          if (fragments !== null) {
            this.reportCorruption(fragmentedSize, 'error in middle of record')
            fragments = null
            fragmentedSize = 0
          }
          break

        default:
          this.reportCorruption(fragmentLength + fragmentedSize, `unknown record type ${type}`)
          fragments = null
          fragmentedSize = 0
          break
      }
    }
  }

  // A buffer for a fragmented record whose FIRST fragment starts at file offset `start`: as long
  // as the rest of the file, which no record starting there can outgrow, up to a limit beyond
  // which it grows as fragments arrive. Its pages are only touched as fragments arrive, so the
  // record is held once, instead of in blocks and again joined.
  private recordBuffer (start: number): Buffer {
    return Buffer.allocUnsafeSlow(Math.min(MAX_RECORD_BUFFER_BYTES, Math.max(0, this.source.size() - start - HEADER_SIZE)))
  }

  // Copies the current fragment to record[used...], into a larger copy of record if it does not
  // fit (a file that grew after its size was taken); returns the buffer that holds it.
  private appendFragment (record: Buffer, used: number): Buffer {
    const end = used + this.fragmentEnd - this.fragmentStart
    if (end > record.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(end, record.length * 2))
      record.copy(grown, 0, 0, used)
      record = grown
    }
    this.block.copy(record, used, this.fragmentStart, this.fragmentEnd)
    return record
  }

  private skipToInitialBlock (): void {
    const offsetInBlock = this.initialOffset % BLOCK_SIZE
    let blockStart = this.initialOffset - offsetInBlock
    // A record cannot start in a block's trailer, so start at the next block.
    if (offsetInBlock > BLOCK_SIZE - 6) blockStart += BLOCK_SIZE
    this.endOfBufferOffset = blockStart
  }

  // Returns a record type with its payload in fragmentStart..fragmentEnd, or EOF / BAD_RECORD / SKIPPED.
  private readPhysicalRecord (): number {
    this.fragmentStart = this.fragmentEnd = 0
    while (true) {
      if (this.bufferEnd - this.bufferStart < HEADER_SIZE) {
        if (this.eof) {
          // A partial header at the end of the file is a torn write, not damage.
          this.bufferStart = this.bufferEnd = 0
          return EOF
        }
        // The previous block was read whole, so what is left is its trailer.
        this.readBlock()
        continue
      }

      const block = this.block
      const header = this.bufferStart
      const length = block[header + 4] | (block[header + 5] << 8)
      const type = block[header + 6]
      if (HEADER_SIZE + length > this.bufferEnd - header) {
        const dropSize = this.bufferEnd - header
        this.bufferStart = this.bufferEnd
        if (!this.eof) {
          this.reportCorruption(dropSize, 'bad record length')
          return BAD_RECORD
        }
        // The file ends inside this record: the writer died while writing it.
        return EOF
      }

      if (type === RecordType.Zero && length === 0) {
        // Preallocated, never written space. Nothing to report; with only zeros to the end of
        // the file the log ends here, and a fragmented record it cuts short was torn by a crash.
        const after = this.fileOffsetOf(header + HEADER_SIZE)
        this.bufferStart = this.bufferEnd
        return this.zerosToEnd(after) ? this.endHere() : BAD_RECORD
      }

      if (this.checksum) {
        const expected = unmask(getFixed32(block, header))
        const actual = crc32cOf(block.subarray(header + 6, header + HEADER_SIZE + length))
        if (actual !== expected) {
          // A record torn by a crash into reserved space: it is followed by nothing but zeros.
          if (this.zerosToEnd(this.fileOffsetOf(header + HEADER_SIZE + length))) return this.endHere()
          // The length may be what is damaged, so nothing after it in this block can be trusted.
          const dropSize = this.bufferEnd - header
          this.bufferStart = this.bufferEnd
          this.reportCorruption(dropSize, 'checksum mismatch')
          return BAD_RECORD
        }
      }

      this.bufferStart = header + HEADER_SIZE + length
      if (this.endOfBufferOffset - (this.bufferEnd - header) < this.initialOffset) return SKIPPED

      this.fragmentStart = header + HEADER_SIZE
      this.fragmentEnd = this.bufferStart
      return type
    }
  }

  // The file offset of position `at` in the current block.
  private fileOffsetOf (at: number): number {
    return this.endOfBufferOffset - this.block.length + at
  }

  // Whether the file holds nothing but zeros from `offset` to its end. Only read on damage or
  // reserved space, so it reads afresh rather than through the current block.
  private zerosToEnd (offset: number): boolean {
    while (true) {
      const piece = this.source.read(offset, BLOCK_SIZE)
      for (let i = 0; i < piece.length; i++) if (piece[i] !== 0) return false
      if (piece.length < BLOCK_SIZE) return true
      offset += piece.length
    }
  }

  private endHere (): number {
    this.eof = true
    this.bufferStart = this.bufferEnd = 0
    return EOF
  }

  private readBlock (): void {
    // A fresh buffer per block keeps records returned earlier intact.
    this.block = this.source.read(this.endOfBufferOffset, BLOCK_SIZE)
    this.bufferStart = 0
    this.bufferEnd = this.block.length
    this.endOfBufferOffset += this.block.length
    if (this.block.length < BLOCK_SIZE) this.eof = true
  }

  private reportCorruption (bytes: number, reason: string): void {
    // Damage entirely before initialOffset belongs to records the caller asked to skip.
    if (this.reporter !== undefined && this.endOfBufferOffset - (this.bufferEnd - this.bufferStart) - bytes >= this.initialOffset) {
      this.reporter(bytes, reason)
    }
  }
}
