import tape from 'tape'
import { AiLevel } from '../../index'
import { errorCode } from '../../lib/util/errors'
import { rejectionCode } from '../util/level'
import { tempLocation } from '../util/temp-dir'

async function filledDb (t: tape.Test): Promise<AiLevel> {
  const db = new AiLevel(tempLocation(t))
  t.teardown(async () => db.close())
  // Ten entries of a 2-byte key and a 100-byte value.
  await db.batch(Array.from({ length: 10 }, (_, i) => ({ type: 'put' as const, key: `k${i}`, value: String(i).repeat(100) })))
  return db
}

tape('nextv() stops once highWaterMarkBytes is exceeded', async (t) => {
  const db = await filledDb(t)

  const entries = db.iterator({ highWaterMarkBytes: 250 })
  t.is((await entries.nextv(10)).length, 3, 'entries count key and value bytes: 3 * 102 > 250')
  t.is((await entries.nextv(10)).length, 3, 'and the next call picks up where it stopped')
  await entries.close()

  const keys = db.keys({ highWaterMarkBytes: 5 })
  t.same(await keys.nextv(10), ['k0', 'k1', 'k2'], 'keys count only key bytes')
  await keys.close()

  const values = db.values({ highWaterMarkBytes: 150 })
  t.is((await values.nextv(10)).length, 2, 'values count only value bytes')
  await values.close()

  const single = db.iterator({ highWaterMarkBytes: 0 })
  t.is((await single.nextv(10)).length, 1, 'always yields at least one entry')
  await single.close()

  t.is((await db.iterator().nextv(10)).length, 10, 'the 16 KiB default holds all ten')
})

tape('highWaterMarkBytes does not limit all() or a reverse range', async (t) => {
  const db = await filledDb(t)
  t.is((await db.iterator({ highWaterMarkBytes: 0 }).all()).length, 10)
  t.same(await db.keys({ highWaterMarkBytes: 0, reverse: true, gt: 'k2', lte: 'k5' }).all(), ['k5', 'k4', 'k3'])
})

tape('reading after close fails cleanly', async (t) => {
  const db = await filledDb(t)
  const it = db.iterator()
  t.same(await it.next(), ['k0', '0'.repeat(100)])
  await db.close()

  const notOpen = (err: unknown): boolean => errorCode(err) === 'LEVEL_DATABASE_NOT_OPEN'
  t.is(await rejectionCode(it.next()), 'LEVEL_ITERATOR_NOT_OPEN', 'an iterator open at close() was closed')
  t.is(await rejectionCode(db.get('k1')), 'LEVEL_DATABASE_NOT_OPEN', 'get()')
  t.is(await rejectionCode(db.put('k1', 'v')), 'LEVEL_DATABASE_NOT_OPEN', 'put()')
  t.throws(() => db.getSync('k1'), notOpen, 'getSync()')
  t.throws(() => db.keys(), notOpen, 'keys()')
  t.throws(() => db.snapshot(), notOpen, 'snapshot()')
})

tape('close() waits for writes in flight', async (t) => {
  const db = await filledDb(t)
  const write = db.batch().put('late', 'write').write()
  await db.close()
  await write
  t.pass('the write resolved')

  await db.open()
  t.is(await db.get('late'), 'write', 'and it was persisted')
})

tape('fillCache is accepted by reads and iterators', async (t) => {
  const db = await filledDb(t)
  t.is(await db.get('k1', { fillCache: false }), '1'.repeat(100))
  t.same(await db.getMany(['k1', 'zz'], { fillCache: false }), ['1'.repeat(100), undefined])
  t.same(await db.keys({ fillCache: true, limit: 2 }).all(), ['k0', 'k1'])
})
