// LevelDB's murmur-like Hash (util/hash.cc) and its builtin bloom filter policy (util/bloom.cc).
import type { ByteWriter } from '../format/coding'

// Filters are built from key hashes, so a table builder keeps one number per key, not the key.
export interface FilterPolicy {
  readonly name: string
  // 32 bits, signed or not: createFilter reads each hash as unsigned.
  keyHash (data: Uint8Array, start: number, end: number): number
  // Appends the filter for keyHashes[0, count) to out.
  createFilter (keyHashes: ArrayLike<number>, count: number, out: ByteWriter): void
  // Whether key[keyStart, keyEnd) may be among the keys of filter[filterStart, filterEnd).
  keyMayMatch (key: Uint8Array, filter: Uint8Array, keyStart?: number, keyEnd?: number, filterStart?: number, filterEnd?: number): boolean
  // The same for a key given by its keyHash(): a point lookup hashes its key once for every table.
  hashMayMatch (keyHash: number, filter: Uint8Array, filterStart: number, filterEnd: number): boolean
}

export const BLOOM_FILTER_NAME = 'leveldb.BuiltinBloomFilter2'
// Metaindex key under which a table stores its filter block.
export const BLOOM_FILTER_METAINDEX_KEY = 'filter.' + BLOOM_FILTER_NAME

const HASH_M = 0xc6a4a793
const BLOOM_SEED = 0xbc9f1d34

export function hash (data: Uint8Array, seed: number, start = 0, end: number = data.length): number {
  return hashBits(data, seed, start, end) >>> 0
}

// BloomFilterPolicy's keyHash, for a reader that hashes a key before it knows which tables to ask.
export function bloomKeyHash (data: Uint8Array, start: number, end: number): number {
  return hashBits(data, BLOOM_SEED, start, end)
}

// The hash as an int32 (the same 32 bits): a small integer to V8, where an unsigned value above
// 2^31 would be a heap number, allocated per key when a table builder hashes its keys.
function hashBits (data: Uint8Array, seed: number, start: number, end: number): number {
  let h = seed ^ Math.imul(end - start, HASH_M)
  let i = start
  for (const last4 = end - 4; i <= last4; i += 4) {
    const w = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)
    h = Math.imul((h + w) | 0, HASH_M)
    h ^= h >>> 16
  }
  const rest = end - i
  if (rest > 0) {
    if (rest === 3) h = (h + (data[i + 2] << 16)) | 0
    if (rest >= 2) h = (h + (data[i + 1] << 8)) | 0
    h = (h + data[i]) | 0
    h = Math.imul(h, HASH_M)
    h ^= h >>> 24
  }
  return h
}

export class BloomFilterPolicy implements FilterPolicy {
  readonly name = BLOOM_FILTER_NAME
  private readonly probes: number

  constructor (private readonly bitsPerKey: number = 10) {
    // Rounded down on purpose, as LevelDB does, to reduce probing cost a little.
    this.probes = Math.min(30, Math.max(1, Math.floor(bitsPerKey * 0.69)))
  }

  keyHash (data: Uint8Array, start: number, end: number): number {
    return hashBits(data, BLOOM_SEED, start, end)
  }

  createFilter (keyHashes: ArrayLike<number>, count: number, out: ByteWriter): void {
    // A minimum length keeps the false positive rate sane for small key counts.
    const bits = Math.max(64, count * this.bitsPerKey)
    const bytes = Math.ceil(bits / 8)
    const totalBits = bytes * 8
    // Written in place: a table of 4 KiB values has a filter of one key per data block.
    const at = out.zerosAt(bytes + 1)
    const filter = out.buffer()
    filter[at + bytes] = this.probes
    const probes = this.probes
    for (let i = 0; i < count; i++) {
      let h = keyHashes[i] | 0
      const delta = (h >>> 17) | (h << 15)
      for (let j = 0; j < probes; j++) {
        const bit = probeBit(h, totalBits)
        filter[at + (bit >>> 3)] |= 1 << (bit & 7)
        h = (h + delta) | 0
      }
    }
  }

  keyMayMatch (key: Uint8Array, filter: Uint8Array, keyStart = 0, keyEnd = key.length, filterStart = 0, filterEnd = filter.length): boolean {
    return this.hashMayMatch(hashBits(key, BLOOM_SEED, keyStart, keyEnd), filter, filterStart, filterEnd)
  }

  hashMayMatch (keyHash: number, filter: Uint8Array, filterStart: number, filterEnd: number): boolean {
    const len = filterEnd - filterStart
    if (len < 2) return false
    const probes = filter[filterEnd - 1]
    // Reserved by LevelDB for future encodings: treat as a match.
    if (probes > 30) return true
    const totalBits = (len - 1) * 8
    let h = keyHash | 0
    const delta = (h >>> 17) | (h << 15)
    for (let j = 0; j < probes; j++) {
      const bit = probeBit(h, totalBits)
      if ((filter[filterStart + (bit >>> 3)] & (1 << (bit & 7))) === 0) return false
      h = (h + delta) | 0
    }
    return true
  }
}

// (h as an unsigned 32-bit number) % totalBits, the bit a probe sets or tests, by one
// floating-point division: u - floor(u / m) * m is exact in doubles, because for u < 2^52 the
// rounded quotient u / m never reaches the next integer (u / m is at least 1 / m below it, more
// than the rounding error of u / m * 2^-52), so floor() finds the true quotient. Two integer
// modulos on halves of h (which keep every step a small integer to V8) cost about 4x as much per
// probe, and a point lookup probes a filter in every table it asks.
function probeBit (h: number, totalBits: number): number {
  const u = h >>> 0
  return u - Math.floor(u / totalBits) * totalBits
}
