// The point-lookup search structures against a linear search: a block's seek by internal key
// (which compares stored key suffixes instead of rebuilding keys) and a table's decoded index.
import tape from 'tape'
import { compareInternalKeySlices, compareInternalKeys, makeInternalKey, ValueType } from '../../lib/format/internal-key'
import { Block } from '../../lib/table/block'
import { BlockBuilder } from '../../lib/table/block-builder'
import { PointIndex } from '../../lib/table/point-index'
import { createRandom, testSeed, type Random } from '../util/random'

const SEED = testSeed(0x5ee4)

// Internal keys built to stress prefix compression: user keys that are prefixes of one another,
// share long prefixes, end in bytes like a tag's, and come in several versions each.
function internalKeys (random: Random, count: number): Buffer[] {
  const users: Buffer[] = []
  for (let i = 0; i < count; i++) {
    const base = Buffer.from(String(random.int(60)).padStart(random.between(1, 12), '0'))
    const tail = random.chance(0.3) ? Buffer.from([random.int(3), 0, 0, 0, 0, 0, 0, random.int(2)]) : Buffer.alloc(random.int(3), 0x30 + random.int(3))
    users.push(Buffer.concat([base, tail]))
  }
  const keys: Buffer[] = []
  for (const user of users) {
    for (let v = random.between(1, 3); v > 0; v--) keys.push(makeInternalKey(user, random.int(1000), random.chance(0.5) ? ValueType.Value : ValueType.Deletion))
  }
  keys.sort(compareInternalKeys)
  return keys.filter((k, i) => i === 0 || compareInternalKeys(keys[i - 1], k) !== 0)
}

function probes (random: Random, keys: Buffer[]): Buffer[] {
  const out: Buffer[] = []
  for (let i = 0; i < 600; i++) {
    const from = keys[random.int(keys.length)]
    const user = from.subarray(0, from.length - 8)
    const cut = random.chance(0.3) ? user.subarray(0, random.int(user.length + 1)) : random.chance(0.3) ? Buffer.concat([user, Buffer.from([random.int(256)])]) : user
    out.push(makeInternalKey(cut, random.int(1100), ValueType.Value))
  }
  return out
}

const firstAtOrAfter = (keys: Buffer[], target: Buffer): number => {
  const i = keys.findIndex(k => compareInternalKeys(k, target) >= 0)
  return i < 0 ? keys.length : i
}

// A decoded index block over keys, one separator per data block and each a restart point, as a
// table writes it; entry i's handle has offset i & 0x7f.
function indexOver (keys: Buffer[]): PointIndex {
  const builder = new BlockBuilder(1)
  keys.forEach((k, i) => builder.add(k, Buffer.from([i & 0x7f, 1])))
  return PointIndex.decode(new Block(Buffer.from(builder.finish())))
}

// How many of the targets (internal keys) the index answers otherwise than a linear search does.
function disagreements (index: PointIndex, keys: Buffer[], targets: Buffer[]): number {
  let wrong = 0
  for (const target of targets) {
    const found = index.find(target, target.length)
    const expected = firstAtOrAfter(keys, target)
    if (found !== expected || (found < keys.length && index.blockOffset(found) !== (expected & 0x7f))) wrong++
  }
  return wrong
}

tape('block seek by internal key lands where a linear search does', (t) => {
  t.comment(`seed ${SEED}`)
  const random = createRandom(SEED)
  let wrong = 0
  let checked = 0
  for (const restartInterval of [1, 2, 4, 16]) {
    for (let round = 0; round < 5; round++) {
      const keys = internalKeys(random, random.between(1, 120))
      const builder = new BlockBuilder(restartInterval)
      keys.forEach((k, i) => builder.add(k, Buffer.from(`v${i}`)))
      const it = new Block(Buffer.from(builder.finish())).newIterator(compareInternalKeySlices)
      for (const target of probes(random, keys)) {
        const expected = firstAtOrAfter(keys, target)
        it.seek(target)
        const ok = expected === keys.length
          ? !it.valid()
          : it.valid() && it.key().equals(keys[expected]) && it.value().toString() === `v${expected}`
        // The iterator stays usable after the seek.
        if (ok && expected > 0 && expected < keys.length) {
          it.prev()
          if (!it.valid() || !it.key().equals(keys[expected - 1])) wrong++
        }
        if (!ok) wrong++
        checked++
      }
    }
  }
  t.is(wrong, 0, `${checked} seeks agree with a linear search, and prev() works after them`)
  t.end()
})

tape('a decoded table index finds the block a linear search does', (t) => {
  t.comment(`seed ${SEED}`)
  const random = createRandom(SEED + 1)
  let wrong = 0
  let checked = 0
  for (let round = 0; round < 20; round++) {
    const keys = internalKeys(random, random.between(1, 200))
    const index = indexOver(keys)
    if (index.size !== keys.length) wrong++
    const targets = probes(random, keys)
    wrong += disagreements(index, keys, targets)
    checked += targets.length
  }
  const empty = PointIndex.decode(new Block(Buffer.from(new BlockBuilder(1).finish())))
  t.is(empty.find(makeInternalKey(Buffer.from('a'), 1, ValueType.Value), 9), 0, 'an empty index finds nothing')
  t.is(wrong, 0, `${checked} lookups agree with a linear search`)
  t.end()
})

// A table writer shortens the last separator to a short successor ("1" after "0000000000099998"),
// which shares no prefix with the others: the index takes its prefix from the keys before it.
tape('a decoded table index whose last key is a short successor finds the block a linear search does', (t) => {
  t.comment(`seed ${SEED}`)
  const random = createRandom(SEED + 2)
  const decimal = (n: number): Buffer => Buffer.from(String(n).padStart(16, '0'))
  let wrong = 0
  let checked = 0
  for (let round = 0; round < 30; round++) {
    const count = round < 3 ? round + 1 : random.between(2, 300)
    const users = new Set<number>()
    while (users.size < count - 1) users.add(random.int(100_000))
    const sorted = [...users].sort((a, b) => a - b)
    const keys = sorted.map(n => makeInternalKey(decimal(n), 2 ** 56 - 1, ValueType.Value))
    keys.push(makeInternalKey(Buffer.from(random.chance(0.5) ? '1' : '00000000001'), 2 ** 56 - 1, ValueType.Value))
    const index = indexOver(keys)
    const targets = [decimal(0), decimal(99_999), decimal(100_000), Buffer.from('2'), Buffer.from('0'), Buffer.from(''), Buffer.from('00000000001'), Buffer.from('1')]
    for (let i = 0; i < 200; i++) targets.push(decimal(random.int(110_000)))
    wrong += disagreements(index, keys, targets.map(user => makeInternalKey(user, random.int(1000), ValueType.Value)))
    checked += targets.length
  }
  t.is(wrong, 0, `${checked} lookups agree with a linear search`)
  t.end()
})

// The index searches within a bucket of windows: keys bunched into a few clusters far apart (most
// buckets empty, a few crowded), keys equal over the whole window that differ only after it, and
// targets between, before and after the clusters.
tape('a decoded table index over bunched keys finds the block a linear search does', (t) => {
  t.comment(`seed ${SEED}`)
  const random = createRandom(SEED + 3)
  let wrong = 0
  let checked = 0
  for (let round = 0; round < 30; round++) {
    const users = new Set<string>()
    const clusters = random.between(1, 4)
    const count = random.between(2, 400)
    while (users.size < count - 1) {
      const cluster = random.int(clusters)
      // A cluster's keys share "k<cluster>" then an 8-byte stretch (the window and past it) that
      // varies only in its last bytes, or not at all within the window.
      const spread = random.chance(0.5) ? String(random.int(50)).padStart(8, '0') : '000000' + String(random.int(100)).padStart(2, '0')
      users.add(`k${cluster * 7}${spread}${random.chance(0.3) ? String(random.int(10)) : ''}`)
    }
    const sorted = [...users].sort()
    const keys = sorted.map(user => makeInternalKey(Buffer.from(user), random.int(1000), ValueType.Value))
    keys.push(makeInternalKey(Buffer.from(random.chance(0.5) ? 'l' : sorted[sorted.length - 1] + '0'), 2 ** 56 - 1, ValueType.Value))
    keys.sort(compareInternalKeys)
    const index = indexOver(keys)
    const targets = [Buffer.from(''), Buffer.from('k'), Buffer.from('k0'), Buffer.from('k9'), Buffer.from('l'), Buffer.from('z')]
    for (let i = 0; i < 300; i++) {
      const from = sorted[random.int(sorted.length)]
      targets.push(Buffer.from(random.chance(0.5) ? from : from.slice(0, random.int(from.length + 1)) + String(random.int(10))))
    }
    wrong += disagreements(index, keys, targets.map(user => makeInternalKey(user, random.int(1000), ValueType.Value)))
    checked += targets.length
  }
  t.is(wrong, 0, `${checked} lookups agree with a linear search`)
  t.end()
})
