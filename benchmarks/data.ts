// Keys and values shaped like LevelDB's db_bench: 16-byte zero-padded decimal keys, values of
// random printable bytes repeated twice (so they compress to about half), as strings for the
// default utf8 encodings or as Buffers for the buffer encodings.
import { Random } from '../test/util/random'

export const KEY_SIZE = 16
export const BATCH_SIZE = 1000
export const ENCODINGS = ['utf8', 'buffer'] as const
export type Encoding = typeof ENCODINGS[number]
export const VALUE_SIZES = [100, 4096] as const
export type ValueSize = typeof VALUE_SIZES[number]

/** What the workloads hand to the database: strings with utf8 encodings, Buffers with buffer encodings. */
export type Datum = string | Buffer

/** The encoding and value size of one run. */
export interface Shape {
  encoding: Encoding
  valueSize: number
}

// The pool of distinct values a run cycles through: about what db_bench's RandomGenerator keeps.
const VALUE_POOL_BYTES = 1024 * 1024

/** A decimal number padded to 16 characters, so numeric order equals byte order. */
export function decimalKey (index: number): string {
  return String(index).padStart(KEY_SIZE, '0')
}

/**
 * A 16-byte key that no workload writes: decimalKey(index) with its last digit replaced by ':', the
 * byte after '9', so it sorts after the ten keys sharing its first 15 digits and before the next ten.
 * It lies inside the key range of a database of keys 0..n-1 (for index < n - 10), so a lookup cannot
 * be answered from the table bounds alone.
 */
export function absentKey (index: number): string {
  return decimalKey(index).slice(0, KEY_SIZE - 1) + ':'
}

/** Printable random bytes, the first half repeated once: what snappy sees from db_bench. */
export function printableValue (random: Random, size: number): Buffer {
  const value = Buffer.allocUnsafe(size)
  const randomPart = Math.max(1, Math.ceil(size / 2))
  for (let i = 0; i < randomPart; i++) value[i] = 0x20 + random.int(95)
  for (let i = randomPart; i < size; i++) value[i] = value[i - randomPart]
  return value
}

/** Converts keys and values to what the encoding hands the database. */
export class Codec {
  constructor (readonly encoding: Encoding) {}

  key (text: string): Datum {
    return this.encoding === 'utf8' ? text : Buffer.from(text, 'latin1')
  }

  value (bytes: Buffer): Datum {
    return this.encoding === 'utf8' ? bytes.toString('latin1') : bytes
  }
}

/** Hands out a fixed pool of distinct values in turn, prepared before any timing starts. */
export class ValueSource {
  private readonly pool: Datum[] = []
  private index = 0

  constructor (random: Random, shape: Shape) {
    const codec = new Codec(shape.encoding)
    const count = Math.max(16, Math.floor(VALUE_POOL_BYTES / shape.valueSize))
    for (let i = 0; i < count; i++) this.pool.push(codec.value(printableValue(random, shape.valueSize)))
  }

  next (): Datum {
    const value = this.pool[this.index]
    this.index = this.index + 1 === this.pool.length ? 0 : this.index + 1
    return value
  }
}

/** A random permutation of 0..count-1 (Fisher-Yates), for writing every key once in random order. */
export function shuffledIndexes (random: Random, count: number): Uint32Array {
  const order = new Uint32Array(count)
  for (let i = 0; i < count; i++) order[i] = i
  for (let i = count - 1; i > 0; i--) {
    const j = random.int(i + 1)
    const swap = order[i]
    order[i] = order[j]
    order[j] = swap
  }
  return order
}

/** Size in bytes of a key or value as stored. */
export function byteLength (datum: Datum): number {
  return typeof datum === 'string' ? Buffer.byteLength(datum) : datum.length
}
