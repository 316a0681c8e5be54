// A table's index block decoded once for point lookups: the separator keys laid end to end, each
// data block's handle as two numbers, and a number per key made of the key bytes just past the
// prefix the table's user keys share. A lookup then binary-searches numbers, compares bytes
// only where those are equal, parses no varints and allocates nothing.
//
// The prefix is that of every key but the last: a table writer shortens the last key to a short
// successor of the table's last user key (LevelDB's FindShortSuccessor turns "0000000000099998"
// into "1"), which shares no prefix with the others and would leave every window equal, every
// step of the search a byte comparison. The last key is compared in full instead.
//
// Invariants: keys[keyEnds[i - 1], keyEnds[i]) is entry i's key (keyEnds[-1] taken as 0), in the
// index block's order; every key but the last starts with keys[0, prefixLength); windows[i] is
// the big-endian value of key i's user-key bytes [prefixLength, prefixLength + WINDOW_BYTES),
// zero-padded; blockOffsets[i] < 0 marks a handle that would not decode.
import { getVarint, type Cursor } from '../format/coding'
import { compareByteSlices } from '../format/compare-bytes'
import { compareInternalKeySlices, TAG_SIZE } from '../format/internal-key'
import { corruption } from '../util/errors'
import type { Block } from './block'
import type { EntryRanges } from '../iterator/entry-ranges'

// Six bytes stay exact in a double.
const WINDOW_BYTES = 6

export class PointIndex {
  private constructor (
    private readonly keys: Buffer,
    private readonly keyEnds: Uint32Array,
    private readonly windows: Float64Array,
    private readonly blockOffsets: Float64Array,
    private readonly blockSizes: Float64Array,
    private readonly prefixLength: number
  ) {}

  // One pass over the index block, its keys copied end to end into one buffer that grows by
  // doubling: no Buffer per key, since a table decodes this on its first lookup, in the middle of
  // a read loop, and index blocks of big-valued tables hold thousands of keys.
  static decode (indexBlock: Block): PointIndex {
    const it = indexBlock.newIterator(compareInternalKeySlices)
    const entry: EntryRanges = { keyBytes: indexBlock.data, keyStart: 0, keyEnd: 0, valueBytes: indexBlock.data, valueStart: 0, valueEnd: 0 }
    // Index blocks restart at every entry (a table writer stores them so), so the restart count
    // is the entry count, and keys stored whole take less room than the block.
    let capacity = Math.max(1, indexBlock.numRestarts)
    let keys: Buffer = Buffer.allocUnsafeSlow(Math.max(64, indexBlock.size))
    let keyEnds = new Uint32Array(capacity)
    let offsets = new Float64Array(capacity)
    let sizes = new Float64Array(capacity)
    const cursor: Cursor = { offset: 0 }
    let keyBytes = 0
    let count = 0
    for (it.seekToFirst(); it.valid(); it.next()) {
      it.readEntry(entry)
      const keyLength = entry.keyEnd - entry.keyStart
      if (keyBytes + keyLength > keys.length) keys = grown(keys, keyBytes, Math.max(keyBytes + keyLength, 2 * keys.length))
      entry.keyBytes.copy(keys, keyBytes, entry.keyStart, entry.keyEnd)
      keyBytes += keyLength
      if (count === capacity) {
        capacity *= 2
        keyEnds = grownArray(keyEnds, new Uint32Array(capacity))
        offsets = grownArray(offsets, new Float64Array(capacity))
        sizes = grownArray(sizes, new Float64Array(capacity))
      }
      keyEnds[count] = keyBytes
      try {
        cursor.offset = entry.valueStart
        offsets[count] = getVarint(entry.valueBytes, cursor, entry.valueEnd)
        sizes[count] = getVarint(entry.valueBytes, cursor, entry.valueEnd)
      } catch {
        offsets[count] = -1
        sizes[count] = 0
      }
      count++
    }
    const ends = keyEnds.subarray(0, count)
    // Keys are sorted, so what the first and the last but one share, all keys before the last share.
    let prefixLength = 0
    if (count > 1) {
      const lastButOneStart = count > 2 ? ends[count - 3] : 0
      prefixLength = commonPrefixLength(keys, 0, ends[0] - TAG_SIZE, keys, lastButOneStart, ends[count - 2] - TAG_SIZE)
    }
    const windows = new Float64Array(count)
    for (let i = 0; i < count; i++) {
      const start = i === 0 ? 0 : ends[i - 1]
      windows[i] = windowOf(keys, start + prefixLength, ends[i] - TAG_SIZE)
    }
    return new PointIndex(keys.subarray(0, keyBytes), ends, windows, offsets.subarray(0, count), sizes.subarray(0, count), prefixLength)
  }

  get size (): number {
    return this.keyEnds.length
  }

  // The first entry whose key is >= target[0, targetEnd) (an internal key), or size if none is.
  // One binary search over every entry; the last key (which need not share the prefix, so its
  // window means nothing) is compared whole at the search's one comparison site. A separate path
  // for it, taken by few lookups, made V8 throw this function's optimised code away in a fresh
  // process the first time one took it.
  find (target: Uint8Array, targetEnd: number): number {
    const count = this.keyEnds.length
    if (count === 0) return 0
    const keys = this.keys
    const keyEnds = this.keyEnds
    const last = count - 1
    const prefixLength = this.prefixLength
    const userEnd = targetEnd - TAG_SIZE
    let lo = 0
    // Every key before the last starts with keys[0, prefixLength): a target that does not sorts
    // before all of them or after all of them.
    if (prefixLength > 0) {
      const r = compareByteSlices(target, 0, userEnd < prefixLength ? userEnd : prefixLength, keys, 0, prefixLength)
      if (r < 0) return 0
      if (r > 0) lo = last
    }
    const window = windowOf(target, prefixLength, userEnd)
    const windows = this.windows
    let hi = count
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const w = windows[mid]
      let before: boolean
      if (w !== window && mid !== last) {
        before = w < window
      } else {
        const start = mid === 0 ? 0 : keyEnds[mid - 1]
        before = compareInternalKeySlices(keys, start, keyEnds[mid], target, 0, targetEnd) < 0
      }
      if (before) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  blockOffset (index: number): number {
    const offset = this.blockOffsets[index]
    if (offset < 0) throw corruption('bad block handle in index block')
    return offset
  }

  blockSize (index: number): number {
    return this.blockSizes[index]
  }
}

function grown (bytes: Buffer, used: number, size: number): Buffer {
  const larger = Buffer.allocUnsafeSlow(size)
  bytes.copy(larger, 0, 0, used)
  return larger
}

function grownArray<T extends Uint32Array | Float64Array> (values: T, larger: T): T {
  larger.set(values)
  return larger
}

function commonPrefixLength (a: Uint8Array, aStart: number, aEnd: number, b: Uint8Array, bStart: number, bEnd: number): number {
  const n = Math.min(aEnd - aStart, bEnd - bStart)
  let i = 0
  while (i < n && a[aStart + i] === b[bStart + i]) i++
  return i
}

// bytes[start, start + WINDOW_BYTES) as a big-endian number, with the bytes at or past end read as 0.
function windowOf (bytes: Uint8Array, start: number, end: number): number {
  let value = 0
  for (let i = 0; i < WINDOW_BYTES; i++) {
    const at = start + i
    value = value * 256 + (at < end ? bytes[at] : 0)
  }
  return value
}
