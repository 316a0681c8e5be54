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
// The search starts from a bucket of windows rather than from the whole index: the span of the
// windows of the keys before the last is cut into as many equal buckets as there are such keys,
// and bucketStarts says which entries each bucket holds. Keys spread evenly over their range (the
// bench's decimal keys, hashes, random ids, timestamps) put about one entry in each bucket, so a
// lookup compares one or two keys instead of log2(entries) (10 for a table of 100-byte values);
// keys bunched together leave a bucket the search of those entries, never more than a plain
// binary search over them all and one array read.
//
// Invariants: keys[keyEnds[i - 1], keyEnds[i]) is entry i's key (keyEnds[-1] taken as 0), in the
// index block's order; every key but the last starts with keys[0, prefixLength); windows[i] is
// the big-endian value of key i's user-key bytes [prefixLength, prefixLength + WINDOW_BYTES),
// zero-padded; blockOffsets[i] < 0 marks a handle that would not decode. For the keys before the
// last (entries [0, size - 1)), windows never decrease, bucketOf(windows[i]) never decreases with
// i, and bucketStarts[b] is the first such entry whose bucket is >= b (size - 1 if none is).
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
    private readonly prefixLength: number,
    private readonly bucketStarts: Uint32Array,
    // Bucket b holds the windows w with floor((w - lowestWindow) * bucketScale) === b, the last
    // bucket also those the product rounds up past it.
    private readonly lowestWindow: number,
    private readonly bucketScale: number
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
    // The keys before the last, whose windows the buckets spread over.
    const spread = Math.max(count - 1, 0)
    const buckets = Math.max(spread, 1)
    const lowestWindow = spread > 0 ? windows[0] : 0
    const bucketScale = spread > 0 ? buckets / (windows[spread - 1] - lowestWindow + 1) : 0
    const bucketStarts = new Uint32Array(buckets + 1)
    let first = 0
    for (let b = 0; b <= buckets; b++) {
      while (first < spread && bucketOf(windows[first], lowestWindow, bucketScale, buckets) < b) first++
      bucketStarts[b] = first
    }
    return new PointIndex(keys.subarray(0, keyBytes), ends, windows, offsets.subarray(0, count), sizes.subarray(0, count), prefixLength, bucketStarts, lowestWindow, bucketScale)
  }

  get size (): number {
    return this.keyEnds.length
  }

  // The first entry whose key is >= target[0, targetEnd) (an internal key), or size if none is.
  // One binary search over the entries of the target's bucket; the last key (which need not share the prefix, so its
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
    const window = windowOf(target, prefixLength, userEnd)
    let lo: number
    let hi: number
    // Every key before the last starts with keys[0, prefixLength): a target that does not sorts
    // before all of them or after all of them.
    const r = prefixLength > 0 ? compareByteSlices(target, 0, userEnd < prefixLength ? userEnd : prefixLength, keys, 0, prefixLength) : 0
    if (r < 0) return 0
    if (r > 0) {
      lo = last
      hi = count
    } else {
      // Entries of lower buckets have lower windows, so sort before the target; those of higher
      // buckets sort after it, the first of them (or the last entry, whose window means nothing,
      // or none) being the answer when no entry of the target's bucket is.
      const bucketStarts = this.bucketStarts
      const bucket = bucketOf(window, this.lowestWindow, this.bucketScale, bucketStarts.length - 1)
      lo = bucketStarts[bucket]
      hi = bucketStarts[bucket + 1] + 1
    }
    const windows = this.windows
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

// The bucket of a window (see PointIndex): windows below the lowest go to bucket 0. A product
// rounded up to `buckets` goes to the last bucket; rounding never reorders windows.
// Every operation runs on every call: an arithmetic step only a rare window reached (the last
// bucket's `buckets - 1`) had no type feedback when V8 first optimised the lookup, which threw
// that code away the first time a lookup took it.
function bucketOf (window: number, lowestWindow: number, scale: number, buckets: number): number {
  const lastBucket = buckets - 1
  const bucket = Math.floor((window - lowestWindow) * scale)
  return window <= lowestWindow ? 0 : bucket < lastBucket ? bucket : lastBucket
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
