// next() is served from entries read ahead in one run (up to 1000 entries or highWaterMarkBytes):
// what it yields must be exactly what reading one entry at a time would yield, whatever happens
// between calls.
import tape from 'tape'
import { AiLevel } from '../../index'
import { rejectionCode } from '../util/level'
import { tempLocation } from '../util/temp-dir'

// More entries than one prefetch holds, so walks cross prefetch boundaries.
const COUNT = 2500

const keyOf = (i: number): string => `k${String(i).padStart(5, '0')}`
const valueOf = (i: number): string => `v${i}`

async function filledDb (t: tape.Test): Promise<AiLevel> {
  const db = new AiLevel(tempLocation(t))
  t.teardown(async () => db.close())
  await db.batch(Array.from({ length: COUNT }, (_, i) => ({ type: 'put' as const, key: keyOf(i), value: valueOf(i) })))
  return db
}

async function drainKeys (it: { next: () => Promise<[string, string] | undefined> }): Promise<string[]> {
  const keys: string[] = []
  for (let entry = await it.next(); entry !== undefined; entry = await it.next()) keys.push(entry[0])
  return keys
}

const range = (from: number, to: number): string[] => Array.from({ length: to - from }, (_, i) => keyOf(from + i))

tape('prefetch: next() walks forward and in reverse across prefetch boundaries', async (t) => {
  const db = await filledDb(t)
  t.same(await drainKeys(db.iterator()), range(0, COUNT), 'forward')
  t.same(await drainKeys(db.iterator({ reverse: true })), range(0, COUNT).reverse(), 'reverse')
  t.same(await drainKeys(db.iterator({ gt: keyOf(10), lte: keyOf(2100), reverse: true })), range(11, 2101).reverse(), 'reverse range')

  const keys: string[] = []
  for await (const key of db.keys()) keys.push(key)
  t.same(keys, range(0, COUNT), 'keys()')
  const values: string[] = []
  for await (const value of db.values({ reverse: true })) values.push(value)
  t.same(values, Array.from({ length: COUNT }, (_, i) => valueOf(COUNT - 1 - i)), 'values() in reverse')
})

tape('prefetch: seek() after a partly consumed prefetch drops what was read ahead', async (t) => {
  const db = await filledDb(t)
  const it = db.iterator()
  t.same(await it.next(), [keyOf(0), valueOf(0)], 'first entry')
  t.same(await it.next(), [keyOf(1), valueOf(1)], 'second entry, from a fresh prefetch')
  it.seek(keyOf(2000))
  t.same(await it.next(), [keyOf(2000), valueOf(2000)], 'seek forward past the prefetched entries')
  t.same(await it.next(), [keyOf(2001), valueOf(2001)], 'and on from there')
  it.seek(keyOf(5))
  t.same(await it.next(), [keyOf(5), valueOf(5)], 'seek back into entries read before')
  t.same(await drainKeys(it), range(6, COUNT), 'the rest, once each')
  it.seek(keyOf(COUNT - 2))
  t.same(await drainKeys(it), range(COUNT - 2, COUNT), 'seek after the end was reached')
  await it.close()

  const reverse = db.iterator({ reverse: true })
  await reverse.next()
  await reverse.next()
  reverse.seek(keyOf(1500))
  t.same(await reverse.next(), [keyOf(1500), valueOf(1500)], 'reverse: seek lands on the target')
  t.same(await reverse.next(), [keyOf(1499), valueOf(1499)], 'reverse: and walks down from it')
  await reverse.close()
})

tape('prefetch: entries read ahead belong to the iterator\'s snapshot', async (t) => {
  const db = await filledDb(t)
  const it = db.iterator()
  await it.next()
  await it.next()
  // Changes both inside the prefetched entries and beyond them.
  await db.batch([
    { type: 'del', key: keyOf(2) },
    { type: 'put', key: keyOf(3), value: 'changed' },
    { type: 'put', key: `${keyOf(4)}a`, value: 'added' },
    { type: 'del', key: keyOf(2400) },
    { type: 'put', key: keyOf(2401), value: 'changed' }
  ])
  const rest: Array<[string, string]> = []
  for (let entry = await it.next(); entry !== undefined; entry = await it.next()) rest.push(entry)
  await it.close()
  t.same(rest.map(([key]) => key), range(2, COUNT), 'no entry added or removed')
  t.ok(rest.every(([key, value]) => value === valueOf(Number(key.slice(1)))), 'every value as it was')

  const after = await db.iterator({ gte: keyOf(2), lt: keyOf(5) }).all()
  t.same(after, [[keyOf(3), 'changed'], [keyOf(4), valueOf(4)], [`${keyOf(4)}a`, 'added']], 'a new iterator sees the changes')
})

tape('prefetch: limit holds across a prefetch boundary', async (t) => {
  const db = await filledDb(t)
  t.same(await drainKeys(db.iterator({ limit: 1500 })), range(0, 1500), 'next() stops at the limit')
  t.same(await drainKeys(db.iterator({ limit: 1500, reverse: true })), range(COUNT - 1500, COUNT).reverse(), 'in reverse too')

  const it = db.iterator({ limit: 1003 })
  await it.next()
  await it.next()
  const rest = await it.nextv(5000)
  // The first next() reads one entry, the second a prefetch of 1000.
  t.same(rest.map(([key]) => key), range(2, 1001), 'nextv() after next() yields the rest of the prefetch')
  t.same(await it.nextv(5000), [[keyOf(1001), valueOf(1001)], [keyOf(1002), valueOf(1002)]], 'then what is left of the limit')
  t.same(await it.nextv(5000), [], 'then nothing')
  await it.close()
})

tape('prefetch: bounded by highWaterMarkBytes; nextv() and all() continue without loss', async (t) => {
  const db = await filledDb(t)
  // Keys of 6 bytes and values of 2 (for entries below 10): three entries exceed 20 bytes.
  const it = db.iterator({ highWaterMarkBytes: 20 })
  t.same(await it.next(), [keyOf(0), valueOf(0)])
  t.same(await it.next(), [keyOf(1), valueOf(1)], 'a prefetch of entries 1 to 3')
  t.same((await it.nextv(100)).map(([key]) => key), range(2, 4), 'nextv() first yields the rest of the prefetch')
  t.same((await it.nextv(100)).map(([key]) => key), range(4, 7), 'then reads within highWaterMarkBytes')
  t.same(await it.next(), [keyOf(7), valueOf(7)])
  t.same((await it.all()).map(([key]) => key), range(8, COUNT), 'all() yields the prefetch and everything after it')
})

tape('prefetch: close() with entries read ahead', async (t) => {
  const db = await filledDb(t)
  const it = db.iterator()
  await it.next()
  await it.next()
  await it.close()
  t.is(await rejectionCode(it.next()), 'LEVEL_ITERATOR_NOT_OPEN', 'next() after close() does not serve the prefetch')

  const aborter = new AbortController()
  const signalled = db.iterator({ signal: aborter.signal })
  await signalled.next()
  await signalled.next()
  aborter.abort()
  t.is(await rejectionCode(signalled.next()), 'LEVEL_ABORTED', 'an abort stops reads served from the prefetch')
  await signalled.close()

  const keys = db.keys()
  await keys.next()
  await keys.next()
  await db.close()
  t.is(await rejectionCode(keys.next()), 'LEVEL_ITERATOR_NOT_OPEN', 'closing the database closes an iterator holding a prefetch')
})
