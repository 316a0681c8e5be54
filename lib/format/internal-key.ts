// Internal keys: user key followed by an 8-byte little-endian tag (sequence << 8 | type).
// Ordered by user key ascending, then sequence descending, then type descending.
import { corruption } from '../util/errors'
import { compareByteSlices, compareBytes } from './compare-bytes'

export const enum ValueType {
  Deletion = 0,
  Value = 1
}

// Seeks use the highest type so that a seek key sorts before every entry of the same sequence.
export const VALUE_TYPE_FOR_SEEK = ValueType.Value
export const MAX_SEQUENCE = 2 ** 56 - 1
export const TAG_SIZE = 8

const TWO_24 = 0x1000000

export function makeInternalKey (userKey: Uint8Array, sequence: number, type: ValueType): Buffer {
  const buf = Buffer.allocUnsafe(userKey.length + TAG_SIZE)
  buf.set(userKey, 0)
  writeTag(buf, userKey.length, sequence, type)
  return buf
}

// Writes sequence << 8 | type without leaving float-safe integer range. Byte stores rather than
// writeUInt32LE, whose argument checks cost more than the stores on every point lookup (each
// writes its lookup key's tag); callers always pass an offset with TAG_SIZE bytes of room.
export function writeTag (buf: Buffer, offset: number, sequence: number, type: ValueType): void {
  // MAX_SEQUENCE is not exact as a double, so it is written as the all-ones pattern it stands for.
  const max = sequence >= MAX_SEQUENCE
  const low24 = max ? TWO_24 - 1 : sequence % TWO_24
  const high32 = max ? 0xffffffff : Math.floor(sequence / TWO_24)
  const low32 = (low24 << 8) | type
  buf[offset] = low32
  buf[offset + 1] = low32 >>> 8
  buf[offset + 2] = low32 >>> 16
  buf[offset + 3] = low32 >>> 24
  buf[offset + 4] = high32
  buf[offset + 5] = high32 >>> 8
  buf[offset + 6] = high32 >>> 16
  buf[offset + 7] = high32 >>> 24
}

export function extractUserKey (internalKey: Buffer): Buffer {
  return internalKey.subarray(0, internalKey.length - TAG_SIZE)
}

export function sequenceOf (internalKey: Uint8Array): number {
  return sequenceAt(internalKey, internalKey.length - TAG_SIZE)
}

// The sequence of the tag stored at bytes[tagOffset, tagOffset + 8).
export function sequenceAt (bytes: Uint8Array, tagOffset: number): number {
  const off = tagOffset
  const low = (bytes[off] | (bytes[off + 1] << 8) | (bytes[off + 2] << 16)) + bytes[off + 3] * TWO_24
  const high = (bytes[off + 4] | (bytes[off + 5] << 8) | (bytes[off + 6] << 16)) + bytes[off + 7] * TWO_24
  return Math.floor(low / 256) + high * TWO_24
}

export function typeOf (internalKey: Uint8Array): ValueType {
  return internalKey[internalKey.length - TAG_SIZE] as ValueType
}

export interface ParsedInternalKey {
  userKey: Buffer
  sequence: number
  type: ValueType
}

export function parseInternalKey (internalKey: Buffer): ParsedInternalKey {
  const type = checkedTypeAt(internalKey, 0, internalKey.length)
  return { userKey: extractUserKey(internalKey), sequence: sequenceOf(internalKey), type }
}

// The type of the internal key bytes[start, end), checked: a key too short to hold a tag, or
// with a type LevelDB does not define, is corruption.
export function checkedTypeAt (bytes: Uint8Array, start: number, end: number): ValueType {
  if (end - start < TAG_SIZE) throw corruption('internal key too short')
  const type = bytes[end - TAG_SIZE]
  if (type !== ValueType.Deletion && type !== ValueType.Value) throw corruption('unknown value type in internal key')
  return type
}

export function compareUserKeys (a: Uint8Array, b: Uint8Array): number {
  return compareBytes(a, a.length, b, b.length)
}

// Orders keys held in parts of larger buffers, so block searches need not create views.
export type SliceComparator = (a: Uint8Array, aStart: number, aEnd: number, b: Uint8Array, bStart: number, bEnd: number) => number

export const compareBytewiseSlices: SliceComparator = compareByteSlices

export const compareInternalKeySlices: SliceComparator = (a, aStart, aEnd, b, bStart, bEnd) => {
  const r = compareByteSlices(a, aStart, aEnd - TAG_SIZE, b, bStart, bEnd - TAG_SIZE)
  if (r !== 0) return r
  // Higher tag sorts first: compare the little-endian tags from their most significant byte.
  for (let i = 1; i <= TAG_SIZE; i++) {
    const d = b[bEnd - i] - a[aEnd - i]
    if (d !== 0) return d
  }
  return 0
}

export function compareInternalKeys (a: Uint8Array, b: Uint8Array): number {
  return compareInternalKeySlices(a, 0, a.length, b, 0, b.length)
}

export const INTERNAL_KEY_COMPARATOR_NAME = 'leveldb.BytewiseComparator'
