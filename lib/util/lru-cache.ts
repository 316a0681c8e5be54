// A charge-bounded LRU cache: a Map finds entries, and a doubly linked list through the entries
// keeps them in order of use, so a hit only relinks one entry (cheaper than deleting and
// re-inserting into the Map to use its insertion order).

export type CacheKey = string | number

// The list is circular through a sentinel entry (LRUCache.head): head.older is the most
// recently used entry, head.newer the least, and both are the head when the cache is empty, so
// linking and unlinking take no branch. Branches for the ends of the list, taken by few
// operations (unlinking the newest entry), had no type feedback when V8 first optimised a read
// loop in a fresh process, and their first use threw that code away.
class Entry<V> {
  // Toward the most recently used end, and toward the least recently used end; an entry that has
  // left the list points to itself.
  newer: Entry<V> = this
  older: Entry<V> = this

  constructor (
    readonly key: CacheKey,
    // Undefined once the entry has left the cache, so that a handle kept by a reader does not
    // keep the value alive.
    public value: V | undefined,
    public charge: number
  ) {}
}

// Made before any cache's entries, with a string key: V8 then stores every entry's key as a
// tagged value from the start. Made first with a small-integer key (a table cache's file
// number), entries changed hidden class at the first block-cache key (a double), and lookups
// optimised before that were thrown away.
function sentinel<V> (): Entry<V> {
  return new Entry<V>('', undefined, 0)
}

// Values are never undefined: touch() takes undefined for an entry that has left the cache.
// An entry as lookup() and insert() hand it out: touch() reaches its value while it is cached
// without looking its key up again (a point lookup keeps one per data block of a table).
export type CacheHandle<V> = Readonly<Entry<V>>

export class LRUCache<V> {
  private readonly entries = new Map<CacheKey, Entry<V>>()
  private readonly head: Entry<V> = sentinel<V>()
  private charged = 0

  // onEvict runs whenever an entry leaves the cache: eviction, replacement, delete() or clear().
  constructor (readonly capacity: number, private readonly onEvict?: (key: CacheKey, value: V) => void) {}

  // Runs whenever an entry leaves the cache; a subclass may take the value over from here.
  protected evicted (key: CacheKey, value: V): void {
    this.onEvict?.(key, value)
  }

  get totalCharge (): number {
    return this.charged
  }

  get size (): number {
    return this.entries.size
  }

  get (key: CacheKey): V | undefined {
    return this.lookup(key)?.value
  }

  // As get(), handing out the entry.
  lookup (key: CacheKey): CacheHandle<V> | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    this.use(entry)
    return entry
  }

  // The value of an entry lookup() or insert() handed out, as get() of its key would return it,
  // or undefined once the entry has left the cache.
  touch (handle: CacheHandle<V>): V | undefined {
    const entry = handle as Entry<V>
    if (entry.value === undefined) return undefined
    this.use(entry)
    return entry.value
  }

  // A snapshot of the keys, oldest use first, so the cache may change while they are visited.
  keys (): CacheKey[] {
    const keys: CacheKey[] = []
    const head = this.head
    for (let entry = head.newer; entry !== head; entry = entry.newer) keys.push(entry.key)
    return keys
  }

  has (key: CacheKey): boolean {
    return this.entries.has(key)
  }

  // An entry larger than the whole capacity is evicted immediately (after older ones).
  set (key: CacheKey, value: V, charge: number): void {
    this.insert(key, value, charge)
  }

  // As set(), handing out the entry.
  insert (key: CacheKey, value: V, charge: number): CacheHandle<V> {
    const old = this.entries.get(key)
    if (old !== undefined) {
      const oldValue = this.remove(old)
      if (oldValue !== value) this.evicted(key, oldValue)
    }
    const entry = new Entry<V>(key, value, charge)
    this.entries.set(key, entry)
    this.linkAsNewest(entry)
    this.charged += charge
    this.evictWhileOverCapacity()
    return entry
  }

  delete (key: CacheKey): boolean {
    const entry = this.entries.get(key)
    if (entry === undefined) return false
    const value = this.remove(entry)
    this.evicted(key, value)
    return true
  }

  clear (): void {
    const entries = [...this.entries.values()]
    const values = entries.map(entry => entry.value as V)
    for (const entry of entries) entry.value = undefined
    this.entries.clear()
    this.head.newer = this.head.older = this.head
    this.charged = 0
    for (let i = 0; i < entries.length; i++) this.evicted(entries[i].key, values[i])
  }

  private use (entry: Entry<V>): void {
    if (entry !== this.head.older) {
      this.unlink(entry)
      this.linkAsNewest(entry)
    }
  }

  // Evicts by entry, not by key: no second Map lookup per eviction (one per block-cache miss).
  private evictWhileOverCapacity (): void {
    const head = this.head
    while (this.charged > this.capacity && head.newer !== head) {
      const entry = head.newer
      this.evicted(entry.key, this.remove(entry))
    }
  }

  // Takes the entry out of the cache and returns its value.
  private remove (entry: Entry<V>): V {
    const value = entry.value as V
    entry.value = undefined
    this.entries.delete(entry.key)
    this.unlink(entry)
    this.charged -= entry.charge
    return value
  }

  private unlink (entry: Entry<V>): void {
    entry.newer.older = entry.older
    entry.older.newer = entry.newer
    entry.newer = entry.older = entry
  }

  private linkAsNewest (entry: Entry<V>): void {
    const head = this.head
    const newest = head.older
    entry.older = newest
    entry.newer = head
    newest.newer = entry
    head.older = entry
  }
}
