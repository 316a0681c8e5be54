// A charge-bounded LRU cache. Map iteration order is insertion order, so re-inserting an entry
// on access keeps the least recently used entry first, giving O(1) get, set and eviction.

export type CacheKey = string | number

interface Entry<V> {
  value: V
  charge: number
}

export class LRUCache<V> {
  private readonly entries = new Map<CacheKey, Entry<V>>()
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
    this.entries.delete(key)
    this.entries.set(key, entry)
    return entry.value
  }

  has (key: CacheKey): boolean {
    return this.entries.has(key)
  }

  // An entry larger than the whole capacity is evicted immediately (after older ones).
  set (key: CacheKey, value: V, charge: number): void {
    const old = this.entries.get(key)
    if (old !== undefined) {
      this.entries.delete(key)
      this.charged -= old.charge
      if (old.value !== value) this.onEvict?.(key, old.value)
    }
    this.entries.set(key, { value, charge })
    this.charged += charge
    this.evictWhileOverCapacity()
  }

  delete (key: CacheKey): boolean {
    const entry = this.entries.get(key)
    if (entry === undefined) return false
    this.entries.delete(key)
    this.charged -= entry.charge
    this.onEvict?.(key, entry.value)
    return true
  }

  clear (): void {
    const entries = [...this.entries]
    this.entries.clear()
    this.charged = 0
    if (this.onEvict !== undefined) {
      for (const [key, entry] of entries) this.onEvict(key, entry.value)
    }
  }

  private evictWhileOverCapacity (): void {
    while (this.charged > this.capacity) {
      const oldest = this.entries.keys().next()
      if (oldest.done === true) break
      this.delete(oldest.value)
    }
  }
}
