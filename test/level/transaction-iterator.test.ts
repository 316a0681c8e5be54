// The merge of a transaction's snapshot with its own writes, against a model: random contents,
// random writes and deletes, and random walks that seek and change direction.
import tape from 'tape'
import type { KeyRange } from '../../lib/db/conflicts'
import type { UserIterator } from '../../lib/level/range-cursor'
import { setEntryRanges, type EntryRanges } from '../../lib/iterator/entry-ranges'
import { Coverage, PrefixedIterator, TransactionIterator } from '../../lib/level/transaction-iterator'
import type { WrittenEntry } from '../../lib/level/transaction-iterator'
import { createRandom, testSeed } from '../util/random'

// A snapshot side over sorted entries.
class ArrayIterator implements UserIterator {
  #position = -1
  constructor (private readonly entries: Array<[Buffer, Buffer]>) {}
  valid (): boolean { return this.#position >= 0 && this.#position < this.entries.length }
  key (): Buffer { return this.entries[this.#position][0] }
  value (): Buffer { return this.entries[this.#position][1] }
  readEntry (into: EntryRanges): void {
    const [key, value] = this.entries[this.#position]
    setEntryRanges(into, key, 0, key.length, value, 0, value.length)
  }

  seekToFirst (): void { this.#position = 0 }
  seekToLast (): void { this.#position = this.entries.length - 1 }
  seek (target: Buffer): void {
    this.#position = this.entries.findIndex(([key]) => Buffer.compare(key, target) >= 0)
    if (this.#position < 0) this.#position = this.entries.length
  }
  next (): void { this.#position++ }
  prev (): void { this.#position-- }
  close (): void {}
}

const UNBOUNDED: KeyRange = { lower: null, lowerInclusive: true, upper: null, upperInclusive: true }

function sortedEntries (map: Map<string, string>): Array<[Buffer, Buffer]> {
  return [...map.keys()].sort().map(key => [Buffer.from(key, 'latin1'), Buffer.from(map.get(key) as string)])
}

tape('transaction iterator: random walks over a snapshot with writes and deletes match a model', (t) => {
  const seed = testSeed(777)
  t.comment(`seed ${seed} (replay with AIDB_TEST_SEED)`)
  const random = createRandom(seed)
  const pool = Array.from({ length: 30 }, (_, i) => `k${String(i * 3).padStart(3, '0')}`)
  let mismatches = 0
  for (let round = 0; round < 200; round++) {
    const snapshot = new Map<string, string>()
    const written = new Map<string, string | null>()
    for (const key of pool) {
      if (random.chance(0.5)) snapshot.set(key, `s-${key}`)
      if (random.chance(0.25)) written.set(key, random.chance(0.5) ? `w-${key}` : null)
    }
    const model = new Map(snapshot)
    for (const [key, value] of written) {
      if (value === null) model.delete(key)
      else model.set(key, value)
    }
    const expected = [...model.keys()].sort()
    const writtenEntries: WrittenEntry[] = [...written.keys()].sort().map(id => {
      const value = written.get(id) as string | null
      return { key: Buffer.from(id, 'latin1'), id, value: value === null ? null : Buffer.from(value) }
    })
    const it = new TransactionIterator(new ArrayIterator(sortedEntries(snapshot)), writtenEntries, new Coverage(UNBOUNDED, null))
    let position = -1
    for (let step = 0; step < 40; step++) {
      const roll = random.next()
      const inRange = position >= 0 && position < expected.length
      if (roll < 0.2) {
        // Targets between pool keys too.
        const target = `k${String(random.int(95)).padStart(3, '0')}`
        it.seek(Buffer.from(target))
        position = expected.findIndex(key => key >= target)
        if (position < 0) position = expected.length
      } else if (roll < 0.25) {
        it.seekToFirst()
        position = 0
      } else if (roll < 0.3) {
        it.seekToLast()
        position = expected.length - 1
      } else if (inRange && roll < 0.65) {
        it.next()
        position++
      } else if (inRange) {
        it.prev()
        position--
      } else {
        continue
      }
      const valid = position >= 0 && position < expected.length
      if (it.valid() !== valid || (valid && (it.key().toString() !== expected[position] || it.value().toString() !== model.get(expected[position])))) {
        if (mismatches++ === 0) t.comment(`round ${round} step ${step}: at ${valid ? expected[position] : 'end'}, iterator at ${it.valid() ? it.key().toString() : 'end'}`)
      }
    }
    it.close()
  }
  t.is(mismatches, 0, 'every position matches the model')
  t.end()
})

tape('transaction iterator: coverage spans each walk from its start to the last position looked at, clamped to the range', (t) => {
  const entries = sortedEntries(new Map([['a', '1'], ['c', '1'], ['e', '1'], ['g', '1']]))
  const bounds: KeyRange = { lower: 'b', lowerInclusive: false, upper: 'f', upperInclusive: true }
  const ranges: KeyRange[] = []
  const it = new TransactionIterator(new ArrayIterator(entries), [], new Coverage(bounds, ranges))
  it.seek(Buffer.from('b'))
  it.valid()
  it.key()
  it.next()
  // Moved onto e without looking at it: the walk covered (b, c] only.
  it.seekToLast()
  it.valid()
  it.prev()
  it.valid()
  it.prev()
  it.valid()
  it.prev()
  it.valid()
  // Ran off the low end, having looked: the walk covered everything, clamped to the range.
  it.close()
  t.same(ranges, [
    { lower: 'b', lowerInclusive: false, upper: 'c', upperInclusive: true },
    { lower: 'b', lowerInclusive: false, upper: 'f', upperInclusive: true }
  ])
  t.end()
})

tape('transaction iterator: a sublevel view strips the prefix and stays within it', (t) => {
  const entries = sortedEntries(new Map([['!a!x', '1'], ['!a!y', '2'], ['!b!z', '3'], ['0', '4']]))
  const view = new PrefixedIterator(new ArrayIterator(entries), Buffer.from('!a!'), Buffer.from('!a"'))
  const keys: string[] = []
  for (view.seekToFirst(); view.valid(); view.next()) keys.push(view.key().toString())
  t.same(keys, ['x', 'y'], 'forward')
  keys.length = 0
  for (view.seekToLast(); view.valid(); view.prev()) keys.push(view.key().toString())
  t.same(keys, ['y', 'x'], 'reverse')
  view.seek(Buffer.from('xa'))
  t.is(view.key().toString(), 'y', 'seek adds the prefix')
  t.end()
})
