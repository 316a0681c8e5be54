// The classic anomalies of concurrent read-modify-write: each test fails if commits are not
// checked (the second transaction would commit and the invariant break).
import tape from 'tape'
import { AiLevel } from '../../index'
import type { IsolationLevel, Transaction } from '../../index'
import { rejectionCode } from '../util/level'
import { tempLocation } from '../util/temp-dir'

async function open (t: tape.Test, entries: Record<string, string> = {}, options: { transactionHistoryBytes?: number } = {}): Promise<AiLevel> {
  const db = new AiLevel(tempLocation(t), options)
  await db.open()
  await db.batch(Object.entries(entries).map(([key, value]) => ({ type: 'put' as const, key, value })))
  return db
}

async function increment (tx: Transaction): Promise<void> {
  await tx.put('counter', String(Number(await tx.get('counter')) + 1))
}

for (const isolation of ['serializable', 'snapshot'] as IsolationLevel[]) {
  tape(`anomalies (${isolation}): lost update, two increments of one counter`, async (t) => {
    const db = await open(t, { counter: '0' })
    const first = db.transaction({ isolation })
    const second = db.transaction({ isolation })
    await increment(first)
    await increment(second)
    await first.commit()
    t.is(await rejectionCode(second.commit()), 'LEVEL_TRANSACTION_CONFLICT', 'the second increment conflicts')
    t.is(await db.get('counter'), '1')

    await Promise.all(Array.from({ length: 20 }, () => db.transaction(increment, { isolation, retries: 100 })))
    t.is(await db.get('counter'), '21', 'concurrent increments with retries lose nothing')
    return db.close()
  })
}

// Two doctors on call; each may go off call if the other is still on. Both checking at once must
// not leave nobody on call.
async function goOffCall (tx: Transaction, me: string): Promise<void> {
  const onCall = (await tx.values({ gte: 'doctor/', lt: 'doctor0' }).all()).filter(v => v === 'on').length
  if (onCall >= 2) await tx.put(`doctor/${me}`, 'off')
}

tape('anomalies: write skew (two doctors on call) is prevented by serializable, allowed by snapshot', async (t) => {
  const db = await open(t, { 'doctor/alice': 'on', 'doctor/bob': 'on' })
  const alice = db.transaction()
  const bob = db.transaction()
  await goOffCall(alice, 'alice')
  await goOffCall(bob, 'bob')
  await alice.commit()
  t.is(await rejectionCode(bob.commit()), 'LEVEL_TRANSACTION_CONFLICT', 'serializable: bob\'s commit conflicts')
  t.same(await db.values({ gte: 'doctor/', lt: 'doctor0' }).all(), ['off', 'on'], 'one doctor stays on call')

  await db.put('doctor/alice', 'on')
  const alice2 = db.transaction({ isolation: 'snapshot' })
  const bob2 = db.transaction({ isolation: 'snapshot' })
  await goOffCall(alice2, 'alice')
  await goOffCall(bob2, 'bob')
  await alice2.commit()
  await bob2.commit()
  t.same(await db.values({ gte: 'doctor/', lt: 'doctor0' }).all(), ['off', 'off'], 'snapshot isolation checks written keys only, so both commit')
  return db.close()
})

tape('anomalies: phantom, a key inserted into a scanned range, by a transaction or a plain write', async (t) => {
  const db = await open(t, { 'order/1': 'x', 'order/2': 'x', 'zzz': 'x' })
  const writers: Array<[string, (db: AiLevel) => Promise<void>]> = [
    ['another transaction', (db) => db.transaction(async (tx) => { await tx.put('order/15', 'x') })],
    ['db.put', (db) => db.put('order/15', 'x')],
    ['db.del', (db) => db.del('order/2')],
    ['db.batch', (db) => db.batch([{ type: 'put', key: 'order/3', value: 'x' }])],
    ['a chained batch', (db) => db.batch().put('order/3', 'x').write()],
    ['db.clear', (db) => db.clear({ gte: 'order/2', lt: 'order/3' })]
  ]
  for (const [name, write] of writers) {
    await db.batch([{ type: 'del', key: 'order/15' }, { type: 'del', key: 'order/3' }, { type: 'put', key: 'order/2', value: 'x' }])
    const tx = db.transaction()
    const count = (await tx.keys({ gte: 'order/', lt: 'order0' }).all()).length
    await tx.put('order-count', String(count))
    await write(db)
    t.is(await rejectionCode(tx.commit()), 'LEVEL_TRANSACTION_CONFLICT', `${name} into the scanned range conflicts`)
  }

  const outside = db.transaction()
  await outside.keys({ gte: 'order/', lt: 'order0' }).all()
  await outside.put('order-count', '2')
  await db.put('zzz', 'changed')
  await db.put('order0', 'just past the range')
  await outside.commit()
  t.pass('writes outside the scanned range do not conflict')
  return db.close()
})

tape('anomalies: an iterator\'s range is checked up to where it stopped, in either direction', async (t) => {
  const db = await open(t, { a: '1', c: '1', e: '1', g: '1' })
  const cases: Array<[string, { reverse?: boolean, limit?: number, seek?: string }, string, boolean]> = [
    ['forward, limit 2: insert past where it stopped', { limit: 2 }, 'd', false],
    ['forward, limit 2: insert before where it stopped', { limit: 2 }, 'b', true],
    ['reverse, limit 2: insert below where it stopped', { reverse: true, limit: 2 }, 'd', false],
    ['reverse, limit 2: insert above where it stopped', { reverse: true, limit: 2 }, 'f', true],
    ['seek past a gap: insert into the gap skipped', { seek: 'e', limit: 1 }, 'b', false],
    ['seek: insert between target and landing', { seek: 'd', limit: 1 }, 'dd', true],
    ['reverse seek: insert into the gap skipped', { reverse: true, seek: 'c', limit: 1 }, 'f', false]
  ]
  for (const [name, { seek, ...options }, inserted, conflicts] of cases) {
    await db.del(inserted)
    const tx = db.transaction()
    const it = tx.keys({ ...options, lt: 'h' })
    if (seek !== undefined) it.seek(seek)
    await it.all()
    await tx.put('result', 'x')
    await db.put(inserted, 'phantom')
    const code = await rejectionCode(tx.commit())
    t.is(code, conflicts ? 'LEVEL_TRANSACTION_CONFLICT' : 'resolved', name)
    await db.del(inserted)
  }
  return db.close()
})

tape('anomalies: reading one\'s own write depends on nobody; a blind write does not conflict', async (t) => {
  const db = await open(t, { k: '0' })
  const tx = db.transaction()
  await tx.put('k', 'mine')
  t.is(await tx.get('k'), 'mine')
  await db.put('k', 'theirs')
  await tx.commit()
  t.is(await db.get('k'), 'mine', 'commit order: the transaction came last')
  return db.close()
})

tape('anomalies: a transaction older than the conflict history fails instead of committing unchecked', async (t) => {
  const db = await open(t, { k: '0' }, { transactionHistoryBytes: 8 * 1024 })
  const old = db.transaction()
  await old.get('k')
  await old.put('k', '1')
  for (let i = 0; i < 200; i++) await db.put(`other${i}`, 'x')
  t.is(await rejectionCode(old.commit()), 'LEVEL_TRANSACTION_CONFLICT', 'what it needed was dropped, so it fails')
  await db.transaction(async (tx) => { await tx.put('k', String(Number(await tx.get('k')) + 1)) })
  t.is(await db.get('k'), '1', 'a new transaction commits')
  return db.close()
})
