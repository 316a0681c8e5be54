import { WriteBatch } from '../format/write-batch'
import { BufferPool } from '../util/buffer-pool'

// Batches of a few KiB and up are written into pooled buffers, handed back once their write
// settles. A new buffer per batch is external memory to V8, and a batch that waits for a flush
// is promoted with its buffer: those buffers piled up in the old generation until a full GC of
// the main thread paused the event loop, a few times per million writes.
const POOLED_BATCH_BYTES = 256 * 1024
// Smaller batches come from the 8 KiB slabs Node's Buffer.allocUnsafe shares out.
const MIN_POOLED_BATCH_BYTES = 4 * 1024
const batchBuffers = new BufferPool(POOLED_BATCH_BYTES, 4)

// The single place engine batches are made.
export function createWriteBatch (expectedBytes?: number): WriteBatch {
  if (expectedBytes !== undefined && expectedBytes >= MIN_POOLED_BATCH_BYTES && expectedBytes <= POOLED_BATCH_BYTES) {
    return WriteBatch.over(batchBuffers.take())
  }
  return new WriteBatch(expectedBytes)
}

// Once the batch's write has settled, when nothing reads it any more; the caller drops it.
export function releaseWriteBatch (batch: WriteBatch): void {
  batchBuffers.give(batch.buffer)
}
