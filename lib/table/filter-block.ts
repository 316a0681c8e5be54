// The filter block: one filter per 2 KiB range of data-block offsets, then the array of
// filter offsets, the array's own offset, and the base lg (table/filter_block.cc).
import { ByteWriter, getFixed32, withRoomForOneMore } from '../format/coding'
import type { FilterPolicy } from './bloom'

const FILTER_BASE_LG = 11
const FILTER_BASE = 1 << FILTER_BASE_LG

export class FilterBlockBuilder {
  private readonly result = new ByteWriter(1024)
  private readonly filterOffsets: number[] = []
  // Hashes of the keys of the filter being accumulated, in a typed array so that no hash becomes
  // a heap number.
  private keyHashes: Uint32Array = new Uint32Array(256)
  private hashCount = 0

  constructor (private readonly policy: FilterPolicy) {}

  startBlock (blockOffset: number): void {
    const filterIndex = Math.floor(blockOffset / FILTER_BASE)
    if (filterIndex < this.filterOffsets.length) throw new Error('filter blocks must start at increasing offsets')
    while (filterIndex > this.filterOffsets.length) this.generateFilter()
  }

  // Adds key[start, end).
  addKey (key: Uint8Array, start = 0, end = key.length): void {
    this.keyHashes = withRoomForOneMore(this.keyHashes, this.hashCount)
    this.keyHashes[this.hashCount++] = this.policy.keyHash(key, start, end)
  }

  // Returns a view valid until the builder is discarded.
  finish (): Buffer {
    if (this.hashCount > 0) this.generateFilter()
    const arrayOffset = this.result.length
    for (const offset of this.filterOffsets) this.result.fixed32(offset)
    this.result.fixed32(arrayOffset)
    this.result.byte(FILTER_BASE_LG)
    return this.result.view()
  }

  private generateFilter (): void {
    this.filterOffsets.push(this.result.length)
    if (this.hashCount === 0) return
    this.policy.createFilter(this.keyHashes, this.hashCount, this.result)
    this.hashCount = 0
  }
}

export class FilterBlockReader {
  private readonly data: Buffer
  private readonly offsetsStart: number
  private readonly count: number
  // 2^(the stored base lg), the span of block offsets each filter covers: computed once, since a power with a
  // variable exponent costs a point lookup ~50 ns per filter check.
  private readonly base: number

  // Malformed contents make every key a potential match, as in LevelDB: a filter can only skip reads.
  constructor (private readonly policy: FilterPolicy, contents: Buffer) {
    this.data = contents
    this.offsetsStart = 0
    this.count = 0
    this.base = 1
    const n = contents.length
    if (n < 5) return
    const arrayOffset = getFixed32(contents, n - 5)
    if (arrayOffset > n - 5) return
    this.base = 2 ** contents[n - 1]
    this.offsetsStart = arrayOffset
    this.count = Math.floor((n - 5 - arrayOffset) / 4)
  }

  // Whether key[keyStart, keyEnd) may be in the data block at blockOffset.
  keyMayMatch (blockOffset: number, key: Uint8Array, keyStart = 0, keyEnd = key.length): boolean {
    return this.hashMayMatch(blockOffset, this.policy.keyHash(key, keyStart, keyEnd))
  }

  // The same for a key given by the policy's keyHash().
  hashMayMatch (blockOffset: number, keyHash: number): boolean {
    const index = Math.floor(blockOffset / this.base)
    if (index >= this.count) return true
    const at = this.offsetsStart + index * 4
    const start = getFixed32(this.data, at)
    // The entry after the last filter offset is the array offset itself.
    const limit = getFixed32(this.data, at + 4)
    if (start <= limit && limit <= this.offsetsStart) {
      return this.policy.hashMayMatch(keyHash, this.data, start, limit)
    }
    return start !== limit
  }
}
