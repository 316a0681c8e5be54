// Shortened index keys (LevelDB's FindShortestSeparator / FindShortSuccessor for the bytewise
// comparator, lifted to internal keys): smaller index blocks, same search results. Both write
// into a KeyBuffer the table builder reuses, so an index entry costs no allocation.
import { TAG_SIZE, VALUE_TYPE_FOR_SEEK } from '../format/internal-key'
import type { KeyBuffer } from '../format/key-buffer'

// Tag of (kMaxSequenceNumber, kValueTypeForSeek) as stored, little-endian ((2^56 - 1) << 8 | type):
// the type byte, then seven 0xff bytes. Written as bytes: 2^56 - 1 is not a safe integer.

// Sets `out` to an internal key k with start <= k < limit[limitStart, limitEnd), shorter than
// start when possible.
export function shortestSeparatorInto (out: KeyBuffer, start: KeyBuffer, limit: Uint8Array, limitStart: number, limitEnd: number): void {
  const startBytes = start.bytes
  const userStartLength = start.length - TAG_SIZE
  const minLength = Math.min(userStartLength, limitEnd - limitStart - TAG_SIZE)
  let diff = 0
  while (diff < minLength && startBytes[diff] === limit[limitStart + diff]) diff++
  // Not shortened if one user key is a prefix of the other.
  const diffByte = startBytes[diff]
  if (diff >= minLength || diffByte === 0xff || diffByte + 1 >= limit[limitStart + diff] || diff + 1 >= userStartLength) {
    out.set(startBytes, 0, start.length)
    return
  }
  withSeekTag(out, start, diff, diffByte + 1)
}

// Sets `out` to an internal key k >= key, shorter than key when possible.
export function shortSuccessorInto (out: KeyBuffer, key: KeyBuffer): void {
  const bytes = key.bytes
  const userKeyLength = key.length - TAG_SIZE
  for (let i = 0; i < userKeyLength; i++) {
    if (bytes[i] !== 0xff) {
      if (i + 1 >= userKeyLength) break
      withSeekTag(out, key, i, bytes[i] + 1)
      return
    }
  }
  out.set(bytes, 0, key.length)
}

// out = key's user key [0, index) + lastByte, followed by the tag sorting first among equal user
// keys. key is longer than index + 1 + TAG_SIZE bytes, so copying that much of it sizes out.
function withSeekTag (out: KeyBuffer, key: KeyBuffer, index: number, lastByte: number): void {
  out.set(key.bytes, 0, index + 1 + TAG_SIZE)
  const bytes = out.bytes
  bytes[index] = lastByte
  bytes[index + 1] = VALUE_TYPE_FOR_SEEK
  for (let i = index + 2; i < index + 1 + TAG_SIZE; i++) bytes[i] = 0xff
}
