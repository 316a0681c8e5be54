// A charge-bounded LRU cache: a Map finds entries, and a doubly linked list through the entries
// keeps them in order of use, so a hit only relinks one entry (cheaper than deleting and
// re-inserting into the Map to use its insertion order).

export type CacheKey = string | number

interface Entry<V> {
  readonly key: CacheKey
  value: V
  charge: number
  // Toward the most recently used end, and toward the least recently used end.
  newer: Entry<V> | null
  older: Entry<V> | null
}

export class LRUCache<V> {
  private readonly entries = new Map<CacheKey, Entry<V>>()
  private newest: Entry<V> | null = null
  private oldest: Entry<V> | null = null
  private charged = 0

  // onEvict runs whenever an entry leaves the cache: eviction, replacement, delete() or clear().
  constructor (readonly capacity: number, private readonly onEvict?: (key: CacheKey, value: V) => void) {}

  get totalCharge (): number {
    return this.charged
  }

  get size (): number {
    return this.entries.size
  }

  get (key: CacheKey): V | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    if (entry !== this.newest) {
      this.unlink(entry)
      this.linkAsNewest(entry)
    }
    return entry.value
  }

  // A snapshot of the keys, oldest use first, so the cache may change while they are visited.
  keys (): CacheKey[] {
    const keys: CacheKey[] = []
    for (let entry = this.oldest; entry !== null; entry = entry.newer) keys.push(entry.key)
    return keys
  }

  has (key: CacheKey): boolean {
    return this.entries.has(key)
  }

  // An entry larger than the whole capacity is evicted immediately (after older ones).
  set (key: CacheKey, value: V, charge: number): void {
    const old = this.entries.get(key)
    if (old !== undefined) {
      this.remove(old)
      if (old.value !== value) this.onEvict?.(key, old.value)
    }
    const entry: Entry<V> = { key, value, charge, newer: null, older: null }
    this.entries.set(key, entry)
    this.linkAsNewest(entry)
    this.charged += charge
    this.evictWhileOverCapacity()
  }

  delete (key: CacheKey): boolean {
    const entry = this.entries.get(key)
    if (entry === undefined) return false
    this.remove(entry)
    this.onEvict?.(key, entry.value)
    return true
  }

  clear (): void {
    const entries = [...this.entries.values()]
    this.entries.clear()
    this.newest = this.oldest = null
    this.charged = 0
    if (this.onEvict !== undefined) {
      for (const entry of entries) this.onEvict(entry.key, entry.value)
    }
  }

  private evictWhileOverCapacity (): void {
    while (this.charged > this.capacity && this.oldest !== null) this.delete(this.oldest.key)
  }

  private remove (entry: Entry<V>): void {
    this.entries.delete(entry.key)
    this.unlink(entry)
    this.charged -= entry.charge
  }

  private unlink (entry: Entry<V>): void {
    if (entry.newer === null) this.newest = entry.older
    else entry.newer.older = entry.older
    if (entry.older === null) this.oldest = entry.newer
    else entry.older.newer = entry.newer
    entry.newer = entry.older = null
  }

  private linkAsNewest (entry: Entry<V>): void {
    entry.older = this.newest
    if (this.newest === null) this.oldest = entry
    else this.newest.newer = entry
    this.newest = entry
  }
}
