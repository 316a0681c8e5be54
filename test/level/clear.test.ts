import tape from 'tape'
import { AiLevel } from '../../index'
import { tempLocation } from '../util/temp-dir'

// More keys than clear() deletes per engine batch, so it takes several batches.
const KEY_COUNT = 2500
const key = (i: number): string => `key${String(i).padStart(5, '0')}`

async function filledDb (t: tape.Test): Promise<AiLevel> {
  const db = new AiLevel(tempLocation(t))
  t.teardown(async () => db.close())
  await db.batch(Array.from({ length: KEY_COUNT }, (_, i) => ({ type: 'put' as const, key: key(i), value: 'v' })))
  return db
}

tape('clear() over several delete batches honours range, reverse and limit', async (t) => {
  const db = await filledDb(t)
  await db.clear({ lt: key(2000), reverse: true, limit: 1500 })
  const keys = await db.keys().all()
  t.is(keys.length, KEY_COUNT - 1500)
  t.is(keys[499], key(499), 'keeps the start of the range beyond the limit')
  t.is(keys[500], key(2000), 'deletes the 1500 keys before the upper bound')
})

tape('clear() leaves keys added while it runs alone', async (t) => {
  const db = await filledDb(t)
  const clearing = db.clear()
  await db.put(key(KEY_COUNT), 'added during clear')
  await clearing
  t.same(await db.keys().all(), [key(KEY_COUNT)])
})
