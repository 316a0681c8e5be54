// The block cache: decoded data blocks by table and offset, charged by their size, and the
// buffers of evicted blocks, kept for later block-cache misses to decode into. A fresh buffer per
// miss (a new ArrayBuffer, external memory to V8) cost more than decoding the block, with garbage
// collection on top; in steady state a miss now reuses the buffer of the block its insertion
// evicted (measured: getSync of 4 KiB values, CPU per op -8 to -10%).
//
// Invariants:
// - Only a block in `recyclable` gives its buffer back when it leaves the cache: one inserted by
//   insertForLookup() (a point lookup, whose result is valid only until the next read of the
//   database) into a buffer take() made, and never handed out by get() since. get() serves
//   iterators, which keep a block, and views of its bytes, for as long as they like.
// - A buffer given back during a lookup may still hold that lookup's result, so it waits in
//   `pending` until startLookup() says that lookup is over; only `free` buffers are handed out.
// - A buffer take() made is in `pending`, in `free` or in exactly one block, never two of these.
import { LRUCache, type CacheHandle, type CacheKey } from '../util/lru-cache'
import type { Block } from './block'

// Buffers are made in multiples of this size, so that a buffer serves any block of its size class
// (blocks vary by a few bytes around the 4 KiB block size); the block's bytes are a view of its
// start, so a cached block may hold up to CLASS_BYTES - 1 bytes more than its charge.
const CLASS_BYTES = 256
// Larger blocks are rare (a block holds one entry at least) and get buffers of their own.
const MAX_POOLED = 64 * 1024
// Bounds the idle buffers of each size class; in steady state each miss gives back one and takes one.
const MAX_FREE_PER_CLASS = 8
// Bounds the buffers given back within one lookup (an entry larger than the whole cache is evicted
// at once, and clear() evicts everything).
const MAX_PENDING = 64

export class BlockCache extends LRUCache<Block> {
  private readonly recyclable = new Set<Block>()
  // The ArrayBuffers take() made: no other buffer is ever recycled (one from Node's shared
  // allocation pool would corrupt its neighbours).
  private readonly made = new WeakSet<ArrayBufferLike>()
  private readonly pending: ArrayBufferLike[] = []
  // Idle buffers by size class (byteLength / CLASS_BYTES).
  private readonly free: Array<ArrayBufferLike[] | undefined> = []

  // A block for a reader that keeps it: never recycled.
  override get (key: CacheKey): Block | undefined {
    const block = super.get(key)
    if (block !== undefined) this.recyclable.delete(block)
    return block
  }

  // For a point lookup's block: its buffer is recycled when it leaves the cache.
  insertForLookup (key: CacheKey, block: Block): CacheHandle<Block> {
    if (this.made.has(block.data.buffer)) this.recyclable.add(block)
    return this.insert(key, block, block.size)
  }

  // A point lookup's block that was not cached (fillCache false): reusable after the lookup.
  dropAfterLookup (block: Block): void {
    if (this.made.has(block.data.buffer)) this.giveBack(block.data.buffer)
  }

  // The previous lookup's result is no longer in use: the buffers given back since become free.
  startLookup (): void {
    const pending = this.pending
    if (pending.length === 0) return
    for (let i = 0; i < pending.length; i++) {
      const buffer = pending[i]
      const sizeClass = buffer.byteLength / CLASS_BYTES
      let list = this.free[sizeClass]
      if (list === undefined) list = this.free[sizeClass] = []
      if (list.length < MAX_FREE_PER_CLASS) list.push(buffer)
    }
    pending.length = 0
  }

  // A buffer of exactly `length` bytes for a block's contents: a view of a free buffer of its size
  // class when there is one. The contents are whatever the previous block left.
  take (length: number): Buffer {
    if (length > MAX_POOLED) return Buffer.allocUnsafeSlow(length)
    const sizeClass = Math.ceil(length / CLASS_BYTES)
    const buffer = this.free[sizeClass]?.pop()
    if (buffer !== undefined) return Buffer.from(buffer, 0, length)
    const made = Buffer.allocUnsafeSlow(sizeClass * CLASS_BYTES)
    this.made.add(made.buffer)
    return made.subarray(0, length)
  }

  override clear (): void {
    super.clear()
    this.recyclable.clear()
    this.pending.length = 0
    this.free.length = 0
  }

  protected override evicted (_key: CacheKey, block: Block): void {
    if (this.recyclable.delete(block)) this.giveBack(block.data.buffer)
  }

  private giveBack (buffer: ArrayBufferLike): void {
    if (this.pending.length < MAX_PENDING) this.pending.push(buffer)
  }
}
