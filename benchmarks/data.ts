// Keys and values shaped like LevelDB's db_bench: 16-byte keys, 100-byte values that compress to about half.
import { Random } from '../test/util/random'

export const KEY_SIZE = 16
export const VALUE_SIZE = 100
export const BATCH_SIZE = 1000

const VALUE_POOL_SIZE = 1024 * 1024
const COMPRESSION_RATIO = 0.5

/** A decimal key padded to 16 bytes, so numeric order equals byte order. */
export function sequentialKey (index: number): Buffer {
  return Buffer.from(String(index).padStart(KEY_SIZE, '0'), 'latin1')
}

export function randomKey (random: Random): Buffer {
  return Buffer.from(random.fill(new Uint8Array(KEY_SIZE)))
}

/** Hands out 100-byte slices of a pre-generated pool, like db_bench's RandomGenerator. */
export class ValueSource {
  private readonly pool: Buffer
  private offset = 0

  constructor (random: Random) {
    this.pool = Buffer.alloc(VALUE_POOL_SIZE)
    const chunkSize = VALUE_SIZE
    const randomPart = Math.max(1, Math.round(chunkSize * COMPRESSION_RATIO))
    for (let start = 0; start < VALUE_POOL_SIZE; start += chunkSize) {
      // Printable random bytes, then repeated: roughly what snappy sees from db_bench.
      for (let i = 0; i < randomPart && start + i < VALUE_POOL_SIZE; i++) {
        this.pool[start + i] = 0x20 + random.int(95)
      }
      for (let i = randomPart; i < chunkSize && start + i < VALUE_POOL_SIZE; i++) {
        this.pool[start + i] = this.pool[start + (i % randomPart)]
      }
    }
  }

  next (): Buffer {
    if (this.offset + VALUE_SIZE > this.pool.length) this.offset = 0
    const value = this.pool.subarray(this.offset, this.offset + VALUE_SIZE)
    this.offset += VALUE_SIZE
    return value
  }
}
