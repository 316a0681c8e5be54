// Builds one block: prefix-compressed entries, then the restart array and its length.
// Entry layout: varint shared, varint nonShared, varint valueLength, key delta, value.
// Invariants: buffer is backing[base, backing.length) and view covers the same bytes;
// buffer[0, length) holds the entries added since reset() (and, once finished, the restart array
// and its count); base changes only while the block is empty; lastKey is the last key added.
import { copyRange, putVarint, varintLength, withRoomForOneMore, WORD_COPY } from '../format/coding'
import { KeyBuffer } from '../format/key-buffer'

// Three varints of up to 5 bytes each (lengths stay below 2^32).
const MAX_ENTRY_HEADER = 15
// Spans up to this long are copied byte by byte: a DataView of their source would not pay off.
const SHORT_COPY = 32
// Level 0 stops taking flushes at 12 files, so a compaction's values come from at most a dozen
// input blocks at a time, which a merge of random keys visits in turn.
const SOURCE_VIEW_SLOTS = 16
// V8 copies out of a SharedArrayBuffer (a memtable's arena, which a flush reads in place) with
// relaxed atomics: 8 bytes at a time where source and target addresses agree modulo 8, byte by
// byte where they do not, about 2.5x the CPU for a 4 KiB value (1.1 against 0.45 us, measured).
// So a block that starts with a long value starts at the offset of its backing buffer that puts
// the value at its source's alignment. Backing stores are allocated 8-byte aligned, so byte
// offsets modulo 8 stand for addresses modulo 8.
const ALIGNMENT = 8

export class BlockBuilder {
  // Written directly rather than through a ByteWriter: an entry makes one capacity check and
  // no calls per field, which matters at a few hundred thousand entries per flush.
  private backing: Buffer = Buffer.allocUnsafeSlow(4096 + ALIGNMENT)
  private base = 0
  private buffer: Buffer = this.backing
  private view: DataView = new DataView(this.backing.buffer, this.backing.byteOffset, this.backing.length)
  // The buffer and view for each base, made on first use and kept until backing grows: a flush of
  // 4 KiB values starts each block at whichever base its value needs.
  private readonly bufferAt: Array<Buffer | null> = new Array<Buffer | null>(ALIGNMENT).fill(null)
  private readonly viewAt: Array<DataView | null> = new Array<DataView | null>(ALIGNMENT).fill(null)
  private length = 0
  // DataViews of the last buffers values were copied from in 4-byte words, reused from entry to
  // entry (a flush copies every value from one arena) and across reset().
  private readonly sources: Array<Uint8Array | null> = new Array<Uint8Array | null>(SOURCE_VIEW_SLOTS).fill(null)
  private readonly sourceViews: Array<DataView | null> = new Array<DataView | null>(SOURCE_VIEW_SLOTS).fill(null)
  private nextSourceSlot = 0
  // Offsets of the restart points, restarts[0, restartCount); reused from block to block.
  private restarts: Uint32Array = new Uint32Array(64)
  private restartCount = 1
  private counter = 0
  // The last key added since reset(); callers may read it but must not change it.
  readonly lastKey = new KeyBuffer()
  private finished = false

  constructor (private readonly restartInterval: number = 16) {
    if (restartInterval < 1) throw new RangeError('restartInterval must be at least 1')
  }

  reset (): void {
    this.length = 0
    this.restartCount = 1
    this.counter = 0
    this.lastKey.length = 0
    this.finished = false
  }

  empty (): boolean {
    return this.length === 0
  }

  // Size of the block finish() would produce now.
  currentSizeEstimate (): number {
    return this.length + this.restartCount * 4 + 4
  }

  // Keys must be added in increasing order; the builder does not check.
  add (key: Uint8Array, value: Uint8Array): void {
    this.addRanges(key, 0, key.length, value, 0, value.length)
  }

  // Adds key[keyStart, keyEnd) with value[valueStart, valueEnd).
  addRanges (key: Uint8Array, keyStart: number, keyEnd: number, value: Uint8Array, valueStart: number, valueEnd: number): void {
    const last = this.lastKey
    const max = Math.min(last.length, keyEnd - keyStart)
    const lastBytes = last.bytes
    let prefix = 0
    while (prefix < max && lastBytes[prefix] === key[keyStart + prefix]) prefix++
    this.addWithPrefix(key, keyStart, keyEnd, value, valueStart, valueEnd, prefix)
  }

  // The same, given the length of the prefix the key shares with lastKey (a caller that has
  // compared the two keys anyway passes it on rather than have it found twice).
  addWithPrefix (key: Uint8Array, keyStart: number, keyEnd: number, value: Uint8Array, valueStart: number, valueEnd: number, prefix: number): void {
    if (this.finished) throw new Error('BlockBuilder.add() after finish()')
    const keyLength = keyEnd - keyStart
    const valueLength = valueEnd - valueStart
    let shared = 0
    if (this.counter < this.restartInterval) {
      shared = prefix
    } else {
      this.restarts = withRoomForOneMore(this.restarts, this.restartCount)
      this.restarts[this.restartCount++] = this.length
      this.counter = 0
    }
    const nonShared = keyLength - shared
    if (this.length === 0 && valueLength > WORD_COPY) {
      const valueAt = varintLength(shared) + varintLength(nonShared) + varintLength(valueLength) + nonShared
      this.setBase((((value.byteOffset + valueStart - valueAt) % ALIGNMENT) + ALIGNMENT) % ALIGNMENT)
    }
    this.ensure(MAX_ENTRY_HEADER + nonShared + valueLength)
    const out = this.buffer
    let at = this.length
    // Lengths below 128, nearly all of them, are one varint byte.
    if (shared < 128) out[at++] = shared
    else at = putVarint(out, at, shared)
    if (nonShared < 128) out[at++] = nonShared
    else at = putVarint(out, at, nonShared)
    if (valueLength < 128) out[at++] = valueLength
    else at = putVarint(out, at, valueLength)
    const keyDeltaStart = keyStart + shared
    at = this.copy(key, keyDeltaStart, keyEnd, at)
    this.length = this.copy(value, valueStart, valueEnd, at)
    this.lastKey.replaceTail(shared, key, keyDeltaStart, keyEnd)
    this.counter++
  }

  // Returns a view of the finished block, valid until reset().
  finish (): Buffer {
    if (!this.finished) {
      const count = this.restartCount
      this.ensure(count * 4 + 4)
      const view = this.view
      let at = this.length
      for (let i = 0; i < count; i++, at += 4) view.setUint32(at, this.restarts[i], true)
      view.setUint32(at, count, true)
      this.length = at + 4
      this.finished = true
    }
    return this.buffer.subarray(0, this.length)
  }

  // Only while the block is empty: its bytes would stay where they were.
  private setBase (base: number): void {
    if (base === this.base) return
    let buffer = this.bufferAt[base]
    let view = this.viewAt[base]
    if (buffer === null || view === null) {
      const backing = this.backing
      buffer = backing.subarray(base)
      view = new DataView(backing.buffer, backing.byteOffset + base, backing.length - base)
      this.bufferAt[base] = buffer
      this.viewAt[base] = view
    }
    this.base = base
    this.buffer = buffer
    this.view = view
  }

  private ensure (extra: number): void {
    const needed = this.length + extra
    if (needed <= this.buffer.length) return
    let size = this.backing.length * 2
    while (size - this.base < needed) size *= 2
    const grown = Buffer.allocUnsafeSlow(size)
    this.buffer.copy(grown, this.base, 0, this.length)
    this.backing = grown
    this.bufferAt.fill(null)
    this.viewAt.fill(null)
    this.buffer = grown.subarray(this.base)
    this.view = new DataView(grown.buffer, grown.byteOffset + this.base, grown.length - this.base)
  }

  // Copies source[start, end) to `at` and returns where it ends (see copyRange).
  private copy (source: Uint8Array, start: number, end: number, at: number): number {
    const n = end - start
    if (n <= SHORT_COPY) {
      const out = this.buffer
      for (let i = start; i < end; i++) out[at++] = source[i]
      return at
    }
    copyRange(source, n <= WORD_COPY ? this.viewOf(source) : null, start, end, this.buffer, this.view, at)
    return at + n
  }

  private viewOf (data: Uint8Array): DataView {
    const sources = this.sources
    for (let i = 0; i < SOURCE_VIEW_SLOTS; i++) {
      if (sources[i] === data) return this.sourceViews[i] as DataView
    }
    const slot = this.nextSourceSlot
    this.nextSourceSlot = (slot + 1) % SOURCE_VIEW_SLOTS
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
    sources[slot] = data
    this.sourceViews[slot] = view
    return view
  }
}
