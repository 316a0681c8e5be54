// An ordered set kept as a skiplist, as LevelDB's memtable does. Node links live in one
// growable Int32Array (an arena of node offsets) rather than per-node objects and arrays, which
// keeps garbage-collector work per insert to the caller's entry object alone.
export type Comparator<T> = (a: T, b: T) => number

export const MAX_HEIGHT = 12
const BRANCHING = 4
const NIL = -1
// Node layout in the arena: [entryIndex, next[0], ..., next[height - 1]].
const HEAD = 0
const LINKS = 1

export class SkipList<T> {
  private arena: Int32Array
  private arenaUsed: number
  private readonly entries: T[] = []
  private height = 1
  private randomState: number
  // Scratch space for insert: the rightmost node before the new entry at each level.
  private readonly splice = new Int32Array(MAX_HEIGHT)

  constructor (private readonly compare: Comparator<T>, seed = 0xdeadbeef) {
    this.arena = new Int32Array(1024)
    this.arena.fill(NIL, 0, LINKS + MAX_HEIGHT)
    this.arenaUsed = LINKS + MAX_HEIGHT
    this.randomState = (seed >>> 0) || 1
  }

  get size (): number {
    return this.entries.length
  }

  // The caller must not insert an entry that compares equal to one already present.
  insert (entry: T): void {
    const splice = this.splice
    this.findGreaterOrEqual(entry, splice)
    const height = this.randomHeight()
    for (let level = this.height; level < height; level++) splice[level] = HEAD
    if (height > this.height) this.height = height

    const node = this.allocateNode(height)
    const arena = this.arena
    arena[node] = this.entries.length
    this.entries.push(entry)
    for (let level = 0; level < height; level++) {
      const before = splice[level] + LINKS + level
      arena[node + LINKS + level] = arena[before]
      arena[before] = node
    }
  }

  contains (entry: T): boolean {
    const node = this.findGreaterOrEqual(entry, undefined)
    return node !== NIL && this.compare(this.entryAt(node), entry) === 0
  }

  // The first entry >= target, if any.
  lowerBound (target: T): T | undefined {
    const node = this.findGreaterOrEqual(target, undefined)
    return node === NIL ? undefined : this.entryAt(node)
  }

  newIterator (): SkipListIterator<T> {
    return new SkipListIterator(this)
  }

  // Internal navigation used by SkipListIterator. Nodes are arena offsets; NIL means none.

  entryAt (node: number): T {
    return this.entries[this.arena[node]]
  }

  nextOf (node: number): number {
    return this.arena[node + LINKS]
  }

  first (): number {
    return this.arena[HEAD + LINKS]
  }

  findGreaterOrEqual (target: T, splice: Int32Array | undefined): number {
    const arena = this.arena
    const compare = this.compare
    let node = HEAD
    let level = this.height - 1
    // A node already found not to be less than target at a higher level needs no second compare.
    let knownNotLess = NIL
    while (true) {
      const next = arena[node + LINKS + level]
      if (next !== NIL && next !== knownNotLess && compare(this.entries[arena[next]], target) < 0) {
        node = next
      } else {
        if (splice !== undefined) splice[level] = node
        if (level === 0) return next
        knownNotLess = next
        level--
      }
    }
  }

  findLessThan (target: T): number {
    const arena = this.arena
    const compare = this.compare
    let node = HEAD
    let level = this.height - 1
    while (true) {
      const next = arena[node + LINKS + level]
      if (next !== NIL && compare(this.entries[arena[next]], target) < 0) {
        node = next
      } else {
        if (level === 0) return node === HEAD ? NIL : node
        level--
      }
    }
  }

  findLast (): number {
    const arena = this.arena
    let node = HEAD
    let level = this.height - 1
    while (true) {
      const next = arena[node + LINKS + level]
      if (next !== NIL) {
        node = next
      } else {
        if (level === 0) return node === HEAD ? NIL : node
        level--
      }
    }
  }

  private allocateNode (height: number): number {
    const node = this.arenaUsed
    const end = node + LINKS + height
    if (end > this.arena.length) {
      const grown = new Int32Array(this.arena.length * 2)
      grown.set(this.arena)
      this.arena = grown
    }
    this.arenaUsed = end
    return node
  }

  // Each extra level is kept with probability 1/BRANCHING, so search cost stays logarithmic.
  private randomHeight (): number {
    let height = 1
    while (height < MAX_HEIGHT && this.nextRandom() % BRANCHING === 0) height++
    return height
  }

  // xorshift32: cheap and deterministic for a given seed.
  private nextRandom (): number {
    let x = this.randomState
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    this.randomState = x >>> 0
    return this.randomState
  }
}

// Stays valid across later inserts: nodes never move or disappear.
export class SkipListIterator<T> {
  private node = NIL

  constructor (private readonly list: SkipList<T>) {}

  valid (): boolean {
    return this.node !== NIL
  }

  entry (): T {
    return this.list.entryAt(this.node)
  }

  next (): void {
    this.node = this.list.nextOf(this.node)
  }

  // Singly linked, so stepping back searches from the head for the last entry before this one.
  prev (): void {
    this.node = this.list.findLessThan(this.list.entryAt(this.node))
  }

  seek (target: T): void {
    this.node = this.list.findGreaterOrEqual(target, undefined)
  }

  seekToFirst (): void {
    this.node = this.list.first()
  }

  seekToLast (): void {
    this.node = this.list.findLast()
  }
}
