import tape from 'tape'
import { makeInternalKey, MAX_SEQUENCE, parseInternalKey, ValueType } from '../../lib/format/internal-key'
import { MemTable, MemTableLookup } from '../../lib/memtable/memtable'
import type { EntryRanges } from '../../lib/iterator/entry-ranges'
import { ArenaPool } from '../../lib/memtable/arena-pool'
import { createRandom, testSeed } from '../util/random'

const SEED = testSeed(777)
const b = (s: string): Buffer => Buffer.from(s)

// get() as an object: the value copied out of the arena ranges get() describes, as its callers do.
type Lookup = { found: true, deleted: boolean, value?: Buffer } | undefined
function lookup (mem: MemTable, userKey: Buffer, sequence: number): Lookup {
  const entry: EntryRanges = { keyBytes: b(''), keyStart: 0, keyEnd: 0, valueBytes: b(''), valueStart: 0, valueEnd: 0 }
  switch (mem.get(userKey, sequence, entry)) {
    case MemTableLookup.Absent: return undefined
    case MemTableLookup.Deleted: return { found: true, deleted: true }
    case MemTableLookup.Found: return { found: true, deleted: false, value: Buffer.from(entry.valueBytes.subarray(entry.valueStart, entry.valueEnd)) }
  }
}

function history (): MemTable {
  const mem = new MemTable()
  mem.add(1, ValueType.Value, b('a'), b('a1'))
  mem.add(2, ValueType.Value, b('b'), b('b2'))
  mem.add(3, ValueType.Value, b('a'), b('a3'))
  mem.add(4, ValueType.Deletion, b('a'), b(''))
  mem.add(5, ValueType.Value, b('a'), b('a5'))
  mem.add(6, ValueType.Deletion, b('b'), b(''))
  mem.add(7, ValueType.Value, b('ab'), b('ab7'))
  return mem
}

tape('memtable: get returns the newest version at each snapshot', (t) => {
  const mem = history()
  t.equal(mem.entryCount, 7)
  t.equal(lookup(mem, b('a'), 0), undefined, 'nothing visible before the first write')
  t.same(lookup(mem, b('a'), 1), { found: true, deleted: false, value: b('a1') })
  t.same(lookup(mem, b('a'), 2), { found: true, deleted: false, value: b('a1') })
  t.same(lookup(mem, b('a'), 3), { found: true, deleted: false, value: b('a3') })
  t.same(lookup(mem, b('a'), 4), { found: true, deleted: true })
  t.same(lookup(mem, b('a'), 5), { found: true, deleted: false, value: b('a5') })
  t.same(lookup(mem, b('a'), MAX_SEQUENCE), { found: true, deleted: false, value: b('a5') })
  t.equal(lookup(mem, b('b'), 1), undefined)
  t.same(lookup(mem, b('b'), 5), { found: true, deleted: false, value: b('b2') })
  t.same(lookup(mem, b('b'), 6), { found: true, deleted: true })
  t.equal(lookup(mem, b('ab'), 6), undefined, 'a prefix key does not match a longer key')
  t.same(lookup(mem, b('ab'), 7), { found: true, deleted: false, value: b('ab7') })
  t.equal(lookup(mem, b(''), 9), undefined)
  t.equal(lookup(mem, b('c'), 9), undefined)
  t.end()
})

tape('memtable: iterator yields internal keys in internal-key order', (t) => {
  const mem = history()
  const it = mem.newIterator()
  const seen: string[] = []
  for (it.seekToFirst(); it.valid(); it.next()) {
    const { userKey, sequence, type } = parseInternalKey(it.key())
    seen.push(`${userKey.toString()}@${sequence}:${type}=${it.value().toString()}`)
  }
  t.same(seen, ['a@5:1=a5', 'a@4:0=', 'a@3:1=a3', 'a@1:1=a1', 'ab@7:1=ab7', 'b@6:0=', 'b@2:1=b2'])

  it.seek(makeInternalKey(b('a'), 3, ValueType.Value))
  t.equal(it.value().toString(), 'a3', 'seek lands on the entry with sequence <= target')
  it.seek(makeInternalKey(b('a'), 2, ValueType.Value))
  t.equal(it.value().toString(), 'a1')
  it.seek(makeInternalKey(b('aa'), MAX_SEQUENCE, ValueType.Value))
  t.equal(it.value().toString(), 'ab7')
  it.prev()
  t.equal(it.value().toString(), 'a1', 'prev steps back across user keys')
  const first = it.key()
  it.next()
  t.same(parseInternalKey(first).sequence, 1, 'earlier key buffers stay intact after moving')
  it.seek(makeInternalKey(b('c'), MAX_SEQUENCE, ValueType.Value))
  t.notOk(it.valid())
  it.seekToLast()
  t.equal(it.value().toString(), 'b2')
  t.throws(() => it.seek(b('short')), /internal key/, 'a seek target shorter than a tag is rejected')
  t.end()
})

tape('memtable: approximate memory usage grows with keys and values', (t) => {
  const mem = new MemTable()
  const empty = mem.approximateMemoryUsage()
  t.ok(empty < 200, `an empty memtable is small (${empty})`)
  mem.add(1, ValueType.Value, b('key'), Buffer.alloc(1000))
  const afterOne = mem.approximateMemoryUsage()
  t.ok(afterOne >= empty + 1011, `counts key and value bytes (${afterOne})`)
  mem.add(2, ValueType.Deletion, b('key'), b(''))
  t.ok(mem.approximateMemoryUsage() > afterOne + 11, 'a deletion still costs its key and overhead')
  t.end()
})

tape('memtable: random history matches a model at random snapshots', (t) => {
  t.comment(`seed ${SEED}`)
  const rnd = createRandom(SEED)
  const mem = new MemTable()
  const writes: Array<{ key: string, sequence: number, deleted: boolean, value: string }> = []
  let sequence = 0
  for (let i = 0; i < 3000; i++) {
    const key = 'k' + rnd.int(200)
    sequence += 1 + rnd.int(3)
    const deleted = rnd.int(4) === 0
    const value = deleted ? '' : `v${sequence}`
    writes.push({ key, sequence, deleted, value })
    mem.add(sequence, deleted ? ValueType.Deletion : ValueType.Value, b(key), b(value))
  }
  let errors = 0
  for (let probe = 0; probe < 2000; probe++) {
    const key = 'k' + rnd.int(210)
    const snapshot = rnd.int(sequence + 2)
    let newest: typeof writes[number] | undefined
    for (const w of writes) if (w.key === key && w.sequence <= snapshot) newest = w
    const expected = newest === undefined
      ? undefined
      : newest.deleted ? { found: true, deleted: true } : { found: true, deleted: false, value: b(newest.value) }
    const actual = lookup(mem, b(key), snapshot)
    if (JSON.stringify(actual) !== JSON.stringify(expected)) errors++
  }
  t.equal(errors, 0, '2000 random gets agree with the model')
  t.end()
})

tape('memtable: a released arena is reused by the next memtable, and values got before stay intact', (t) => {
  const pool = new ArenaPool(1 << 16)
  const first = new MemTable(pool)
  first.add(1, ValueType.Value, b('k'), b('first value'))
  const got = lookup(first, b('k'), 1)?.value
  const arena = first.arena
  t.ok(arena.buffer instanceof SharedArrayBuffer, 'pooled arenas are shared memory')
  first.release()
  const second = new MemTable(pool)
  t.equal(second.arena, arena, 'the next memtable takes the released arena')
  second.add(1, ValueType.Value, b('k'), b('other bytes'))
  t.equal(got?.toString(), 'first value', 'a value copied out by get\'s caller before the release stays intact')
  t.same(lookup(second, b('k'), 1), { found: true, deleted: false, value: b('other bytes') })
  t.end()
})

tape('memtable: an arena that an iterator has read is never reused', (t) => {
  const pool = new ArenaPool(1 << 16)
  const mem = new MemTable(pool)
  mem.add(1, ValueType.Value, b('k'), b('v'))
  const iterator = mem.newIterator()
  iterator.seekToFirst()
  const value = iterator.value()
  iterator.close()
  mem.release()
  const next = new MemTable(pool)
  t.notEqual(next.arena, mem.arena, 'the next memtable gets a fresh arena')
  next.add(1, ValueType.Value, b('k'), b('x'))
  t.equal(value.toString(), 'v', 'the iterator\'s value view still reads the old entry')
  t.end()
})

tape('memtable: an arena outgrown by its entries stays shared and is not taken back', (t) => {
  const pool = new ArenaPool(1 << 12)
  const mem = new MemTable(pool)
  for (let i = 0; i < 200; i++) mem.add(i + 1, ValueType.Value, b(`key${i}`), Buffer.alloc(50, i))
  t.ok(mem.arena.length > pool.bufferSize, 'the arena grew')
  t.ok(mem.arena.buffer instanceof SharedArrayBuffer, 'into shared memory')
  mem.release()
  t.equal(new MemTable(pool).arena.length, pool.bufferSize, 'the pool hands out arenas of its own size only')
  t.end()
})
