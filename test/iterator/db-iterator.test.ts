import tape from 'tape'
import { compareInternalKeys, makeInternalKey, ValueType } from '../../lib/format/internal-key'
import { DBIterator } from '../../lib/iterator/db-iterator'
import type { InternalIterator } from '../../lib/iterator/iterator'
import { MergingIterator } from '../../lib/iterator/merging-iterator'
import { MemTable } from '../../lib/memtable/memtable'
import { errorCode } from '../../lib/util/errors'
import { ArrayIterator, Entry } from './array-iterator'
import { createRandom, testSeed, type Random } from '../util/random'

const SEED = testSeed(90210)
const KEY_SPACE = 60

interface Write { key: string, sequence: number, deleted: boolean, value: string }
interface Visible { key: string, value: string }

function userKey (n: number): string {
  // Variable lengths so some keys are prefixes of others.
  return 'k' + n.toString(36).repeat(1 + (n % 3))
}

// Newest version <= snapshot of every key, dropping deletions, sorted by user key.
function visibleAt (writes: Write[], snapshot: number): Visible[] {
  const newest = new Map<string, Write>()
  for (const w of writes) if (w.sequence <= snapshot) newest.set(w.key, w)
  return [...newest.values()]
    .filter((w) => !w.deleted)
    .map((w) => ({ key: w.key, value: w.value }))
    .sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)))
}

// Spreads the history over a memtable and two sorted arrays, as a real read would merge them.
function buildSources (rnd: Random, writes: Write[]): () => InternalIterator {
  const mem = new MemTable()
  const arrays: Entry[][] = [[], []]
  for (const w of writes) {
    const type = w.deleted ? ValueType.Deletion : ValueType.Value
    const slot = rnd.int(3)
    if (slot === 2) mem.add(w.sequence, type, Buffer.from(w.key), Buffer.from(w.value))
    else arrays[slot].push({ key: makeInternalKey(Buffer.from(w.key), w.sequence, type), value: Buffer.from(w.value) })
  }
  for (const array of arrays) array.sort((a, b) => compareInternalKeys(a.key, b.key))
  return () => new MergingIterator([mem.newIterator(), ...arrays.map((a) => new ArrayIterator(a, compareInternalKeys))])
}

function lowerBound (model: Visible[], target: string): number {
  const t = Buffer.from(target)
  let i = 0
  while (i < model.length && Buffer.compare(Buffer.from(model[i].key), t) < 0) i++
  return i
}

function describe (it: DBIterator): string {
  return it.valid() ? `${it.key().toString()}=${it.value().toString()}` : '(end)'
}

tape('db iterator: random histories at random snapshots match the model', (t) => {
  t.comment(`seed ${SEED}`)
  const rnd = createRandom(SEED)
  for (let trial = 0; trial < 12; trial++) {
    const writes: Write[] = []
    let sequence = 0
    const count = 100 + rnd.int(600)
    for (let i = 0; i < count; i++) {
      sequence += 1 + rnd.int(2)
      const deleted = rnd.int(3) === 0
      writes.push({ key: userKey(rnd.int(KEY_SPACE)), sequence, deleted, value: deleted ? '' : `v${sequence}` })
    }
    const open = buildSources(rnd, writes)

    let scanErrors = 0
    let walkErrors = 0
    const snapshots = 15
    for (let s = 0; s < snapshots; s++) {
      const snapshot = s === 0 ? sequence : rnd.int(sequence + 2)
      const model = visibleAt(writes, snapshot)
      const expectedForward = model.map((v) => `${v.key}=${v.value}`)
      const it = new DBIterator(open(), snapshot)

      const forward: string[] = []
      for (it.seekToFirst(); it.valid(); it.next()) forward.push(describe(it))
      const backward: string[] = []
      for (it.seekToLast(); it.valid(); it.prev()) backward.push(describe(it))
      if (forward.join() !== expectedForward.join()) scanErrors++
      if (backward.join() !== expectedForward.slice().reverse().join()) scanErrors++

      let index = -1
      for (let step = 0; step < 300; step++) {
        const op = rnd.int(10)
        if (op === 0) {
          const target = rnd.int(4) === 0 ? 'k' : userKey(rnd.int(KEY_SPACE + 5))
          it.seek(Buffer.from(target))
          index = lowerBound(model, target)
        } else if (op === 1) {
          it.seekToFirst()
          index = 0
        } else if (op === 2) {
          it.seekToLast()
          index = model.length - 1
        } else if (it.valid()) {
          if (op < 6) {
            it.next()
            index++
          } else {
            it.prev()
            index--
          }
        }
        const expected = index >= 0 && index < model.length ? `${model[index].key}=${model[index].value}` : '(end)'
        if (describe(it) !== expected) walkErrors++
      }
      it.close()
    }
    t.equal(scanErrors, 0, `trial ${trial}: ${count} writes, forward and backward scans at ${snapshots} snapshots`)
    t.equal(walkErrors, 0, `trial ${trial}: seek and mixed next/prev walks`)
  }
  t.end()
})

tape('db iterator: hides newer versions, older versions and deletions', (t) => {
  const mem = new MemTable()
  const put = (seq: number, k: string, v: string): void => mem.add(seq, ValueType.Value, Buffer.from(k), Buffer.from(v))
  const del = (seq: number, k: string): void => mem.add(seq, ValueType.Deletion, Buffer.from(k), Buffer.alloc(0))
  put(1, 'a', 'a1')
  put(2, 'b', 'b2')
  put(3, 'c', 'c3')
  del(4, 'b')
  put(5, 'a', 'a5')
  del(6, 'c')
  put(7, 'b', 'b7')

  const scan = (snapshot: number): string[] => {
    const it = new DBIterator(mem.newIterator(), snapshot)
    const out: string[] = []
    for (it.seekToFirst(); it.valid(); it.next()) out.push(describe(it))
    return out
  }
  t.same(scan(0), [])
  t.same(scan(3), ['a=a1', 'b=b2', 'c=c3'])
  t.same(scan(4), ['a=a1', 'c=c3'])
  t.same(scan(6), ['a=a5'])
  t.same(scan(7), ['a=a5', 'b=b7'])

  const it = new DBIterator(mem.newIterator(), 4)
  it.seekToLast()
  t.equal(describe(it), 'c=c3')
  it.prev()
  t.equal(describe(it), 'a=a1', 'reverse skips the deleted key')
  it.next()
  t.equal(describe(it), 'c=c3', 'switching to forward skips the deleted key too')
  it.seek(Buffer.from('b'))
  t.equal(describe(it), 'c=c3', 'seek skips a deleted target')
  it.prev()
  t.equal(describe(it), 'a=a1')
  it.prev()
  t.notOk(it.valid(), 'prev from the first key ends the iterator')
  t.end()
})

tape('db iterator: close closes the internal iterator and calls onClose once', (t) => {
  const child = new ArrayIterator([], compareInternalKeys)
  let calls = 0
  const it = new DBIterator(child, 10, () => { calls++ })
  it.seekToFirst()
  t.notOk(it.valid())
  it.close()
  it.close()
  t.ok(child.closed)
  t.equal(calls, 1)
  t.end()
})

tape('db iterator: corrupt internal keys throw LEVEL_CORRUPTION', (t) => {
  const badType = makeInternalKey(Buffer.from('a'), 1, ValueType.Value)
  badType[1] = 7
  const cases: Array<[string, Buffer]> = [['unknown type', badType], ['too short', Buffer.from('abc')]]
  for (const [name, key] of cases) {
    const it = new DBIterator(new ArrayIterator([{ key, value: Buffer.from('x') }], compareInternalKeys), 10)
    try {
      it.seekToFirst()
      t.fail(`${name}: expected an error`)
    } catch (err) {
      t.equal(errorCode(err), 'LEVEL_CORRUPTION', `${name}: corruption error`)
    }
  }
  t.end()
})
