// LevelDB's little-endian fixed-width and varint encodings. Sequence numbers and file
// sizes stay below 2^53, so plain numbers are used for 64-bit fields.
import { corruption } from '../util/errors'

const TWO_32 = 0x100000000
const SHORT_COPY = 32
// Up to this length a 4-byte word loop beats Buffer#copy (measured).
export const WORD_COPY = 256
// Level 0 stops taking flushes at 12 files, so a compaction merges at most 12 level-0 inputs
// with one level-1 input at a time.
const SOURCE_VIEW_SLOTS = 16

export function putFixed32 (buf: Buffer, offset: number, value: number): number {
  buf.writeUInt32LE(value >>> 0, offset)
  return offset + 4
}

export function getFixed32 (buf: Uint8Array, offset: number): number {
  return (buf[offset] | (buf[offset + 1] << 8) | (buf[offset + 2] << 16)) + buf[offset + 3] * 0x1000000
}

export function putFixed64 (buf: Buffer, offset: number, value: number): number {
  buf.writeUInt32LE(value % TWO_32, offset)
  buf.writeUInt32LE(Math.floor(value / TWO_32), offset + 4)
  return offset + 8
}

export function getFixed64 (buf: Uint8Array, offset: number): number {
  return getFixed32(buf, offset) + getFixed32(buf, offset + 4) * TWO_32
}

export function varintLength (value: number): number {
  let len = 1
  while (value >= 128) {
    value = Math.floor(value / 128)
    len++
  }
  return len
}

export function putVarint (buf: Uint8Array, offset: number, value: number): number {
  while (value >= 128) {
    buf[offset++] = (value & 127) | 128
    value = Math.floor(value / 128)
  }
  buf[offset++] = value
  return offset
}

// Decoded varints are returned through this shared cursor to avoid allocating per call.
export interface Cursor { offset: number }

export function getVarint (buf: Uint8Array, cursor: Cursor, limit: number = buf.length): number {
  let offset = cursor.offset
  let result = 0
  let multiplier = 1
  for (let shift = 0; shift <= 63; shift += 7) {
    if (offset >= limit) throw corruption('truncated varint')
    const byte = buf[offset++]
    result += (byte & 127) * multiplier
    if (byte < 128) {
      cursor.offset = offset
      return result
    }
    multiplier *= 128
  }
  throw corruption('varint too long')
}

// Length-prefixed slices, as used for keys in version edits and write batches.
export function getLengthPrefixed (buf: Buffer, cursor: Cursor, limit: number = buf.length): Buffer {
  const len = getVarint(buf, cursor, limit)
  const start = cursor.offset
  if (start + len > limit) throw corruption('truncated length-prefixed slice')
  cursor.offset = start + len
  return buf.subarray(start, start + len)
}

export function putLengthPrefixed (buf: Buffer, offset: number, data: Uint8Array): number {
  offset = putVarint(buf, offset, data.length)
  buf.set(data, offset)
  return offset + data.length
}

// Copies source[start, end) to target at `at`. Spans up to WORD_COPY bytes are copied in loops,
// in 4-byte words through the DataViews when the source's view is given (byte by byte otherwise):
// Buffer#copy and TypedArray#set cost more per call and create a view per call. Longer spans are
// copied natively.
export function copyRange (source: Uint8Array, sourceView: DataView | null, start: number, end: number, target: Uint8Array, targetView: DataView, at: number): void {
  if (end - start > WORD_COPY) {
    target.set(source.subarray(start, end), at)
    return
  }
  let i = start
  let o = at
  if (sourceView !== null) {
    for (; i + 4 <= end; i += 4, o += 4) targetView.setInt32(o, sourceView.getInt32(i, true), true)
  }
  for (; i < end; i++) target[o++] = source[i]
}

// A Uint32Array with room for at least count + 1 values: the same one, or a copy twice as long.
export function withRoomForOneMore (array: Uint32Array, count: number): Uint32Array {
  if (count < array.length) return array
  const grown = new Uint32Array(Math.max(1, array.length * 2))
  grown.set(array)
  return grown
}

// Growable byte sink for encoders whose output size is not known up front.
export class ByteWriter {
  private buf: Buffer
  private bufView: DataView
  // DataViews of the last sources copied from in 4-byte words. Values come from a few buffers
  // at a time (one batch; the current blocks of a compaction's inputs, which a merge of random
  // keys visits in turn), so views are reused instead of made per copy. Kept across reset(): a
  // block builder lives as long as its table and sees the same input blocks for many entries.
  private readonly sources: Array<Uint8Array | null> = new Array<Uint8Array | null>(SOURCE_VIEW_SLOTS).fill(null)
  private readonly sourceViews: Array<DataView | null> = new Array<DataView | null>(SOURCE_VIEW_SLOTS).fill(null)
  private nextSourceSlot = 0
  length = 0

  constructor (initialSize = 256) {
    this.buf = Buffer.allocUnsafe(initialSize)
    this.bufView = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length)
  }

  private ensure (extra: number): void {
    if (this.length + extra <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.length + extra) size *= 2
    const next = Buffer.allocUnsafe(size)
    this.buf.copy(next, 0, 0, this.length)
    this.buf = next
    this.bufView = new DataView(next.buffer, next.byteOffset, next.length)
  }

  byte (value: number): void {
    this.ensure(1)
    this.buf[this.length++] = value
  }

  fixed32 (value: number): void {
    this.ensure(4)
    this.length = putFixed32(this.buf, this.length, value)
  }

  fixed64 (value: number): void {
    this.ensure(8)
    this.length = putFixed64(this.buf, this.length, value)
  }

  varint (value: number): void {
    this.ensure(10)
    this.length = putVarint(this.buf, this.length, value)
  }

  // Appends data[start, end) (see copyRange); spans too short to repay a DataView go byte by byte.
  bytes (data: Uint8Array, start = 0, end = data.length): void {
    const n = end - start
    this.ensure(n)
    const wordCopy = n > SHORT_COPY && n <= WORD_COPY
    copyRange(data, wordCopy ? this.viewOf(data) : null, start, end, this.buf, this.bufView, this.length)
    this.length += n
  }

  // Appends n zero bytes and returns a view of them, valid until the next write.
  zeros (n: number): Buffer {
    const start = this.zerosAt(n)
    return this.buf.subarray(start, start + n)
  }

  // Appends n zero bytes and returns where they start in buffer(): no view is made, for a
  // caller that writes a few bytes per table block (a filter of one key is 9 bytes).
  zerosAt (n: number): number {
    this.ensure(n)
    const start = this.length
    const end = start + n
    const buf = this.buf
    if (n <= SHORT_COPY) {
      for (let i = start; i < end; i++) buf[i] = 0
    } else {
      buf.fill(0, start, end)
    }
    this.length = end
    return start
  }

  // The buffer written into, valid until the next write (which may replace it).
  buffer (): Buffer {
    return this.buf
  }

  lengthPrefixed (data: Uint8Array): void {
    this.varint(data.length)
    this.bytes(data)
  }

  reset (): void {
    this.length = 0
  }

  private viewOf (data: Uint8Array): DataView {
    const sources = this.sources
    for (let i = 0; i < sources.length; i++) {
      if (sources[i] === data) return this.sourceViews[i] as DataView
    }
    const slot = this.nextSourceSlot
    this.nextSourceSlot = (slot + 1) % sources.length
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
    sources[slot] = data
    this.sourceViews[slot] = view
    return view
  }

  // A view of the bytes written so far; valid until the next write or reset.
  view (): Buffer {
    return this.buf.subarray(0, this.length)
  }

  // An independent copy of the bytes written so far.
  toBuffer (): Buffer {
    return Buffer.from(this.view())
  }
}
