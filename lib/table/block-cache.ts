// The block cache: decoded data blocks by table and offset, charged by their size (the bytes of
// the block, not of the buffer holding it), and the blocks evicted from it that point lookups
// alone used, kept with their buffers for later block-cache misses to decode into. A fresh buffer
// per miss (a new ArrayBuffer, external memory to V8) cost more than decoding the block, with
// garbage collection on top; in steady state a miss reuses the Block object and the buffer of a
// block its insertion evicted, and makes neither (measured: getSync of 4 KiB values, CPU per op
// -8 to -10% for the buffer; the Block and its view of the buffer, 2 objects a miss, too).
//
// Invariants:
// - A pooled Block (block.pooled: made by takeBlock() over a buffer of its own) is in the cache,
//   in `pending`, in `free`, or held by the one lookup that took it, never two of these. Only
//   pooled blocks are reused; a block that get() hands out stops being pooled, since get() serves
//   iterators, which keep a block, and views of its bytes, for as long as they like.
// - A block that leaves the cache during a lookup may still hold that lookup's result, so it
//   waits in `pending` until startLookup() says that lookup is over; only `free` blocks are
//   handed out.
import { LRUCache, type CacheHandle, type CacheKey } from '../util/lru-cache'
import { Block } from './block'

// Buffers are made in multiples of this size, so that a pooled block serves any block of its size
// class (blocks vary by a few bytes around the 4 KiB block size); the block's contents are the
// start of its buffer, so a cached block may hold up to CLASS_BYTES - 1 bytes more than its charge.
const CLASS_BYTES = 256
// Larger blocks are rare (a block holds one entry at least) and get buffers of their own.
const MAX_POOLED = 64 * 1024
// Bounds the idle blocks of each size class; in steady state each miss gives back one and takes one.
const MAX_FREE_PER_CLASS = 8
// Bounds the blocks given back within one lookup (an entry larger than the whole cache is evicted
// at once, and clear() evicts everything).
const MAX_PENDING = 64

// `pending` and the lists in `free` are stacks of fixed length whose tops are counted apart:
// emptied by `length = 0` or pop(), a V8 array lets go of its backing store and the next push
// allocates another, which each block-cache miss would pay.
export class BlockCache extends LRUCache<Block> {
  private readonly pending: Array<Block | undefined> = new Array<Block | undefined>(MAX_PENDING).fill(undefined)
  private pendingCount = 0
  // Idle pooled blocks by size class (data.length / CLASS_BYTES): free[c][0, freeCounts[c]).
  private readonly free: Array<Array<Block | undefined> | undefined> = []
  private readonly freeCounts: number[] = []

  // A block for a reader that keeps it: never reused.
  override get (key: CacheKey): Block | undefined {
    const block = super.get(key)
    if (block !== undefined) block.pooled = false
    return block
  }

  // For a point lookup's block: a pooled one is reused once it leaves the cache.
  insertForLookup (key: CacheKey, block: Block): CacheHandle<Block> {
    return super.insert(key, block, block.size)
  }

  // Any other reader's block (set() comes here too) is the reader's to keep: never reused.
  override insert (key: CacheKey, block: Block, charge: number): CacheHandle<Block> {
    block.pooled = false
    return super.insert(key, block, charge)
  }

  // A point lookup's block that was not cached (fillCache false): reusable after the lookup.
  dropAfterLookup (block: Block): void {
    if (block.pooled) this.giveBack(block)
  }

  // The previous lookup's result is no longer in use: the blocks given back since become free.
  startLookup (): void {
    const count = this.pendingCount
    if (count === 0) return
    const pending = this.pending
    for (let i = 0; i < count; i++) {
      const block = pending[i] as Block
      pending[i] = undefined
      const sizeClass = block.data.length / CLASS_BYTES
      let list = this.free[sizeClass]
      if (list === undefined) {
        list = this.free[sizeClass] = new Array<Block | undefined>(MAX_FREE_PER_CLASS).fill(undefined)
        this.freeCounts[sizeClass] = 0
      }
      const free = this.freeCounts[sizeClass]
      if (free < MAX_FREE_PER_CLASS) {
        list[free] = block
        this.freeCounts[sizeClass] = free + 1
      }
    }
    this.pendingCount = 0
  }

  // A Block whose buffer holds at least `length` bytes, for a point lookup's miss to decode a
  // block into and then setSize(length): a free pooled one of its size class when there is one.
  // Its buffer holds whatever the previous block left, and its contents are not yet set.
  takeBlock (length: number): Block {
    if (length > MAX_POOLED) return emptyBlockOver(Buffer.allocUnsafeSlow(Math.max(length, 4)))
    const sizeClass = Math.max(1, Math.ceil(length / CLASS_BYTES))
    const list = this.free[sizeClass]
    if (list !== undefined) {
      const free = this.freeCounts[sizeClass]
      if (free > 0) {
        const block = list[free - 1] as Block
        list[free - 1] = undefined
        this.freeCounts[sizeClass] = free - 1
        return block
      }
    }
    const made = emptyBlockOver(Buffer.allocUnsafeSlow(sizeClass * CLASS_BYTES))
    made.pooled = true
    return made
  }

  override clear (): void {
    super.clear()
    this.pending.fill(undefined)
    this.pendingCount = 0
    this.free.length = 0
    this.freeCounts.length = 0
  }

  protected override evicted (_key: CacheKey, block: Block): void {
    if (block.pooled) this.giveBack(block)
  }

  private giveBack (block: Block): void {
    if (this.pendingCount < MAX_PENDING) this.pending[this.pendingCount++] = block
  }
}

// A block of no entries over `data` (4 zero bytes: no restart points), until setSize().
function emptyBlockOver (data: Buffer): Block {
  data.fill(0, 0, 4)
  return new Block(data, false, 4)
}
