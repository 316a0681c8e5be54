import tape from 'tape'
import { compareInternalKeys, makeInternalKey, ValueType } from '../../lib/format/internal-key'
import type { SliceComparator } from '../../lib/format/internal-key'
import { compareByteSlices } from '../../lib/format/compare-bytes'
import { MergingIterator } from '../../lib/iterator/merging-iterator'
import { ArrayIterator, Entry } from './array-iterator'
import { createRandom, type Random } from '../util/random'

const SEED = 4242

function lowerBound (model: Entry[], target: Buffer, compare: (a: Buffer, b: Buffer) => number): number {
  let lo = 0
  let hi = model.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (compare(model[mid].key, target) < 0) lo = mid + 1
    else hi = mid
  }
  return lo
}

// Distinct random internal keys spread over `childCount` sorted arrays, plus their sorted union.
function makeChildren (rnd: Random, childCount: number, total: number): { arrays: Entry[][], model: Entry[] } {
  const arrays: Entry[][] = Array.from({ length: childCount }, () => [])
  const model: Entry[] = []
  for (let sequence = 1; sequence <= total; sequence++) {
    const userKey = Buffer.from('key' + rnd.int(total / 3))
    const entry = { key: makeInternalKey(userKey, sequence, ValueType.Value), value: Buffer.from(`v${sequence}`) }
    // Skew placement so some children are empty or tiny.
    arrays[Math.min(childCount - 1, Math.floor(rnd.next() * rnd.next() * childCount * 1.5))].push(entry)
    model.push(entry)
  }
  const byKey = (a: Entry, b: Entry): number => compareInternalKeys(a.key, b.key)
  for (const array of arrays) array.sort(byKey)
  model.sort(byKey)
  return { arrays, model }
}

tape('merging iterator: no children and only empty children', (t) => {
  for (const children of [[], [new ArrayIterator([], compareInternalKeys), new ArrayIterator([], compareInternalKeys)]]) {
    const it = new MergingIterator(children)
    it.seekToFirst()
    t.notOk(it.valid())
    it.seekToLast()
    t.notOk(it.valid())
    it.seek(makeInternalKey(Buffer.from('a'), 1, ValueType.Value))
    t.notOk(it.valid())
  }
  t.end()
})

tape('merging iterator: full scans and random walks match the merged model', (t) => {
  t.comment(`seed ${SEED}`)
  const rnd = createRandom(SEED)
  for (let trial = 0; trial < 30; trial++) {
    const childCount = 1 + rnd.int(8)
    const { arrays, model } = makeChildren(rnd, childCount, 50 + rnd.int(300))
    const children = arrays.map((array) => new ArrayIterator(array, compareInternalKeys))
    const it = new MergingIterator(children)

    const forward: Buffer[] = []
    for (it.seekToFirst(); it.valid(); it.next()) forward.push(it.key())
    t.same(forward, model.map((e) => e.key), `trial ${trial}: forward scan of ${childCount} children`)
    const backward: Buffer[] = []
    for (it.seekToLast(); it.valid(); it.prev()) backward.push(it.key())
    t.same(backward, model.map((e) => e.key).reverse(), `trial ${trial}: backward scan`)

    let index = -1
    let errors = 0
    let switches = 0
    let lastMove = 0
    for (let step = 0; step < 1000; step++) {
      const op = rnd.int(10)
      if (op === 0) {
        // Targets both on and between existing keys.
        const target = rnd.int(2) === 0 && model.length > 0
          ? model[rnd.int(model.length)].key
          : makeInternalKey(Buffer.from('key' + rnd.int(200)), rnd.int(400), ValueType.Value)
        it.seek(target)
        index = lowerBound(model, target, compareInternalKeys)
      } else if (op === 1) {
        it.seekToFirst()
        index = 0
      } else if (op === 2) {
        it.seekToLast()
        index = model.length - 1
      } else if (it.valid()) {
        const move = op < 6 ? 1 : -1
        if (move !== lastMove) switches++
        lastMove = move
        if (move === 1) it.next()
        else it.prev()
        index += move
      }
      const expected = index >= 0 && index < model.length ? model[index] : undefined
      if (expected === undefined ? it.valid() : !it.valid() || !it.key().equals(expected.key) || !it.value().equals(expected.value)) errors++
    }
    t.equal(errors, 0, `trial ${trial}: 1000-step walk with ${switches} direction switches matches model`)
    it.close()
    t.ok(children.every((child) => child.closed), `trial ${trial}: close closes every child`)
  }
  t.end()
})

tape('merging iterator: honours a custom comparator', (t) => {
  const reverse = (a: Buffer, b: Buffer): number => Buffer.compare(b, a)
  const reverseSlices: SliceComparator = (a, aStart, aEnd, b, bStart, bEnd) => compareByteSlices(b, bStart, bEnd, a, aStart, aEnd)
  const entries = (keys: string[]): Entry[] => keys.map((k) => ({ key: Buffer.from(k), value: Buffer.from(k) }))
  const it = new MergingIterator([
    new ArrayIterator(entries(['z', 'm', 'c']), reverse),
    new ArrayIterator(entries(['y', 'n', 'a']), reverse)
  ], reverseSlices)
  const seen: string[] = []
  for (it.seekToFirst(); it.valid(); it.next()) seen.push(it.key().toString())
  t.same(seen, ['z', 'y', 'n', 'm', 'c', 'a'])
  it.seek(Buffer.from('o'))
  t.equal(it.key().toString(), 'n')
  it.prev()
  t.equal(it.key().toString(), 'y')
  it.next()
  it.next()
  t.equal(it.key().toString(), 'm')
  t.end()
})
