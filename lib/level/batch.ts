// The adapter's write batches, and the pool of buffers they are made over.
//
// Invariants: a buffer taken from `batchBuffers` belongs to exactly one PooledBatch, which gives
// it back once (release), after the write that reads it has settled; nothing reads a batch after
// its release.
import { WriteBatch } from '../format/write-batch'
import { BufferPool } from '../util/buffer-pool'

// Batches of a few KiB and up are written into pooled buffers, handed back once their write
// settles. A new buffer per batch is external memory to V8, and a batch that waits for a flush
// is promoted with its buffer: those buffers piled up in the old generation until a full GC of
// the main thread paused the event loop, a few times per million writes.
export const POOLED_BATCH_BYTES = 256 * 1024
// Smaller batches come from the 8 KiB slabs Node's Buffer.allocUnsafe shares out.
const MIN_POOLED_BATCH_BYTES = 4 * 1024
const batchBuffers = new BufferPool(POOLED_BATCH_BYTES, 4)

// A write batch and the pooled buffer it was made over, if it took one.
export class PooledBatch {
  readonly batch: WriteBatch
  #pooled: Buffer | null

  // expectedBytes: the encoded size (WRITE_BATCH_HEADER_SIZE plus WriteBatch.encodedSize of each
  // update), or undefined when unknown.
  constructor (expectedBytes?: number) {
    if (expectedBytes !== undefined && expectedBytes >= MIN_POOLED_BATCH_BYTES && expectedBytes <= POOLED_BATCH_BYTES) {
      this.#pooled = batchBuffers.take()
      this.batch = WriteBatch.over(this.#pooled)
    } else {
      this.#pooled = null
      this.batch = new WriteBatch(expectedBytes)
    }
  }

  // A batch over a pooled buffer whatever its contents will be, for a group of writes.
  static forGroup (): PooledBatch {
    return new PooledBatch(POOLED_BATCH_BYTES)
  }

  // Once the batch's write has settled: nothing reads the batch any more.
  release (): void {
    if (this.#pooled === null) return
    batchBuffers.give(this.#pooled)
    this.#pooled = null
  }
}

// Pooled batch buffers made so far and lying idle: what tests check to see them reused.
export function batchBufferCounts (): { allocated: number, idle: number } {
  return { allocated: batchBuffers.allocatedCount, idle: batchBuffers.idleCount }
}

