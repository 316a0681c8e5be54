import tape from 'tape'
import { AiLevel } from '../../index'
import { errorCode } from '../../lib/util/errors'
import { rejectionCode } from '../util/level'
import { tempLocation } from '../util/temp-dir'

tape('approximateSize(), compactRange() and getProperty() on an open database', async (t) => {
  const db = new AiLevel(tempLocation(t))
  await db.batch(Array.from({ length: 100 }, (_, i) => ({ type: 'put' as const, key: `key${i}`, value: 'x'.repeat(100) })))

  const size = await db.approximateSize('key0', 'key99')
  t.is(typeof size, 'number', 'approximateSize yields a number')
  t.ok(size >= 0, 'and it is not negative')
  t.is(await db.approximateSize(Buffer.from('a'), Buffer.from('z'), { keyEncoding: 'buffer' }), await db.approximateSize('a', 'z'), 'accepts a keyEncoding option')

  await db.compactRange('key0', 'key99')
  t.is(await db.get('key42'), 'x'.repeat(100), 'data survives compactRange')
  t.is(typeof db.getProperty('leveldb.stats'), 'string', 'getProperty yields a string')

  t.throws(() => db.getProperty(42 as unknown as string), TypeError, 'getProperty wants a string')
  const approximateSize = db.approximateSize.bind(db) as (start: string) => Promise<number>
  t.is(await rejectionCode(approximateSize('a')), 'TypeError', 'start and end are required')
  return db.close()
})

tape('approximateSize() and compactRange() wait for a pending open', async (t) => {
  const db = new AiLevel(tempLocation(t))
  t.is(db.status, 'opening')
  t.is(typeof await db.approximateSize('a', 'z'), 'number')
  await db.compactRange('a', 'z')
  t.is(db.status, 'open')
  return db.close()
})

tape('extras on a closed database fail with LEVEL_DATABASE_NOT_OPEN', async (t) => {
  const db = new AiLevel(tempLocation(t))
  await db.open()
  await db.close()

  t.is(await rejectionCode(db.approximateSize('a', 'z')), 'LEVEL_DATABASE_NOT_OPEN', 'approximateSize')
  t.is(await rejectionCode(db.compactRange('a', 'z')), 'LEVEL_DATABASE_NOT_OPEN', 'compactRange')
  t.throws(() => db.getProperty('leveldb.stats'), (err: unknown) => errorCode(err) === 'LEVEL_DATABASE_NOT_OPEN', 'getProperty')
})

tape('static destroy() and repair() check their location', async (t) => {
  const location = tempLocation(t)
  const db = new AiLevel(location)
  await db.put('a', 'b')
  await db.close()

  await AiLevel.repair(location)
  await AiLevel.destroy(location)
  t.is(await rejectionCode(AiLevel.destroy('')), 'TypeError', 'destroy rejects an empty location')
  t.is(await rejectionCode(AiLevel.repair(undefined as unknown as string)), 'TypeError', 'repair rejects a missing location')
})
