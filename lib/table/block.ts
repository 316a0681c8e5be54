// A parsed block and its iterator. Keys are prefix-compressed against the previous entry,
// with restart points (entries storing their full key) to allow binary search.
import { getFixed32, getVarint } from '../format/coding'
import type { InternalIterator } from '../iterator/iterator'
import type { EntryRanges } from '../iterator/entry-ranges'
import { KeyBuffer } from '../format/key-buffer'
import { corruption } from '../util/errors'
import { compareInternalKeySlices, TAG_SIZE, type SliceComparator } from '../format/internal-key'

// A block's contents are data[0, size). Only the block cache changes a block once made: it reuses
// a Block of its own, buffer and all, for another block (see BlockCache.takeBlock), whose data is
// then longer than the contents.
export class Block {
  data: Buffer
  size = 0
  restartsOffset = 0
  numRestarts = 0
  // Whether this Block and its buffer are the block cache's to reuse once it has left the cache:
  // set and cleared by BlockCache only.
  pooled = false

  // A transient block's bytes are a buffer its reader reuses for the next block (see
  // Table.newIterator): its iterator copies whatever key() and value() hand out.
  constructor (data: Buffer, readonly transient = false, size = data.length) {
    this.data = data
    this.setSize(size)
  }

  // Makes data[0, size) the block's contents, parsing its restart count.
  setSize (size: number): void {
    if (size < 4 || size > this.data.length) throw corruption('block too short')
    const numRestarts = getFixed32(this.data, size - 4)
    const maxRestarts = (size - 4) / 4
    if (numRestarts > maxRestarts) throw corruption('bad block restart count')
    this.size = size
    this.numRestarts = numRestarts
    this.restartsOffset = size - 4 - numRestarts * 4
  }

  newIterator (compare: SliceComparator): BlockIterator {
    return new BlockIterator(this, compare)
  }
}

// A block with no entries: where a reused iterator starts before it is first retargeted.
export const EMPTY_BLOCK = new Block(Buffer.alloc(4))

export class BlockIterator implements InternalIterator {
  private data: Buffer
  private restarts: number
  private numRestarts: number
  // Offset of the current entry; equals `restarts` when not valid.
  private current: number
  private nextOffset: number
  private restartIndex: number
  // The current key lives in the block (entries with no shared prefix), in `scratch`, or in
  // intervalKeys: keyBytes[keyStart, keyEnd). Views and copies are made only when key() asks.
  private keyBytes: Buffer
  private keyStart = 0
  private keyEnd = 0
  private keyHandedOut: Buffer | null = null
  private readonly scratch = new KeyBuffer()
  private valueStart = 0
  private valueEnd = 0
  // The entries of one restart interval (restart point intervalRestart, -1 for none), decoded by
  // the last backward step that had to parse forward from a restart point: further prev() calls
  // within it step back without parsing the interval again, as a reverse scan does entry after
  // entry. Entry i starts at intervalOffsets[i], its value spans [intervalValueStarts[i],
  // intervalValueEnds[i]) and its key is intervalKeys.bytes[intervalKeyEnds[i - 1] (or 0),
  // intervalKeyEnds[i]). Facts about the block, so valid until retarget().
  private intervalRestart = -1
  private readonly intervalOffsets: number[] = []
  private readonly intervalValueStarts: number[] = []
  private readonly intervalValueEnds: number[] = []
  private readonly intervalKeyEnds: number[] = []
  private readonly intervalKeys = new KeyBuffer()
  // Which entry of the decoded interval was last made current, so that the next prev() finds it
  // without a search (checked against its offset, since forward steps do not update it).
  private intervalPosition = -1
  private transient: boolean
  // The offset of restart point nextRestartFor + 1 (`restarts`, past every entry, after the last),
  // which tells parseNextEntry when restartIndex must advance. -1: not read for this block yet.
  private nextRestartFor = -1
  private nextRestartOffset = 0
  private readonly header: EntryHeader = { shared: 0, nonShared: 0, valueLength: 0, keyDeltaStart: 0 }

  constructor (block: Block, private readonly compare: SliceComparator) {
    this.data = this.keyBytes = block.data
    this.transient = block.transient
    this.restarts = this.current = this.nextOffset = block.restartsOffset
    this.numRestarts = this.restartIndex = block.numRestarts
  }

  // Moves this iterator, unpositioned, to another block: for readers that visit one block after
  // another, so that they need no new iterator (and key buffer) per block.
  retarget (block: Block): void {
    this.data = this.keyBytes = block.data
    this.transient = block.transient
    this.restarts = block.restartsOffset
    this.numRestarts = block.numRestarts
    this.intervalRestart = -1
    this.nextRestartFor = -1
    this.invalidate()
  }

  valid (): boolean {
    return this.current < this.restarts
  }

  // Keys rebuilt in scratch (or intervalKeys) are copied, since they are overwritten later, and
  // so is anything of a transient block.
  key (): Buffer {
    if (this.keyHandedOut === null) {
      this.keyHandedOut = this.keyBytes === this.data && !this.transient
        ? this.data.subarray(this.keyStart, this.keyEnd)
        : Buffer.from(this.keyBytes.subarray(this.keyStart, this.keyEnd))
    }
    return this.keyHandedOut
  }

  // The current key without a copy: valid only until this iterator moves.
  keyView (): Buffer {
    return this.keyBytes.subarray(this.keyStart, this.keyEnd)
  }

  value (): Buffer {
    const value = this.data.subarray(this.valueStart, this.valueEnd)
    return this.transient ? Buffer.from(value) : value
  }

  // Whether the current entry is the block's only one, as in a block of one large value.
  isOnlyEntry (): boolean {
    return this.current === 0 && this.nextOffset === this.restarts
  }

  // The current entry without views or copies: valid until this iterator moves.
  readEntry (into: EntryRanges): void {
    into.keyBytes = this.keyBytes
    into.keyStart = this.keyStart
    into.keyEnd = this.keyEnd
    into.valueBytes = this.data
    into.valueStart = this.valueStart
    into.valueEnd = this.valueEnd
  }

  seekToFirst (): void {
    if (this.numRestarts === 0) return this.invalidate()
    this.seekToRestartPoint(0)
    this.parseNextEntry()
  }

  seekToLast (): void {
    if (this.numRestarts === 0) return this.invalidate()
    this.decodeIntervalBefore(this.numRestarts - 1, this.restarts)
  }

  seek (target: Buffer): void {
    if (this.numRestarts === 0) return this.invalidate()
    const compare = this.compare
    // Find the last restart point whose key is < target.
    let left = 0
    let right = this.numRestarts - 1
    while (left < right) {
      const mid = (left + right + 1) >>> 1
      const keyStart = this.restartKeyStart(mid)
      if (compare(this.data, keyStart, this.restartKeyEnd, target, 0, target.length) < 0) left = mid
      else right = mid - 1
    }
    if (compare === compareInternalKeySlices && target.length >= TAG_SIZE && this.scanToInternalKey(left, target)) return
    this.seekToRestartPoint(left)
    while (this.parseNextEntry()) {
      if (compare(this.keyBytes, this.keyStart, this.keyEnd, target, 0, target.length) >= 0) return
    }
  }

  // Positions the iterator at the first entry at or after restart point `restart` whose internal
  // key is >= target, comparing each entry's stored suffix with the target instead of rebuilding
  // every key: while the previous key P sorts before the target, `matched` is how many leading
  // user-key bytes P shares with it, and `differs` says P's next user-key byte is smaller than
  // the target's. An entry sharing more than `matched` bytes with P then sorts before the target
  // too, and one sharing at most `matched` bytes starts with target bytes, so only its stored
  // suffix needs comparing; the key found is the target's first bytes and that suffix. Returns
  // false, with the iterator unpositioned, for the rare entry this cannot settle (one sharing
  // more than `matched` bytes with a P whose user key is a prefix of the target's), for which the
  // caller falls back to a plain scan.
  // The iterator is made invalid first, for the target past the block's last entry: done there, a
  // call only lookups of such targets reach had no type feedback when V8 first optimised this in
  // a fresh process, and the first such lookup threw the code away.
  private scanToInternalKey (restart: number, target: Buffer): boolean {
    this.invalidate()
    const data = this.data
    const limit = this.restarts
    const targetUserLength = target.length - TAG_SIZE
    let p = this.restartPoint(restart)
    let matched = 0
    let differs = true
    let previousKeyLength = 0
    while (p < limit) {
      // The three lengths read in place when each takes one byte, as they do in most blocks;
      // readEntryHeader parses the rest.
      if (limit - p < 3) throw corruption('truncated block entry')
      let shared = data[p]
      let nonShared = data[p + 1]
      let valueLength = data[p + 2]
      let q = p + 3
      if ((shared | nonShared | valueLength) >= 128) {
        const header = this.header
        readEntryHeader(data, p, limit, header)
        shared = header.shared
        nonShared = header.nonShared
        valueLength = header.valueLength
        q = header.keyDeltaStart
      }
      const keyEnd = q + nonShared
      const valueEnd = keyEnd + valueLength
      if (shared > previousKeyLength || valueEnd > limit) throw corruption('bad entry in block')
      const keyLength = shared + nonShared
      previousKeyLength = keyLength
      const entry = p
      p = valueEnd
      if (shared > matched) {
        if (differs) continue
        return false
      }
      const userLength = keyLength - TAG_SIZE
      const common = userLength < targetUserLength ? userLength : targetUserLength
      if (shared > common) return false
      // data[q + j - shared] is the entry's key byte j, for j >= shared.
      const offset = q - shared
      let j = shared
      while (j < common && data[offset + j] === target[j]) j++
      if (j < common) {
        if (data[offset + j] > target[j]) return this.settleAt(restart, entry, target, shared, q, keyEnd, valueEnd)
        matched = j
        differs = true
        continue
      }
      if (userLength > targetUserLength) return this.settleAt(restart, entry, target, shared, q, keyEnd, valueEnd)
      if (userLength === targetUserLength) {
        // Same user key: the higher tag sorts first. Tags are little-endian.
        let d = 0
        for (let i = TAG_SIZE - 1; i >= 0 && d === 0; i--) d = target[targetUserLength + i] - data[offset + userLength + i]
        if (d >= 0) return this.settleAt(restart, entry, target, shared, q, keyEnd, valueEnd)
      }
      matched = userLength
      differs = false
    }
    return true
  }

  // Makes the entry at `entry` current; its key is target[0, shared) then data[q, keyEnd).
  private settleAt (restart: number, entry: number, target: Buffer, shared: number, q: number, keyEnd: number, valueEnd: number): boolean {
    if (shared === 0) {
      this.keyBytes = this.data
      this.keyStart = q
      this.keyEnd = keyEnd
    } else {
      const scratch = this.scratch
      scratch.set(target, 0, shared)
      scratch.replaceTail(shared, this.data, q, keyEnd)
      this.keyBytes = scratch.bytes
      this.keyStart = 0
      this.keyEnd = scratch.length
    }
    this.keyHandedOut = null
    this.current = entry
    this.valueStart = keyEnd
    this.valueEnd = valueEnd
    this.nextOffset = valueEnd
    this.restartIndex = restart
    while (this.restartIndex + 1 < this.numRestarts && this.restartPoint(this.restartIndex + 1) < entry) {
      this.restartIndex++
    }
    return true
  }

  next (): void {
    if (this.current >= this.restarts) throw new Error('next() on an invalid iterator')
    this.parseNextEntry()
  }

  prev (): void {
    if (!this.valid()) throw new Error('prev() on an invalid iterator')
    const original = this.current
    if (this.intervalRestart === this.restartIndex) {
      const offsets = this.intervalOffsets
      const position = this.intervalPosition
      if (position > 0 && offsets[position] === original) return this.loadIntervalEntry(position - 1)
      for (let i = offsets.length - 1; i > 0; i--) {
        if (offsets[i] === original) return this.loadIntervalEntry(i - 1)
      }
    }
    // Back up to the last restart point before the current entry, then scan forward.
    let restartIndex = this.restartIndex
    while (this.restartPoint(restartIndex) >= original) {
      if (restartIndex === 0) return this.invalidate()
      restartIndex--
    }
    this.decodeIntervalBefore(restartIndex, original)
  }

  close (): void {
    this.invalidate()
  }

  // Parses forward from restart point `index` to the entry just before offset `limit`, on which
  // it stops, recording the entries passed as the decoded interval.
  private decodeIntervalBefore (index: number, limit: number): void {
    this.seekToRestartPoint(index)
    const offsets = this.intervalOffsets
    const valueStarts = this.intervalValueStarts
    const valueEnds = this.intervalValueEnds
    const keyEnds = this.intervalKeyEnds
    const keys = this.intervalKeys
    offsets.length = valueStarts.length = valueEnds.length = keyEnds.length = 0
    keys.length = 0
    this.intervalRestart = -1
    while (this.parseNextEntry()) {
      offsets.push(this.current)
      valueStarts.push(this.valueStart)
      valueEnds.push(this.valueEnd)
      keys.replaceTail(keys.length, this.keyBytes, this.keyStart, this.keyEnd)
      keyEnds.push(keys.length)
      if (this.nextOffset >= limit) break
    }
    this.intervalRestart = index
    this.intervalPosition = offsets.length - 1
  }

  private loadIntervalEntry (i: number): void {
    this.intervalPosition = i
    this.current = this.intervalOffsets[i]
    this.valueStart = this.intervalValueStarts[i]
    this.valueEnd = this.nextOffset = this.intervalValueEnds[i]
    this.keyBytes = this.intervalKeys.bytes
    this.keyStart = i === 0 ? 0 : this.intervalKeyEnds[i - 1]
    this.keyEnd = this.intervalKeyEnds[i]
    this.keyHandedOut = null
  }

  private invalidate (): void {
    this.current = this.restarts
    this.nextOffset = this.restarts
    this.restartIndex = this.numRestarts
  }

  private restartPoint (index: number): number {
    const offset = getFixed32(this.data, this.restarts + index * 4)
    // An empty block has its single restart point at the end of the (empty) entries.
    if (offset > this.restarts) throw corruption('bad restart point in block')
    return offset
  }

  private seekToRestartPoint (index: number): void {
    this.restartIndex = index
    this.keyBytes = this.data
    this.keyStart = this.keyEnd = 0
    this.nextOffset = this.restartPoint(index)
    this.current = this.restarts
  }

  // Where restartKeyStart() found the key to end.
  private restartKeyEnd = 0

  // The offset of the full key stored at a restart point, without moving the iterator.
  private restartKeyStart (index: number): number {
    const data = this.data
    let p = this.restartPoint(index)
    const limit = this.restarts
    if (limit - p < 3) throw corruption('truncated block entry')
    let shared = data[p]
    let nonShared = data[p + 1]
    if ((shared | nonShared | data[p + 2]) < 128) {
      p += 3
    } else {
      const c = { offset: p }
      shared = getVarint(data, c, limit)
      nonShared = getVarint(data, c, limit)
      getVarint(data, c, limit)
      p = c.offset
    }
    if (shared !== 0 || p + nonShared > limit) throw corruption('bad restart entry in block')
    this.restartKeyEnd = p + nonShared
    return p
  }

  // Decodes the entry at nextOffset; returns false (and invalidates) at the end of the block.
  private parseNextEntry (): boolean {
    const data = this.data
    const limit = this.restarts
    let p = this.nextOffset
    if (p >= limit) {
      this.invalidate()
      return false
    }
    const header = this.header
    readEntryHeader(data, p, limit, header)
    const shared = header.shared
    const nonShared = header.nonShared
    const valueLength = header.valueLength
    p = header.keyDeltaStart
    const keyEnd = p + nonShared
    const valueEnd = keyEnd + valueLength
    if (shared > this.keyEnd - this.keyStart || valueEnd > limit) throw corruption('bad entry in block')

    if (shared === 0) {
      this.keyBytes = data
      this.keyStart = p
      this.keyEnd = keyEnd
    } else {
      const scratch = this.scratch
      if (this.keyBytes !== scratch.bytes) scratch.set(this.keyBytes, this.keyStart, this.keyStart + shared)
      scratch.replaceTail(shared, data, p, keyEnd)
      this.keyBytes = scratch.bytes
      this.keyStart = 0
      this.keyEnd = scratch.length
    }
    this.keyHandedOut = null
    this.current = this.nextOffset
    this.valueStart = keyEnd
    this.valueEnd = valueEnd
    this.nextOffset = valueEnd
    // The restart index advances once per interval: compare with the next restart point's offset,
    // read again only when the index moved (here or by a seek) or the block changed.
    if (this.nextRestartFor !== this.restartIndex) this.loadNextRestart()
    while (this.nextRestartOffset < this.current) {
      this.restartIndex++
      this.loadNextRestart()
    }
    return true
  }

  private loadNextRestart (): void {
    const next = this.restartIndex + 1
    this.nextRestartFor = this.restartIndex
    this.nextRestartOffset = next < this.numRestarts ? this.restartPoint(next) : this.restarts
  }
}

// An entry's three lengths, and where its key delta starts.
interface EntryHeader {
  shared: number
  nonShared: number
  valueLength: number
  keyDeltaStart: number
}

function readEntryHeader (data: Buffer, p: number, limit: number, into: EntryHeader): void {
  if (limit - p < 3) throw corruption('truncated block entry')
  const shared = data[p]
  const nonShared = data[p + 1]
  const valueLength = data[p + 2]
  if ((shared | nonShared | valueLength) < 128) {
    into.shared = shared
    into.nonShared = nonShared
    into.valueLength = valueLength
    into.keyDeltaStart = p + 3
    return
  }
  const c = { offset: p }
  into.shared = getVarint(data, c, limit)
  into.nonShared = getVarint(data, c, limit)
  into.valueLength = getVarint(data, c, limit)
  into.keyDeltaStart = c.offset
}
