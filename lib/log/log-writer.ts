import type { WritableFile } from '../env/env'
import { ByteWriter } from '../format/coding'
import { crc32cOf, mask } from '../format/crc32c'
import { BLOCK_SIZE, HEADER_SIZE, MAX_RECORD_TYPE, RecordType } from './log-format'

// The crc of each record starts from the crc of its type byte; precomputing those seeds
// lets every record be checksummed with a single pass over its payload.
const TYPE_CRC_SEEDS: readonly number[] = Array.from({ length: MAX_RECORD_TYPE + 1 }, (_, type) => crc32cOf(Uint8Array.of(type)))

const BLOCK_TRAILER = Buffer.alloc(HEADER_SIZE - 1)
const EMPTY = new Uint8Array(0)
// addRecordAsync writes a large record this many bytes (and at most one fragment more) at a
// time: assembling all of it first would hold a second copy of a value of tens of MB, and the
// assembly buffer, kept for the next record, would stay that large for the life of the database.
const ASYNC_WRITE_CHUNK = 1024 * 1024

// How far a record has been laid out: the next byte of payload + tail, and whether a fragment
// of it has been emitted yet (a record may start with an empty FIRST fragment).
interface LayOutProgress {
  offset: number
  begun: boolean
}

export class LogWriter {
  private blockOffset: number
  private fileLength: number
  // Reused for every header: WritableFile.append copies (or writes) the bytes before returning.
  private readonly header = Buffer.allocUnsafe(HEADER_SIZE)
  private readonly appendToFile = (piece: Uint8Array): void => this.file.append(piece)
  private readonly appendToAssembly = (piece: Uint8Array): void => this.assembly.bytes(piece)

  // initialLength continues an existing log so that block boundaries stay where readers expect them.
  // addRecordAsync assembles each record in `assembly`, for a single write: a writer of one log
  // after another passes the same one to each, so it grows to the largest record once rather than
  // once per log (each growth leaves garbage the size of a record).
  constructor (private readonly file: WritableFile, initialLength = 0, private readonly assembly = new ByteWriter()) {
    this.fileLength = initialLength
    this.blockOffset = initialLength % BLOCK_SIZE
  }

  // Bytes in the file, including those appended by earlier writers when continuing a log.
  get length (): number {
    return this.fileLength
  }

  // Appends one logical record, payload followed by tail, and hands it to the OS, so it survives
  // a process crash. A tail lets a large value be logged from where it lies, without first
  // being copied behind the rest of its batch.
  addRecord (payload: Uint8Array, tail: Uint8Array = EMPTY): void {
    this.layOut(payload, tail, this.appendToFile, { offset: 0, begun: false }, Infinity)
    this.file.flush()
  }

  // As addRecord, with the writes made off the calling thread (see WritableFile.appendAsync), a
  // chunk of the record at a time. No other record may be added, here or to a writer sharing the
  // assembly buffer, until the promise settles.
  async addRecordAsync (payload: Uint8Array, tail: Uint8Array = EMPTY): Promise<void> {
    const record = this.assembly
    const length = payload.length + tail.length
    const progress: LayOutProgress = { offset: 0, begun: false }
    do {
      record.reset()
      this.layOut(payload, tail, this.appendToAssembly, progress, ASYNC_WRITE_CHUNK)
      await this.file.appendAsync(record.view())
    } while (progress.offset < length)
  }

  // Cuts the record, from `progress` on, into physical records (header and fragment) and block
  // padding, handed to `put` in file order, until the record ends or at least `budget` bytes
  // have been put; advances `progress`. A fragment may span the end of payload and the start of tail.
  private layOut (payload: Uint8Array, tail: Uint8Array, put: (piece: Uint8Array) => void, progress: LayOutProgress, budget: number): void {
    let offset = progress.offset
    const length = payload.length + tail.length
    let left = length - offset
    let begin = !progress.begun
    const startLength = this.fileLength
    // An empty payload still produces one (empty) FULL record.
    do {
      const leftover = BLOCK_SIZE - this.blockOffset
      if (leftover < HEADER_SIZE) {
        // No header fits: pad the block so the reader can skip the tail.
        if (leftover > 0) this.emit(BLOCK_TRAILER.subarray(0, leftover), put)
        this.blockOffset = 0
      }
      const available = BLOCK_SIZE - this.blockOffset - HEADER_SIZE
      const fragmentLength = left < available ? left : available
      const end = fragmentLength === left
      const type = begin
        ? (end ? RecordType.Full : RecordType.First)
        : (end ? RecordType.Last : RecordType.Middle)
      const fragmentEnd = offset + fragmentLength
      // The common unfragmented case needs no views.
      if (fragmentEnd <= payload.length) {
        this.emitPhysicalRecord(type, fragmentLength === payload.length ? payload : payload.subarray(offset, fragmentEnd), EMPTY, put)
      } else if (offset >= payload.length) {
        this.emitPhysicalRecord(type, tail.subarray(offset - payload.length, fragmentEnd - payload.length), EMPTY, put)
      } else {
        this.emitPhysicalRecord(type, payload.subarray(offset), tail.subarray(0, fragmentEnd - payload.length), put)
      }
      offset = fragmentEnd
      left -= fragmentLength
      begin = false
    } while (left > 0 && this.fileLength - startLength < budget)
    progress.offset = offset
    progress.begun = true
  }

  // One physical record whose fragment is first followed by second.
  private emitPhysicalRecord (type: RecordType, first: Uint8Array, second: Uint8Array, put: (piece: Uint8Array) => void): void {
    const header = this.header
    const length = first.length + second.length
    let crc = crc32cOf(first, TYPE_CRC_SEEDS[type])
    if (second.length > 0) crc = crc32cOf(second, crc)
    header.writeUInt32LE(mask(crc), 0)
    header[4] = length & 0xff
    header[5] = length >>> 8
    header[6] = type
    this.emit(header, put)
    this.emit(first, put)
    if (second.length > 0) this.emit(second, put)
  }

  private emit (data: Uint8Array, put: (piece: Uint8Array) => void): void {
    put(data)
    this.fileLength += data.length
    this.blockOffset += data.length
  }

  // Zero-fills the file to `bytes` past the records written so far, if the file can (see
  // WritableFile.reserve): readers take zeros as preallocated space, not as records or damage
  // (RecordType.Zero; LevelDB's reader does the same).
  reserve (bytes: number): void {
    this.file.reserve?.(this.fileLength + bytes)
  }

  sync (): void {
    this.file.sync()
  }

  syncAsync (): Promise<void> {
    return this.file.syncAsync()
  }

  close (): void {
    this.file.close()
  }
}
