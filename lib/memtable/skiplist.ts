import { MAX_SEQUENCE, TAG_SIZE, ValueType } from '../format/internal-key'
import { setEntryRanges } from '../iterator/entry-ranges'
import type { EntryRanges } from '../iterator/entry-ranges'
import { copyRange, WORD_COPY } from '../format/coding'

// LevelDB's memtable skiplist, laid out the way LevelDB lays it out: every node (header, links,
// the encoded internal key and the value) lives in one arena. A comparison then touches one node
// record instead of chasing an entry object, a Buffer object and its backing store, which is
// what dominates insert and lookup cost once the table outgrows the CPU caches. Copying values in
// (rather than keeping the write batches they came from) leaves the garbage collector nothing
// per write to track, and lets a finished memtable's arena be reused.
//
// Node layout in 32-bit slots: [keyStart, userKeyLength, tagLow, tagHigh, valueLength, keyPrefix,
// link[0] .. link[height - 1]], followed by the internal key bytes (user key + 8-byte tag) and
// the value bytes. keyPrefix holds the user key's first 4 bytes, big-endian and zero-padded, so
// most comparisons end with one integer compare instead of a byte loop. keyStart is a byte
// offset; links are slot offsets of the next node, or NO_NODE.
export const MAX_HEIGHT = 12
const BRANCHING = 4

// Browsers define SharedArrayBuffer only in cross-origin isolated contexts.
const SharedMemory: typeof SharedArrayBuffer | undefined = globalThis.SharedArrayBuffer
function isSharedMemory (buffer: ArrayBufferLike): buffer is SharedArrayBuffer {
  return SharedMemory !== undefined && buffer instanceof SharedMemory
}
// Node handles are slot offsets; NO_NODE marks the end of the list.
export const NO_NODE = -1
const KEY_START = 0
const USER_KEY_LENGTH = 1
const TAG_LOW = 2
const TAG_HIGH = 3
const VALUE_LENGTH = 4
const KEY_PREFIX = 5
const LINKS = 6
const HEAD = 0
// The head node has no key, so two of its header slots record the list's height and entry count
// for a frozen list to pick up.
const HEAD_HEIGHT = HEAD + KEY_START
const HEAD_ENTRIES = HEAD + USER_KEY_LENGTH
const TWO_24 = 0x1000000

export class InternalKeySkipList {
  private ints: Int32Array
  private bytes: Buffer
  // Big-endian 4-byte loads order bytes as a byte loop would, four at a time.
  private view: DataView
  // The key being sought or inserted, and a view of its buffer (kept while the same buffer, a
  // write batch say, supplies key after key).
  private targetSource: Uint8Array | null = null
  private targetView: DataView
  private used = 0
  private entries = 0
  private height = 1
  private randomState: number
  // The rightmost node before the new key at each level, for insert. Kept from one insert to the
  // next, so that a key sorting after the list's last node is appended without a search.
  private readonly splice = new Int32Array(MAX_HEIGHT)
  // The node the last insert added (NO_NODE before any).
  private lastInserted = NO_NODE
  // The tag words of the key being inserted or sought, set by setTargetTag.
  private targetTagHigh = 0
  private targetTagLow = 0
  // Leading bytes, a multiple of 4, that the last compareNode found its node's user key and the
  // target's to share (at least; fewer when the keys' first words differ).
  private shared = 0

  // The arena grows into a larger buffer if the entries outgrow it; `arena` then is no longer
  // used. An arena backed by a SharedArrayBuffer grows into another one, so that a finished list
  // can always be read from another thread (see frozen()).
  constructor (seed = 0xdeadbeef, arena: Buffer = Buffer.allocUnsafeSlow(1 << 16), private readonly isFrozen = false) {
    this.bytes = arena
    this.ints = int32View(arena)
    this.view = this.targetView = dataView(arena)
    this.randomState = (seed >>> 0) || 1
    if (isFrozen) {
      this.used = this.ints.length
      this.height = this.ints[HEAD_HEIGHT]
      this.entries = this.ints[HEAD_ENTRIES]
    } else {
      this.allocate(LINKS + MAX_HEIGHT)
      this.ints.fill(NO_NODE, HEAD + LINKS, HEAD + LINKS + MAX_HEIGHT)
      this.ints[HEAD_HEIGHT] = this.height
      this.ints[HEAD_ENTRIES] = 0
    }
  }

  // A read-only list over the arena of a list that takes no more inserts, e.g. one built in
  // another thread: reads need nothing but the arena, whose head node sits at its start.
  static frozen (arena: Buffer): InternalKeySkipList {
    return new InternalKeySkipList(undefined, arena, true)
  }

  // The buffer holding the nodes now: the constructor's arena unless the entries outgrew it.
  get arena (): Buffer {
    return this.bytes
  }

  get size (): number {
    return this.entries
  }

  // Bytes of arena in use: node headers, links, keys and values.
  get arenaBytes (): number {
    return this.used * 4
  }

  // Inserts the user key userKey[keyStart, keyStart + keyLength) with the value
  // valueSource[valueStart, valueStart + valueLength), copying both into the arena.
  // The caller must not insert a key (user key, sequence, type) that is already present.
  // Returns the new node's height (its number of links).
  insert (userKey: Uint8Array, keyStart: number, keyLength: number, sequence: number, type: ValueType, valueSource: Uint8Array, valueStart: number, valueLength: number): number {
    if (this.isFrozen) throw new Error('insert into a frozen skiplist')
    this.setTargetTag(sequence, type)
    const tagLow = this.targetTagLow
    const tagHigh = this.targetTagHigh
    const splice = this.splice
    const prefix = keyPrefix(userKey, keyStart, keyLength)
    if (!this.appendsAtEnd(userKey, keyStart, keyLength, prefix, tagHigh, tagLow)) {
      this.findGreaterOrEqual(userKey, keyStart, keyLength, prefix, tagHigh, tagLow, splice)
    }
    const height = this.randomHeight()
    for (let level = this.height; level < height; level++) splice[level] = HEAD
    if (height > this.height) this.height = this.ints[HEAD_HEIGHT] = height

    const padding = this.valuePadding(valueSource, valueStart, valueLength, (this.used + LINKS + height) * 4 + keyLength + TAG_SIZE)
    const dataSlots = (padding + keyLength + TAG_SIZE + valueLength + 3) >>> 2
    const node = this.allocate(LINKS + height + dataSlots)
    const ints = this.ints
    const nodeKeyStart = (node + LINKS + height) * 4 + padding
    ints[node + KEY_START] = nodeKeyStart
    ints[node + USER_KEY_LENGTH] = keyLength
    ints[node + TAG_LOW] = tagLow
    ints[node + TAG_HIGH] = tagHigh
    ints[node + VALUE_LENGTH] = valueLength
    ints[node + KEY_PREFIX] = prefix
    this.copyIn(userKey, keyStart, keyLength, nodeKeyStart)
    // The tag as writeTag lays it out: its words are the target's (see setTargetTag).
    this.view.setInt32(nodeKeyStart + keyLength, tagLow, true)
    this.view.setInt32(nodeKeyStart + keyLength + 4, tagHigh, true)
    this.copyIn(valueSource, valueStart, valueLength, nodeKeyStart + keyLength + TAG_SIZE)
    this.ints[HEAD_ENTRIES] = ++this.entries
    for (let level = 0; level < height; level++) {
      const before = splice[level] + LINKS + level
      ints[node + LINKS + level] = ints[before]
      ints[before] = node
      splice[level] = node
    }
    this.lastInserted = node
    return height
  }

  // True when the key sorts after the last node inserted and that node ends the list. splice then
  // holds the last node of every level already: for levels the last node reaches it is that node,
  // and above them the previous insert's predecessors, which are the last nodes of their levels
  // since everything sorts before the node that ends the list. Ascending inserts (sequential
  // keys, a sorted batch) so cost one comparison each.
  private appendsAtEnd (userKey: Uint8Array, keyStart: number, keyLength: number, prefix: number, tagHigh: number, tagLow: number): boolean {
    const last = this.lastInserted
    if (last === NO_NODE || this.ints[last + LINKS] !== NO_NODE) return false
    this.setTarget(userKey)
    return this.compareNode(last, 0, prefix, userKey, keyStart, keyLength, tagHigh, tagLow) < 0
  }

  // The first node at or after (userKey, sequence, type) in internal-key order, or NO_NODE.
  seek (userKey: Uint8Array, sequence: number, type: ValueType): number {
    this.setTargetTag(sequence, type)
    return this.findGreaterOrEqual(userKey, 0, userKey.length, keyPrefix(userKey, 0, userKey.length), this.targetTagHigh, this.targetTagLow, undefined)
  }

  first (): number {
    return this.ints[HEAD + LINKS]
  }

  next (node: number): number {
    return this.ints[node + LINKS]
  }

  // The last node before the given one, or NO_NODE. Links are one-way, so this searches from the head.
  prev (node: number): number {
    const ints = this.ints
    const keyStart = ints[node + KEY_START]
    const userKeyLength = ints[node + USER_KEY_LENGTH]
    const tagLow = ints[node + TAG_LOW]
    const tagHigh = ints[node + TAG_HIGH]
    const prefix = ints[node + KEY_PREFIX]
    const bytes = this.bytes
    this.setTarget(bytes)
    let x = HEAD
    let level = this.height - 1
    while (true) {
      const next = ints[x + LINKS + level]
      if (next !== NO_NODE && this.compareNode(next, 0, prefix, bytes, keyStart, userKeyLength, tagHigh, tagLow) < 0) {
        x = next
      } else {
        if (level === 0) return x === HEAD ? NO_NODE : x
        level--
      }
    }
  }

  last (): number {
    const ints = this.ints
    let x = HEAD
    let level = this.height - 1
    while (true) {
      const next = ints[x + LINKS + level]
      if (next !== NO_NODE) {
        x = next
      } else {
        if (level === 0) return x === HEAD ? NO_NODE : x
        level--
      }
    }
  }

  // The node's internal key. It is a view of arena bytes that are never rewritten, so it stays
  // intact even after the arena grows into a new buffer.
  internalKey (node: number): Buffer {
    const keyStart = this.ints[node + KEY_START]
    return this.bytes.subarray(keyStart, keyStart + this.ints[node + USER_KEY_LENGTH] + TAG_SIZE)
  }

  // A view of the node's value in the arena, with the same lifetime as internalKey's views.
  value (node: number): Buffer {
    const start = this.valueStart(node)
    return this.bytes.subarray(start, start + this.ints[node + VALUE_LENGTH])
  }

  // The node's key and value as ranges, without creating views; valid until the next insert.
  readEntry (node: number, into: EntryRanges): void {
    const ints = this.ints
    const keyStart = ints[node + KEY_START]
    const keyEnd = keyStart + ints[node + USER_KEY_LENGTH] + TAG_SIZE
    setEntryRanges(into, this.bytes, keyStart, keyEnd, this.bytes, keyEnd, keyEnd + ints[node + VALUE_LENGTH])
  }

  private valueStart (node: number): number {
    return this.ints[node + KEY_START] + this.ints[node + USER_KEY_LENGTH] + TAG_SIZE
  }

  type (node: number): ValueType {
    return this.ints[node + TAG_LOW] & 0xff
  }

  userKeyEquals (node: number, userKey: Uint8Array): boolean {
    const ints = this.ints
    if (ints[node + USER_KEY_LENGTH] !== userKey.length) return false
    this.setTarget(userKey)
    return this.compareUserKey(ints[node + KEY_START], userKey.length, userKey, 0, userKey.length, 0) === 0
  }

  // Splits sequence << 8 | type into two int32 words, as writeTag lays it out (MAX_SEQUENCE,
  // inexact as a double, becomes the all-ones pattern it stands for).
  private setTargetTag (sequence: number, type: ValueType): void {
    if (sequence >= MAX_SEQUENCE) {
      this.targetTagHigh = -1
      this.targetTagLow = (0xffffff00 | type) | 0
    } else {
      this.targetTagHigh = Math.floor(sequence / TWO_24) | 0
      this.targetTagLow = ((sequence % TWO_24) * 256 + type) | 0
    }
  }

  // prefix is keyPrefix() of the user key, which insert() also stores in the new node.
  private findGreaterOrEqual (userKey: Uint8Array, userKeyStart: number, userKeyLength: number, prefix: number, tagHigh: number, tagLow: number, splice: Int32Array | undefined): number {
    const ints = this.ints
    this.setTarget(userKey)
    let x = HEAD
    let level = this.height - 1
    // A node already found not to be before the target needs no second comparison one level down.
    let knownNotBefore = NO_NODE
    // Leading bytes of the target's user key that x's shares, and knownNotBefore's (none for the
    // head and the end of the list). Every node between the two sorts between them, so it shares
    // the lesser of the two with the target as well, and its comparison skips them: a common
    // prefix of the keys (zero-padded numbers, a sublevel's name) is not compared at every node.
    let lowShared = 0
    let highShared = 0
    while (true) {
      const next = ints[x + LINKS + level]
      if (next !== NO_NODE && next !== knownNotBefore) {
        if (this.compareNode(next, lowShared < highShared ? lowShared : highShared, prefix, userKey, userKeyStart, userKeyLength, tagHigh, tagLow) < 0) {
          x = next
          lowShared = this.shared
          continue
        }
        highShared = this.shared
      }
      if (splice !== undefined) splice[level] = x
      if (level === 0) return next
      knownNotBefore = next
      level--
    }
  }

  // Orders a node against a target in internal-key order: user key ascending, tag descending.
  // `known`: leading bytes (a multiple of 4) the two user keys are known to share, not compared again.
  private compareNode (node: number, known: number, prefix: number, userKey: Uint8Array, userKeyStart: number, userKeyLength: number, tagHigh: number, tagLow: number): number {
    const ints = this.ints
    const nodeKeyLength = ints[node + USER_KEY_LENGTH]
    let from = known
    if (from === 0) {
      const nodePrefix = ints[node + KEY_PREFIX]
      if (nodePrefix !== prefix) {
        this.shared = 0
        return (nodePrefix >>> 0) < (prefix >>> 0) ? -1 : 1
      }
      // Equal prefixes are equal first words, unless a key shorter than a word was padded.
      if (nodeKeyLength >= 4 && userKeyLength >= 4) from = 4
    }
    const r = this.compareUserKey(ints[node + KEY_START], nodeKeyLength, userKey, userKeyStart, userKeyLength, from)
    if (r !== 0) return r
    const high = ints[node + TAG_HIGH]
    if (high !== tagHigh) return (high >>> 0) > (tagHigh >>> 0) ? -1 : 1
    const low = ints[node + TAG_LOW]
    if (low !== tagLow) return (low >>> 0) > (tagLow >>> 0) ? -1 : 1
    return 0
  }

  private setTarget (key: Uint8Array): void {
    if (key === this.targetSource) return
    this.targetSource = key
    this.targetView = key === this.bytes ? this.view : new DataView(key.buffer, key.byteOffset, key.byteLength)
  }

  // Compares an arena key with other[otherStart, otherStart + otherLength), the current target,
  // from byte `from` on (a multiple of 4, at most either length: the bytes before it are equal).
  // Sets `shared`.
  private compareUserKey (keyStart: number, keyLength: number, other: Uint8Array, otherStart: number, otherLength: number, from: number): number {
    const n = keyLength < otherLength ? keyLength : otherLength
    const view = this.view
    const otherView = this.targetView
    let i = from
    for (; i + 4 <= n; i += 4) {
      const a = view.getUint32(keyStart + i)
      const b = otherView.getUint32(otherStart + i)
      if (a !== b) {
        this.shared = i
        return a < b ? -1 : 1
      }
    }
    this.shared = i
    const bytes = this.bytes
    for (; i < n; i++) {
      const d = bytes[keyStart + i] - other[otherStart + i]
      if (d !== 0) return d
    }
    return keyLength - otherLength
  }

  // Bytes to leave before a node's key so that its value lands at the same address modulo 8 as
  // in valueSource. Copies into shared memory go a byte at a time unless source and target are
  // so aligned (V8 copies to and from a SharedArrayBuffer with relaxed atomic loads and stores,
  // a word at a time only when both sides sit alike), which for a value of a few KiB cost more
  // than the rest of the insert. Short values are copied in JS loops, which do not care.
  // unpaddedStart: the arena offset the value would have with no padding.
  private valuePadding (valueSource: Uint8Array, valueStart: number, valueLength: number, unpaddedStart: number): number {
    if (valueLength <= WORD_COPY || !isSharedMemory(this.bytes.buffer)) return 0
    // Backing stores are allocated 8-byte aligned, so byte offsets stand for addresses.
    return (valueSource.byteOffset + valueStart - this.bytes.byteOffset - unpaddedStart) & 7
  }

  // Copies source[start, start + length) to arena offset `to`. Keys and values of a batch come
  // from the buffer findGreaterOrEqual just made the target, whose DataView is at hand.
  private copyIn (source: Uint8Array, start: number, length: number, to: number): void {
    copyRange(source, source === this.targetSource ? this.targetView : null, start, start + length, this.bytes, this.view, to)
  }

  private allocate (slots: number): number {
    const node = this.used
    const end = node + slots
    if (end * 4 > this.bytes.length) {
      let size = Math.max(this.bytes.length * 2, 64)
      while (size < end * 4) size *= 2
      const grown = isSharedMemory(this.bytes.buffer) ? Buffer.from(new SharedArrayBuffer(size)) : Buffer.allocUnsafeSlow(size)
      this.bytes.copy(grown, 0, 0, this.used * 4)
      this.bytes = grown
      this.ints = int32View(grown)
      this.view = dataView(grown)
    }
    this.used = end
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

// A key's first 4 bytes as an int32 (compare as unsigned), zero-padded: when two prefixes differ
// they order the keys, and when they are equal the full keys must be compared.
function keyPrefix (key: Uint8Array, start: number, length: number): number {
  if (length >= 4) return (key[start] << 24) | (key[start + 1] << 16) | (key[start + 2] << 8) | key[start + 3]
  let prefix = 0
  for (let i = 0; i < 4; i++) prefix = (prefix << 8) | (i < length ? key[start + i] : 0)
  return prefix
}

function int32View (arena: Buffer): Int32Array {
  return new Int32Array(arena.buffer, arena.byteOffset, arena.length >>> 2)
}

function dataView (arena: Buffer): DataView {
  return new DataView(arena.buffer, arena.byteOffset, arena.length)
}
