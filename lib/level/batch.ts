// The adapter's write batches, and the pool of buffers they are made over.
//
// Invariants: a buffer taken from `batchBuffers` or `idleLargeBuffer` belongs to exactly one
// PooledBatch, which gives it back once (release), after the write that reads it has settled;
// nothing reads a batch after its release. `idleLargeBuffer` is idle or null, never also in use.
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
// Larger batches (a thousand values of a few KiB, say) keep their buffer too, one at a time: a
// fresh multi-megabyte buffer per batch is mapped, faulted in page by page and unmapped again by
// the allocator, which costs more than encoding the batch. Larger ones still are left to the
// garbage collector rather than held while idle.
const MAX_IDLE_LARGE_BATCH_BYTES = 8 * 1024 * 1024
let idleLargeBuffer: Buffer | null = null
let largeBuffersTaken = 0
let largeBuffersAllocated = 0

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
    } else if (expectedBytes !== undefined && expectedBytes > POOLED_BATCH_BYTES && expectedBytes <= MAX_IDLE_LARGE_BATCH_BYTES) {
      this.#pooled = takeLargeBuffer(expectedBytes)
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

  // Whether release() has a buffer to give back.
  get holdsPooledBuffer (): boolean {
    return this.#pooled !== null
  }

  // Once the batch's write has settled: nothing reads the batch any more.
  release (): void {
    const pooled = this.#pooled
    if (pooled === null) return
    this.#pooled = null
    if (pooled.length === POOLED_BATCH_BYTES) batchBuffers.give(pooled)
    else giveLargeBuffer(pooled)
  }
}

// The idle large buffer if it is long enough, else a new one of exactly this size.
function takeLargeBuffer (bytes: number): Buffer {
  largeBuffersTaken++
  const idle = idleLargeBuffer
  if (idle !== null && idle.length >= bytes) {
    idleLargeBuffer = null
    return idle
  }
  largeBuffersAllocated++
  return Buffer.allocUnsafeSlow(bytes)
}

// Of two large buffers the longer one is kept, so that batches of varying sizes settle on one
// buffer that fits them all.
function giveLargeBuffer (buffer: Buffer): void {
  if (idleLargeBuffer === null || idleLargeBuffer.length < buffer.length) idleLargeBuffer = buffer
}

// Pooled batch buffers made so far and lying idle, and large ones taken and made so far: what
// tests check to see them reused.
export function batchBufferCounts (): { allocated: number, idle: number, largeTaken: number, largeAllocated: number } {
  return { allocated: batchBuffers.allocatedCount, idle: batchBuffers.idleCount, largeTaken: largeBuffersTaken, largeAllocated: largeBuffersAllocated }
}

