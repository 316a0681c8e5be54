// LevelDB's murmur-like Hash (util/hash.cc) and its builtin bloom filter policy (util/bloom.cc).

// Filters are built from key hashes, so a table builder keeps one number per key, not the key.
export interface FilterPolicy {
  readonly name: string
  keyHash (data: Uint8Array, start: number, end: number): number
  createFilter (keyHashes: readonly number[]): Buffer
  keyMayMatch (key: Buffer, filter: Buffer): boolean
}

export const BLOOM_FILTER_NAME = 'leveldb.BuiltinBloomFilter2'
// Metaindex key under which a table stores its filter block.
export const BLOOM_FILTER_METAINDEX_KEY = 'filter.' + BLOOM_FILTER_NAME

const HASH_M = 0xc6a4a793
const BLOOM_SEED = 0xbc9f1d34

export function hash (data: Uint8Array, seed: number, start = 0, end: number = data.length): number {
  let h = (seed ^ Math.imul(end - start, HASH_M)) >>> 0
  let i = start
  for (const last4 = end - 4; i <= last4; i += 4) {
    const w = (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)) >>> 0
    h = Math.imul((h + w) >>> 0, HASH_M) >>> 0
    h = (h ^ (h >>> 16)) >>> 0
  }
  const rest = end - i
  if (rest > 0) {
    if (rest === 3) h = (h + (data[i + 2] << 16)) >>> 0
    if (rest >= 2) h = (h + (data[i + 1] << 8)) >>> 0
    h = (h + data[i]) >>> 0
    h = Math.imul(h, HASH_M) >>> 0
    h = (h ^ (h >>> 24)) >>> 0
  }
  return h
}

export function bloomHash (key: Uint8Array): number {
  return hash(key, BLOOM_SEED)
}

export class BloomFilterPolicy implements FilterPolicy {
  readonly name = BLOOM_FILTER_NAME
  private readonly probes: number

  constructor (private readonly bitsPerKey: number = 10) {
    // Rounded down on purpose, as LevelDB does, to reduce probing cost a little.
    this.probes = Math.min(30, Math.max(1, Math.floor(bitsPerKey * 0.69)))
  }

  keyHash (data: Uint8Array, start: number, end: number): number {
    return hash(data, BLOOM_SEED, start, end)
  }

  createFilter (keyHashes: readonly number[]): Buffer {
    // A minimum length keeps the false positive rate sane for small key counts.
    const bits = Math.max(64, keyHashes.length * this.bitsPerKey)
    const bytes = Math.ceil(bits / 8)
    const totalBits = bytes * 8
    const filter = Buffer.alloc(bytes + 1)
    filter[bytes] = this.probes
    for (let h of keyHashes) {
      const delta = ((h >>> 17) | (h << 15)) >>> 0
      for (let j = 0; j < this.probes; j++) {
        const bit = h % totalBits
        filter[bit >>> 3] |= 1 << (bit & 7)
        h = (h + delta) >>> 0
      }
    }
    return filter
  }

  keyMayMatch (key: Buffer, filter: Buffer): boolean {
    const len = filter.length
    if (len < 2) return false
    const probes = filter[len - 1]
    // Reserved by LevelDB for future encodings: treat as a match.
    if (probes > 30) return true
    const totalBits = (len - 1) * 8
    let h = bloomHash(key)
    const delta = ((h >>> 17) | (h << 15)) >>> 0
    for (let j = 0; j < probes; j++) {
      const bit = h % totalBits
      if ((filter[bit >>> 3] & (1 << (bit & 7))) === 0) return false
      h = (h + delta) >>> 0
    }
    return true
  }
}
