import tape from 'tape'
import { compareInternalKeys, makeInternalKey, ValueType } from '../../lib/format/internal-key'
import { InternalKeySkipList, NO_NODE } from '../../lib/memtable/skiplist'
import { createRandom, testSeed, type Random } from '../util/random'

const SEED = testSeed(20240601)

// Index of the first model key >= target.
function lowerBound (model: Buffer[], target: Buffer): number {
  let lo = 0
  let hi = model.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (compareInternalKeys(model[mid], target) < 0) lo = mid + 1
    else hi = mid
  }
  return lo
}

// Bytes that matter to the 4-byte key prefix: zero (padding ties), and 0x80 and up (sign bit).
const KEY_BYTES = [0x00, 0x61, 0x62, 0x63, 0x80, 0xff]

// Short keys with shared prefixes, plus some long ones to exercise the native comparison path.
function randomUserKey (rnd: Random): Buffer {
  const length = rnd.int(10) === 0 ? 33 + rnd.int(40) : rnd.int(7)
  const key = Buffer.alloc(length, 0x61)
  for (let i = Math.max(0, length - 4); i < length; i++) key[i] = KEY_BYTES[rnd.int(KEY_BYTES.length)]
  return key
}

// Inserts a whole key and value, each in its own buffer.
function insertWhole (list: InternalKeySkipList, userKey: Buffer, sequence: number, type: ValueType, value: Buffer): void {
  list.insert(userKey, 0, userKey.length, sequence, type, value, 0, value.length)
}

tape('skiplist: empty list', (t) => {
  const list = new InternalKeySkipList()
  t.equal(list.size, 0)
  t.equal(list.first(), NO_NODE)
  t.equal(list.last(), NO_NODE)
  t.equal(list.seek(Buffer.from('a'), 1, ValueType.Value), NO_NODE)
  t.end()
})

tape('skiplist: matches a sorted array model under random and ascending inserts and walks', (t) => {
  t.comment(`seed ${SEED}`)
  const rnd = createRandom(SEED)
  // A tiny initial arena forces many regrowths while the test holds older key views.
  const list = new InternalKeySkipList(SEED, Buffer.alloc(64))
  const model: Buffer[] = []
  const values = new Map<string, string>()
  let sequence = 0
  let ascendingCount = 0
  let ascendingKey: Buffer | null = null
  let ascendingSequence = 0

  for (let round = 0; round < 15; round++) {
    for (let i = 0; i < 400; i++) {
      // Occasionally repeat a sequence number with the other type: still a distinct internal key.
      const userKey = randomUserKey(rnd)
      if (rnd.int(8) !== 0) sequence += 1 + rnd.int(2 ** 20)
      const type = rnd.int(2) === 0 ? ValueType.Value : ValueType.Deletion
      const internalKey = makeInternalKey(userKey, sequence, type)
      if (values.has(internalKey.toString('hex'))) continue
      const value = Buffer.from(`v${model.length}`)
      values.set(internalKey.toString('hex'), value.toString())
      insertWhole(list, userKey, sequence, type, value)
      model.push(internalKey)
    }
    // Then a run of keys after everything in the list, as sequential keys arrive (the insert that
    // appends without a search), now and then a key for the same user key with a lower sequence
    // (still after it in internal-key order), and now and then a random key in between.
    for (let i = 0; i < 200; i++) {
      let userKey: Buffer
      let seq: number
      if (rnd.int(10) === 0) {
        userKey = randomUserKey(rnd)
        sequence += 1 + rnd.int(2 ** 20)
        seq = sequence
      } else if (ascendingKey !== null && rnd.int(5) === 0) {
        userKey = ascendingKey
        seq = --ascendingSequence
      } else {
        userKey = Buffer.concat([Buffer.alloc(5, 0xff), Buffer.from(String(ascendingCount++).padStart(8, '0'))])
        ascendingKey = userKey
        sequence += 1 + rnd.int(2 ** 20)
        seq = ascendingSequence = sequence
      }
      const internalKey = makeInternalKey(userKey, seq, ValueType.Value)
      if (values.has(internalKey.toString('hex'))) continue
      const value = Buffer.from(`v${model.length}`)
      values.set(internalKey.toString('hex'), value.toString())
      insertWhole(list, userKey, seq, ValueType.Value, value)
      model.push(internalKey)
    }
    model.sort(compareInternalKeys)
    t.equal(list.size, model.length, `round ${round}: size`)

    const forward: Buffer[] = []
    let valueErrors = 0
    for (let node = list.first(); node !== NO_NODE; node = list.next(node)) {
      const key = list.internalKey(node)
      forward.push(key)
      if (values.get(key.toString('hex')) !== list.value(node).toString()) valueErrors++
      if (list.type(node) !== key[key.length - 8]) valueErrors++
    }
    t.same(forward, model, `round ${round}: forward scan`)
    t.equal(valueErrors, 0, `round ${round}: values and types belong to their keys`)

    const backward: Buffer[] = []
    for (let node = list.last(); node !== NO_NODE; node = list.prev(node)) backward.push(list.internalKey(node))
    t.same(backward, model.slice().reverse(), `round ${round}: backward scan`)

    let walkErrors = 0
    let index = -1
    let node = NO_NODE
    for (let step = 0; step < 400; step++) {
      const op = rnd.int(5)
      if (op === 0) {
        const userKey = randomUserKey(rnd)
        const seq = rnd.int(sequence + 2)
        node = list.seek(userKey, seq, ValueType.Value)
        index = lowerBound(model, makeInternalKey(userKey, seq, ValueType.Value))
      } else if (op === 1) {
        node = list.first()
        index = 0
      } else if (op === 2) {
        node = list.last()
        index = model.length - 1
      } else if (node !== NO_NODE) {
        if (op === 3) {
          node = list.next(node)
          index++
        } else {
          node = list.prev(node)
          index--
        }
      }
      const expected = index >= 0 && index < model.length ? model[index] : undefined
      if (expected === undefined ? node !== NO_NODE : node === NO_NODE || !list.internalKey(node).equals(expected)) walkErrors++
    }
    t.equal(walkErrors, 0, `round ${round}: random walk matches model`)
  }
  t.end()
})

tape('skiplist: key views stay intact as the arena grows', (t) => {
  const list = new InternalKeySkipList(1, Buffer.alloc(64))
  insertWhole(list, Buffer.from('first'), 1, ValueType.Value, Buffer.from('x'))
  const view = list.internalKey(list.first())
  const copy = Buffer.from(view)
  for (let i = 0; i < 1000; i++) insertWhole(list, Buffer.from(`key${i}`), i + 2, ValueType.Value, Buffer.from('y'))
  t.ok(view.equals(copy), 'an earlier key view is unchanged')
  t.ok(list.arenaBytes > 1000 * 16, 'arena grew')
  t.end()
})

tape('skiplist: seek positions and user key equality', (t) => {
  const list = new InternalKeySkipList()
  insertWhole(list, Buffer.from('b'), 5, ValueType.Value, Buffer.from('b5'))
  insertWhole(list, Buffer.from('b'), 3, ValueType.Deletion, Buffer.alloc(0))
  insertWhole(list, Buffer.from('bb'), 4, ValueType.Value, Buffer.from('bb4'))
  const at = (userKey: string, seq: number): string => {
    const node = list.seek(Buffer.from(userKey), seq, ValueType.Value)
    return node === NO_NODE ? '(end)' : list.internalKey(node).subarray(0, -8).toString() + '@' + list.value(node).toString()
  }
  t.equal(at('b', 9), 'b@b5')
  t.equal(at('b', 5), 'b@b5')
  t.equal(at('b', 4), 'b@', 'the deletion at sequence 3')
  t.equal(at('b', 2), 'bb@bb4')
  t.equal(at('bc', 9), '(end)')
  const node = list.seek(Buffer.from('bb'), 9, ValueType.Value)
  t.ok(list.userKeyEquals(node, Buffer.from('bb')))
  t.notOk(list.userKeyEquals(node, Buffer.from('b')))
  t.notOk(list.userKeyEquals(node, Buffer.from('bc')))
  t.end()
})

tape('skiplist: keys and values given as ranges of one shared buffer', (t) => {
  const list = new InternalKeySkipList()
  const source = Buffer.from('..key-b..value-b..key-a..value-a..')
  list.insert(source, 2, 5, 7, ValueType.Value, source, 9, 7)
  list.insert(source, 18, 5, 8, ValueType.Value, source, 25, 7)
  const seen: string[] = []
  for (let node = list.first(); node !== NO_NODE; node = list.next(node)) {
    seen.push(list.internalKey(node).subarray(0, -8).toString() + '=' + list.value(node).toString())
  }
  t.same(seen, ['key-a=value-a', 'key-b=value-b'], 'ordered by the key ranges, values from their ranges')
  t.ok(list.userKeyEquals(list.first(), Buffer.from('key-a')), 'range keys compare equal to whole keys')
  t.end()
})

tape('skiplist: a frozen list over another list\'s arena reads the same entries', (t) => {
  const rnd = createRandom(SEED + 1)
  t.comment(`seed ${SEED + 1}`)
  const list = new InternalKeySkipList(SEED, Buffer.from(new SharedArrayBuffer(256)))
  for (let i = 0; i < 2000; i++) insertWhole(list, randomUserKey(rnd), i + 1, ValueType.Value, Buffer.from(`v${i}`))
  const frozen = InternalKeySkipList.frozen(list.arena)
  t.equal(frozen.size, list.size, 'same entry count')
  const entries = (l: InternalKeySkipList): string[] => {
    const out: string[] = []
    for (let node = l.first(); node !== NO_NODE; node = l.next(node)) out.push(l.internalKey(node).toString('hex') + '=' + l.value(node).toString())
    return out
  }
  t.same(entries(frozen), entries(list), 'same keys and values in the same order')
  const target = randomUserKey(rnd)
  const found = frozen.seek(target, 1000, ValueType.Value)
  const expected = list.seek(target, 1000, ValueType.Value)
  t.ok(found === expected, 'seek finds the same node')
  t.throws(() => insertWhole(frozen, Buffer.from('x'), 5000, ValueType.Value, Buffer.from('y')), /frozen/, 'a frozen list takes no inserts')
  t.end()
})

tape('skiplist: long values land in a shared arena at their source\'s alignment, intact, next to short ones', (t) => {
  const list = new InternalKeySkipList(SEED, Buffer.from(new SharedArrayBuffer(1 << 12)))
  const source = Buffer.alloc(4096 + 16)
  for (let i = 0; i < source.length; i++) source[i] = (i * 31 + 7) & 0xff
  const expected: string[] = []
  for (let i = 0; i < 64; i++) {
    const key = Buffer.from(`key-${String(i).padStart(3, '0')}${'k'.repeat(i % 5)}`)
    // Values start at every offset modulo 8, and some are too short to need alignment.
    const start = i % 8
    const length = i % 3 === 0 ? 100 : 300 + i * 50
    list.insert(key, 0, key.length, i + 1, ValueType.Value, source, start, length)
    expected.push(`${key.toString()}=${source.subarray(start, start + length).toString('hex')}`)
  }
  const seen: string[] = []
  let misaligned = 0
  for (let node = list.first(); node !== NO_NODE; node = list.next(node)) {
    const value = list.value(node)
    seen.push(`${list.internalKey(node).subarray(0, -8).toString()}=${value.toString('hex')}`)
    const sourceStart = seen.length - 1
    if (value.length > 256 && (value.byteOffset - sourceStart) % 8 !== 0) misaligned++
  }
  t.same(seen, expected, 'every key and value as inserted, after the arena grew several times')
  t.is(misaligned, 0, 'each long value sits at its source offset modulo 8')
  t.end()
})
