// A batch of updates in LevelDB's WriteBatch encoding, which is also the payload of a log record:
//   sequence: fixed64, count: fixed32, then count records of
//   ValueType.Value varstring(key) varstring(value) | ValueType.Deletion varstring(key)
import { getFixed32, getFixed64, getVarint, putFixed32, putFixed64, putVarint, varintLength, type Cursor } from './coding'
import { ValueType } from './internal-key'
import { corruption } from '../util/errors'

export const WRITE_BATCH_HEADER_SIZE = 12
// The longest varint32: a key's or value's length prefix.
const MAX_VARINT32_BYTES = 5

const INITIAL_CAPACITY = 128
const EMPTY = Buffer.alloc(0)

// A key or value: bytes, or a string, which the batch holds as its UTF-8 encoding (the bytes
// Buffer.from(string, 'utf8') makes, a lone surrogate becoming U+FFFD), written straight into
// the batch's buffer instead of through a Buffer of its own.
export type BatchData = Uint8Array | string

// Node's Buffer methods that write a string at an offset with no argument checks; the public
// buf.write(string, offset, length, encoding) normalises its arguments first, at several times
// the cost for a short string.
interface StringWriting {
  latin1Write: (string: string, offset: number, length: number) => number
  utf8Write: (string: string, offset: number, length: number) => number
}

// Bytes data takes in a batch.
export function byteLengthOf (data: BatchData): number {
  return typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : data.byteLength
}

// Bytes data takes in a batch at most, without measuring a string: UTF-8 takes at most 3 bytes
// per UTF-16 unit. A batch with this much room writes a string unmeasured (see writeField), at
// half the cost of Buffer.byteLength and then the write for a 4 KiB string.
export function mostByteLengthOf (data: BatchData): number {
  return typeof data === 'string' ? 3 * data.length : data.byteLength
}

export type WriteBatchHandler = (type: ValueType, key: Buffer, value: Buffer, index: number) => void
// Keys and values as byte ranges, so a caller that copies or keeps them needs no view objects:
// keys in the batch's own buffer `rep`, values in `values`, which is rep but for an external
// value (see putExternal).
export type WriteBatchRangeHandler = (type: ValueType, rep: Buffer, keyStart: number, keyEnd: number, valueStart: number, valueEnd: number, index: number, values: Uint8Array) => void

// A place in a batch's records: a byte offset and the number of records before it.
export interface WriteBatchPosition {
  offset: number
  index: number
}

export class WriteBatch {
  private rep: Buffer
  private size: number
  private entries: number
  // The value of the last record, when held by reference (see putExternal).
  private external: Uint8Array | null = null

  // expectedBytes (see encodedSize) sizes the buffer once, sparing the copies and garbage of growth.
  // Given `buffer` (at least a header long), the batch writes into it until it outgrows it.
  constructor (expectedBytes = INITIAL_CAPACITY, buffer: Buffer = Buffer.allocUnsafe(Math.max(expectedBytes, WRITE_BATCH_HEADER_SIZE))) {
    this.rep = buffer
    clearHeader(buffer)
    this.size = WRITE_BATCH_HEADER_SIZE
    this.entries = 0
  }

  // Bytes a batch takes for updates with these key and value lengths (a deletion has no value),
  // to be summed over the updates and added to WRITE_BATCH_HEADER_SIZE.
  static encodedSize (keyLength: number, valueLength?: number): number {
    const key = 1 + varintLength(keyLength) + keyLength
    return valueLength === undefined ? key : key + varintLength(valueLength) + valueLength
  }

  // An empty batch that writes into `buffer` until it outgrows it.
  static over (buffer: Buffer): WriteBatch {
    return new WriteBatch(buffer.length, buffer)
  }

  // Wraps an encoded batch (a log record) without copying; the batch takes ownership of buf.
  static fromContents (buf: Buffer): WriteBatch {
    if (buf.length < WRITE_BATCH_HEADER_SIZE) throw corruption('malformed WriteBatch (too small)')
    const batch = new WriteBatch()
    batch.rep = buf
    batch.size = buf.length
    batch.entries = getFixed32(buf, 8)
    return batch
  }

  get sequence (): number {
    return getFixed64(this.rep, 0)
  }

  set sequence (value: number) {
    putFixed64(this.rep, 0, value)
  }

  count (): number {
    return this.entries
  }

  // The buffer the records are in: the one given to over() unless the batch outgrew it.
  get buffer (): Buffer {
    return this.rep
  }

  // Encoded size: what this batch adds to the log.
  byteSize (): number {
    return this.size + (this.external?.byteLength ?? 0)
  }

  // A caller that has measured key and value (byteLengthOf) passes their lengths; a string whose
  // length is not given is measured as it is written (see writeField).
  put (key: BatchData, value: BatchData, keyLength = -1, valueLength = -1): void {
    this.ensure(1)
    this.rep[this.size++] = ValueType.Value
    this.writeField(key, keyLength)
    this.writeField(value, valueLength)
    this.entries++
  }

  // As put, for a value too large to copy cheaply: the batch refers to it instead, so it must not
  // change until the batch's write settles. It is the batch's last record; contents() then ends
  // with the value's length, and externalValue holds the value's bytes, which follow in the log.
  putExternal (key: BatchData, value: Uint8Array, keyLength = -1): void {
    this.ensure(1)
    this.rep[this.size++] = ValueType.Value
    this.writeField(key, keyLength)
    this.ensure(MAX_VARINT32_BYTES)
    this.size = putVarint(this.rep, this.size, value.byteLength)
    this.entries++
    this.external = value
  }

  // The value putExternal was given, or null.
  get externalValue (): Uint8Array | null {
    return this.external
  }

  del (key: BatchData, keyLength = -1): void {
    this.ensure(1)
    this.rep[this.size++] = ValueType.Deletion
    this.writeField(key, keyLength)
    this.entries++
  }

  // Appends data, length-prefixed; length is its byte length, or -1 if not measured yet. An
  // unmeasured string is written where its length would end if it were ASCII, then its length
  // is written before it (moving it in the rare case that needs a longer varint): one pass over
  // the string instead of Buffer.byteLength's and then the write's, about a tenth of the cost of
  // a 100-byte utf8 put. UTF-8 takes at most 3 bytes per UTF-16 unit, so with that much room the
  // string is written whole; without it, it is measured first.
  private writeField (data: BatchData, length: number): void {
    if (typeof data === 'string' && length < 0) {
      const units = data.length
      const rep = this.rep
      const prefix = varintLength(units)
      const start = this.size + prefix
      if (rep.length - start >= 3 * units) {
        const written = (rep as Buffer & StringWriting).utf8Write(data, start, 3 * units)
        const writtenPrefix = varintLength(written)
        if (writtenPrefix !== prefix) rep.copyWithin(this.size + writtenPrefix, start, start + written)
        this.size = putVarint(rep, this.size, written) + written
        return
      }
      length = Buffer.byteLength(data, 'utf8')
    } else if (length < 0) {
      length = (data as Uint8Array).byteLength
    }
    // Exactly what encodedSize counted: a batch sized by it never outgrows its buffer here.
    this.ensure(varintLength(length) + length)
    const offset = putVarint(this.rep, this.size, length)
    writeData(this.rep, offset, data, length)
    this.size = offset + length
  }

  // Bytes left in the buffer before the batch must outgrow it.
  get spareBytes (): number {
    return this.rep.length - this.size
  }

  // Empties the batch and resets its sequence to 0, keeping the allocated buffer.
  clear (): void {
    this.external = null
    clearHeader(this.rep)
    this.size = WRITE_BATCH_HEADER_SIZE
    this.entries = 0
  }

  // Adds other's records after this batch's, for group commit. The sequence stays this batch's.
  append (other: WriteBatch): void {
    if (other.external !== null) throw new Error('WriteBatch: a batch with an external value cannot be appended')
    const records = other.size - WRITE_BATCH_HEADER_SIZE
    this.ensure(records)
    other.rep.copy(this.rep, this.size, WRITE_BATCH_HEADER_SIZE, other.size)
    this.size += records
    this.entries += other.entries
  }

  // The encoded batch as a view, valid until the batch is next modified.
  contents (): Buffer {
    // The count is only written here, sparing every put() a header update.
    putFixed32(this.rep, 8, this.entries)
    return this.rep.subarray(0, this.size)
  }

  // Calls handler for each record in order. Keys and values are views into the batch.
  // Damage is only found when reached, so handler may already have seen earlier records.
  forEach (handler: WriteBatchHandler): void {
    this.forEachRange((type, rep, keyStart, keyEnd, valueStart, valueEnd, index, values) => {
      handler(type, rep.subarray(keyStart, keyEnd), type === ValueType.Value ? asBuffer(values).subarray(valueStart, valueEnd) : EMPTY, index)
    })
  }

  // As forEach, with byte ranges of the batch's buffer; a deletion's value range is empty.
  forEachRange (handler: WriteBatchRangeHandler): void {
    const position = this.start()
    this.forEachRangeFrom(position, Infinity, handler)
    if (position.index !== this.entries) throw corruption('WriteBatch has wrong count')
  }

  // Where forEachRangeFrom starts reading: the first record.
  start (): WriteBatchPosition {
    return { offset: WRITE_BATCH_HEADER_SIZE, index: 0 }
  }

  // As forEachRange, for at most maxRecords records from `position`, which it advances; returns
  // true once every record has been read. Lets a large batch be handled in parts.
  forEachRangeFrom (position: WriteBatchPosition, maxRecords: number, handler: WriteBatchRangeHandler): boolean {
    const rep = this.rep
    const limit = this.size
    const cursor: Cursor = { offset: position.offset }
    let index = position.index
    const stop = index + maxRecords
    while (cursor.offset < limit && index < stop) {
      const type = rep[cursor.offset++]
      if (type === ValueType.Value) {
        const keyStart = readSliceStart(rep, cursor, limit, 'bad WriteBatch Put')
        const keyEnd = cursor.offset
        if (this.external !== null && isExternalValueAt(rep, cursor.offset, limit)) {
          cursor.offset = limit
          handler(ValueType.Value, rep, keyStart, keyEnd, 0, this.external.byteLength, index++, this.external)
        } else {
          const valueStart = readSliceStart(rep, cursor, limit, 'bad WriteBatch Put')
          handler(ValueType.Value, rep, keyStart, keyEnd, valueStart, cursor.offset, index++, rep)
        }
      } else if (type === ValueType.Deletion) {
        const keyStart = readSliceStart(rep, cursor, limit, 'bad WriteBatch Delete')
        handler(ValueType.Deletion, rep, keyStart, cursor.offset, cursor.offset, cursor.offset, index++, rep)
      } else {
        throw corruption('unknown WriteBatch tag')
      }
    }
    position.offset = cursor.offset
    position.index = index
    return cursor.offset >= limit
  }

  private ensure (extra: number): void {
    if (this.external !== null) throw new Error('WriteBatch: no record may follow an external value')
    const needed = this.size + extra
    if (needed <= this.rep.length) return
    let capacity = Math.max(this.rep.length * 2, INITIAL_CAPACITY)
    while (capacity < needed) capacity *= 2
    const next = Buffer.allocUnsafe(capacity)
    this.rep.copy(next, 0, 0, this.size)
    this.rep = next
  }
}

// Zeroes sequence and count. A loop: fill() is a call into the runtime, a cost on every small put.
function clearHeader (rep: Buffer): void {
  for (let i = 0; i < WRITE_BATCH_HEADER_SIZE; i++) rep[i] = 0
}

// Writes data, byteLengthOf(data) === length bytes long, at rep[offset].
function writeData (rep: Buffer, offset: number, data: BatchData, length: number): void {
  if (typeof data !== 'string') rep.set(data, offset)
  // Only an ASCII string is as long in UTF-8 as in UTF-16 units; latin1 writes it byte for byte.
  else if (length === data.length) (rep as Buffer & StringWriting).latin1Write(data, offset, length)
  else (rep as Buffer & StringWriting).utf8Write(data, offset, length)
}

// True when the value length at rep[offset] is all that is left of the batch: the last record
// of a batch whose value is external.
function isExternalValueAt (rep: Buffer, offset: number, limit: number): boolean {
  const cursor: Cursor = { offset }
  getVarint(rep, cursor, limit)
  return cursor.offset === limit
}

function asBuffer (bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

// Reads a length-prefixed slice, leaving the cursor at its end; returns where it starts.
function readSliceStart (rep: Buffer, cursor: Cursor, limit: number, reason: string): number {
  const length = getVarint(rep, cursor, limit)
  const start = cursor.offset
  if (length > limit - start) throw corruption(reason)
  cursor.offset = start + length
  return start
}
