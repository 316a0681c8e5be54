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

  static decode (indexBlock: Block): PointIndex {
    const it = indexBlock.newIterator(compareInternalKeySlices)
    const entry: EntryRanges = { keyBytes: indexBlock.data, keyStart: 0, keyEnd: 0, valueBytes: indexBlock.data, valueStart: 0, valueEnd: 0 }
    const keyChunks: Buffer[] = []
    const keyEnds: number[] = []
    const offsets: number[] = []
    const sizes: number[] = []
    const cursor: Cursor = { offset: 0 }
    let keyBytes = 0
    for (it.seekToFirst(); it.valid(); it.next()) {
      it.readEntry(entry)
      keyChunks.push(Buffer.from(entry.keyBytes.subarray(entry.keyStart, entry.keyEnd)))
      keyBytes += entry.keyEnd - entry.keyStart
      keyEnds.push(keyBytes)
      try {
        cursor.offset = entry.valueStart
        offsets.push(getVarint(entry.valueBytes, cursor, entry.valueEnd))
        sizes.push(getVarint(entry.valueBytes, cursor, entry.valueEnd))
      } catch {
        offsets.push(-1)
        sizes.push(0)
      }
    }
    const keys = Buffer.concat(keyChunks, keyBytes)
    const ends = Uint32Array.from(keyEnds)
    const count = ends.length
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
    return new PointIndex(keys, ends, windows, Float64Array.from(offsets), Float64Array.from(sizes), prefixLength)
  }

  get size (): number {
    return this.keyEnds.length
  }

  // The first entry whose key is >= target[0, targetEnd) (an internal key), or size if none is.
  find (target: Uint8Array, targetEnd: number): number {
    const count = this.keyEnds.length
    if (count === 0) return 0
    const keys = this.keys
    const keyEnds = this.keyEnds
    const last = count - 1
    const prefixLength = this.prefixLength
    const userEnd = targetEnd - TAG_SIZE
    // Every key before the last starts with keys[0, prefixLength): a target that does not sorts
    // before all of them or after all of them.
    if (prefixLength > 0) {
      const r = compareByteSlices(target, 0, userEnd < prefixLength ? userEnd : prefixLength, keys, 0, prefixLength)
      if (r < 0) return 0
      if (r > 0) return this.lastIfAtLeast(target, targetEnd)
    }
    const window = windowOf(target, prefixLength, userEnd)
    const windows = this.windows
    let lo = 0
    let hi = last
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const w = windows[mid]
      let before: boolean
      if (w !== window) {
        before = w < window
      } else {
        const start = mid === 0 ? 0 : keyEnds[mid - 1]
        before = compareInternalKeySlices(keys, start, keyEnds[mid], target, 0, targetEnd) < 0
      }
      if (before) lo = mid + 1
      else hi = mid
    }
    return lo < last ? lo : this.lastIfAtLeast(target, targetEnd)
  }

  // For a target after every key but the last: the last entry if its key is >= target, else size.
  private lastIfAtLeast (target: Uint8Array, targetEnd: number): number {
    const last = this.keyEnds.length - 1
    const start = last === 0 ? 0 : this.keyEnds[last - 1]
    return compareInternalKeySlices(this.keys, start, this.keyEnds[last], target, 0, targetEnd) < 0 ? last + 1 : last
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
