// Shortened index keys (LevelDB's FindShortestSeparator / FindShortSuccessor for the bytewise
// comparator, lifted to internal keys): smaller index blocks, same search results.
import { TAG_SIZE, VALUE_TYPE_FOR_SEEK } from '../format/internal-key'

// Tag of (kMaxSequenceNumber, kValueTypeForSeek), written as bytes: 2^56 - 1 is not a safe integer.
const SEEK_TAG_LOW = ((0xffffff << 8) | VALUE_TYPE_FOR_SEEK) >>> 0
const SEEK_TAG_HIGH = 0xffffffff

// Returns an internal key k with start <= k < limit, shorter than start when possible.
export function shortestSeparator (start: Buffer, limit: Buffer): Buffer {
  const userStart = start.subarray(0, start.length - TAG_SIZE)
  const userLimit = limit.subarray(0, limit.length - TAG_SIZE)
  const minLength = Math.min(userStart.length, userLimit.length)
  let diff = 0
  while (diff < minLength && userStart[diff] === userLimit[diff]) diff++
  // Not shortened if one user key is a prefix of the other.
  if (diff >= minLength) return start
  const diffByte = userStart[diff]
  if (diffByte === 0xff || diffByte + 1 >= userLimit[diff]) return start
  if (diff + 1 >= userStart.length) return start
  return withSeekTag(userStart, diff, diffByte + 1)
}

// Returns an internal key k >= key, shorter than key when possible.
export function shortSuccessor (key: Buffer): Buffer {
  const userKey = key.subarray(0, key.length - TAG_SIZE)
  for (let i = 0; i < userKey.length; i++) {
    if (userKey[i] !== 0xff) {
      if (i + 1 >= userKey.length) return key
      return withSeekTag(userKey, i, userKey[i] + 1)
    }
  }
  return key
}

// userKey[0..index) + lastByte, followed by the tag sorting first among equal user keys.
function withSeekTag (userKey: Buffer, index: number, lastByte: number): Buffer {
  const out = Buffer.allocUnsafe(index + 1 + TAG_SIZE)
  userKey.copy(out, 0, 0, index)
  out[index] = lastByte
  out.writeUInt32LE(SEEK_TAG_LOW, index + 1)
  out.writeUInt32LE(SEEK_TAG_HIGH, index + 5)
  return out
}
