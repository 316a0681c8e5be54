// Transactions through the public API: read-your-writes in every read path, encodings and
// sublevels, the two forms of db.transaction(), and coded errors.
import tape from 'tape'
import { AiLevel } from '../../index'
import type { Transaction } from '../../index'
import { rejectionCode } from '../util/level'
import { tempLocation } from '../util/temp-dir'

async function openWith (t: tape.Test, entries: Record<string, string>): Promise<AiLevel> {
  const db = new AiLevel(tempLocation(t))
  await db.open()
  await db.batch(Object.entries(entries).map(([key, value]) => ({ type: 'put' as const, key, value })))
  return db
}

// The transaction's writes over a..e: b changed, c deleted, bb and f added.
async function writeSome (tx: Transaction): Promise<void> {
  await tx.put('b', 'B2')
  await tx.del('c')
  await tx.put('bb', 'BB')
  await tx.put('f', 'F')
}

const BASE = { a: 'A', b: 'B', c: 'C', d: 'D', e: 'E' }
const MERGED: Array<[string, string]> = [['a', 'A'], ['b', 'B2'], ['bb', 'BB'], ['d', 'D'], ['e', 'E'], ['f', 'F']]

tape('transaction: point reads see the snapshot plus the transaction\'s own writes and deletes', async (t) => {
  const db = await openWith(t, BASE)
  const tx = db.transaction()
  await writeSome(tx)
  await db.put('a', 'A-later')
  await db.put('z', 'Z-later')

  t.is(await tx.get('a'), 'A', 'snapshot value, not a later write')
  t.is(await tx.get('z'), undefined, 'a key written later is not seen')
  t.is(await tx.get('b'), 'B2', 'own put')
  t.is(await tx.get('c'), undefined, 'own delete')
  t.same(await tx.getMany(['a', 'b', 'c', 'bb', 'nope']), ['A', 'B2', undefined, 'BB', undefined], 'getMany')
  t.is(await tx.has('c'), false, 'has: own delete')
  t.is(await tx.has('bb'), true, 'has: own put')
  t.same(await tx.hasMany(['a', 'c', 'f', 'z']), [true, false, true, false], 'hasMany')
  t.is(await db.get('b'), 'B', 'nothing reaches the database before commit')

  await tx.abort()
  t.is(await db.get('bb'), undefined, 'abort drops the writes')
  return db.close()
})

tape('transaction: iterators merge own writes and deletes in every direction, range and limit', async (t) => {
  const db = await openWith(t, BASE)
  const tx = db.transaction()
  await writeSome(tx)
  await db.put('c2', 'later')

  t.same(await tx.iterator().all(), MERGED, 'forward')
  t.same(await tx.iterator({ reverse: true }).all(), [...MERGED].reverse(), 'reverse')
  t.same(await tx.iterator({ gt: 'a', lte: 'd' }).all(), MERGED.slice(1, 4), 'gt/lte')
  t.same(await tx.iterator({ gte: 'b', lt: 'e', reverse: true }).all(), MERGED.slice(1, 4).reverse(), 'gte/lt reverse')
  t.same(await tx.iterator({ limit: 3 }).all(), MERGED.slice(0, 3), 'limit')
  t.same(await tx.iterator({ reverse: true, limit: 2 }).all(), [['f', 'F'], ['e', 'E']], 'reverse limit')
  t.same(await tx.keys({ gte: 'b' }).all(), ['b', 'bb', 'd', 'e', 'f'], 'keys()')
  t.same(await tx.values({ lt: 'c' }).all(), ['A', 'B2', 'BB'], 'values()')

  const it = tx.iterator()
  t.same(await it.nextv(2), MERGED.slice(0, 2), 'nextv')
  t.same(await it.next(), MERGED[2], 'next after nextv')
  it.seek('c')
  t.same(await it.next(), ['d', 'D'], 'seek to a deleted key lands on the next one')
  it.seek('bb')
  t.same(await it.nextv(10), MERGED.slice(2), 'seek to an own put')
  await it.close()

  const reverse = tx.iterator({ reverse: true })
  reverse.seek('c')
  t.same(await reverse.next(), ['bb', 'BB'], 'reverse seek to a deleted key lands on the previous one')
  reverse.seek('bb')
  t.same(await reverse.all(), MERGED.slice(0, 3).reverse(), 'reverse seek to an own put')

  const collected: Array<[string, string]> = []
  for await (const entry of tx.iterator({ gt: 'bb' })) collected.push(entry)
  t.same(collected, MERGED.slice(3), 'for await')

  await tx.put('0', 'zero')
  t.same((await tx.iterator().all())[0], ['0', 'zero'], 'a write after an iterator was made shows in the next one')
  await tx.abort()
  return db.close()
})

tape('transaction: clear() deletes what the transaction sees in the range, own writes included', async (t) => {
  const db = await openWith(t, BASE)
  await db.transaction(async (tx) => {
    await writeSome(tx)
    await tx.clear({ gte: 'b', lt: 'e' })
    t.same(await tx.keys().all(), ['a', 'e', 'f'], 'seen inside the transaction')
    await tx.clear({ gt: 'a', limit: 1 })
    t.same(await tx.keys().all(), ['a', 'f'], 'limit deletes only the first key')
  })
  t.same(await db.keys().all(), ['a', 'f'], 'committed')
  return db.close()
})

tape('transaction: encodings and sublevels work as on the database; two sublevels commit atomically', async (t) => {
  const db = new AiLevel<string, unknown>(tempLocation(t), { valueEncoding: 'json' })
  await db.open()
  const accounts = db.sublevel<string, number>('accounts', { valueEncoding: 'json' })
  const log = db.sublevel<number, string>('log', { keyEncoding: 'json', valueEncoding: 'utf8' })
  const nested = accounts.sublevel<string, number>('nested', { valueEncoding: 'json' })
  await accounts.batch([{ type: 'put', key: 'alice', value: 10 }, { type: 'put', key: 'bob', value: 5 }])
  await nested.put('n', 1)
  await db.put('top', { a: 1 })

  await db.transaction(async (tx) => {
    t.same(await tx.get('top'), { a: 1 }, 'the database\'s own encoding')
    const alice = await tx.get<string, number>('alice', { sublevel: accounts })
    t.is(alice, 10, 'a sublevel\'s encoding')
    await tx.put('alice', (alice as number) - 3, { sublevel: accounts })
    await tx.batch<unknown, unknown>([
      { type: 'put', key: 'bob', value: 8, sublevel: accounts },
      { type: 'put', key: 1, value: 'alice->bob 3', sublevel: log },
      { type: 'put', key: 'n', value: 2, sublevel: nested }
    ], {})
    t.same(await tx.iterator({ sublevel: accounts }).all(), [['!nested!n', 2], ['alice', 7], ['bob', 8]], 'a sublevel iterator has its own keys (and its sublevels\', as on the database), unprefixed, with own writes')
    t.same(await tx.iterator({ sublevel: log }).all(), [[1, 'alice->bob 3']], 'json keys')
    t.same(await tx.keys({ sublevel: nested }).all(), ['n'], 'a nested sublevel')
    t.same(await tx.keys({ sublevel: accounts, reverse: true, limit: 1 }).all(), ['bob'], 'reverse limit within the sublevel')
    const it = tx.iterator<number, string>({ sublevel: log })
    it.seek(1)
    t.same(await it.next(), [1, 'alice->bob 3'], 'seek with an encoded key in a sublevel')
    await it.close()
    t.same(await tx.get(Buffer.from('!accounts!bob'), { keyEncoding: 'buffer', valueEncoding: 'utf8' }), '8', 'the own write under its raw prefixed key, with per-call encodings')
    t.same(await tx.values({ valueEncoding: 'utf8', gte: '!accounts!', lt: '!accounts"' }).all(), ['2', '7', '8'], 'the database sees sublevel keys, own writes included')
  })

  t.same(await accounts.iterator({ gte: 'a' }).all(), [['alice', 7], ['bob', 8]], 'both sublevels committed')
  t.same(await log.get(1), 'alice->bob 3')
  t.is(await nested.get('n'), 2)

  // A commit that fails writes to neither sublevel.
  const tx = db.transaction()
  await tx.put('alice', 0, { sublevel: accounts })
  await tx.put(2, 'lost', { sublevel: log })
  await tx.get('bob', { sublevel: accounts })
  await accounts.put('bob', 100)
  t.is(await rejectionCode(tx.commit()), 'LEVEL_TRANSACTION_CONFLICT', 'conflict on one sublevel')
  t.is(await accounts.get('alice'), 7, 'first sublevel untouched')
  t.is(await log.get(2), undefined, 'second sublevel untouched')

  const other = new AiLevel(tempLocation(t))
  await other.open()
  const foreign = other.sublevel('x')
  const tx2 = db.transaction()
  t.is(await rejectionCode(tx2.put('k', 'v', { sublevel: foreign })), 'LEVEL_INVALID_VALUE', 'a sublevel of another database is refused')
  t.is(await rejectionCode(tx2.put(null as unknown as string, 'v')), 'LEVEL_INVALID_KEY', 'invalid key')
  t.is(await rejectionCode(tx2.put('k', undefined as unknown as string)), 'LEVEL_INVALID_VALUE', 'invalid value')
  t.is(await rejectionCode(tx2.batch([{ type: 'put', key: 'ok', value: 1 }, { type: 'put', key: 'bad', value: null }])), 'LEVEL_INVALID_VALUE', 'a batch with one invalid operation')
  t.is(await tx2.has('ok'), false, '... applies none of them')
  await tx2.abort()
  await other.close()
  return db.close()
})

tape('transaction: the function form commits, passes on errors and retries conflicts', async (t) => {
  const db = await openWith(t, { n: '0' })
  t.is(await db.transaction(async (tx) => { await tx.put('n', '1'); return 'result' }), 'result', 'resolves with the function\'s result')
  t.is(await db.get('n'), '1', 'committed')

  const boom = new Error('boom')
  let caught: unknown
  try {
    await db.transaction(async (tx) => { await tx.put('n', 'never'); throw boom })
  } catch (err) {
    caught = err
  }
  t.is(caught, boom, 'the function\'s error is passed on')
  t.is(await db.get('n'), '1', 'and nothing it wrote is applied')

  let runs = 0
  await db.transaction(async (tx) => {
    runs++
    const n = Number(await tx.get('n'))
    if (runs === 1) await db.put('n', '10')
    await tx.put('n', String(n + 1))
  })
  t.is(runs, 2, 'ran again after a conflict')
  t.is(await db.get('n'), '11', 'the retry read the other write')

  runs = 0
  const code = await rejectionCode(db.transaction(async (tx) => {
    runs++
    await tx.get('n')
    await db.put('n', `interfering ${runs}`)
    await tx.put('n', 'mine')
  }, { retries: 2 }))
  t.is(code, 'LEVEL_TRANSACTION_CONFLICT', 'rejects with the conflict once retries run out')
  t.is(runs, 3, 'after the first run and 2 retries')
  t.is(await rejectionCode(db.transaction(async () => {}, { retries: -1 })), 'LEVEL_INVALID_VALUE', 'retries must be a non-negative integer')
  t.throws(() => db.transaction({ isolation: 'linearizable' as 'snapshot' }), /isolation/, 'unknown isolation level')
  return db.close()
})

tape('transaction: a read-only transaction commits without a check; one that ended refuses use', async (t) => {
  const db = await openWith(t, { a: '1' })
  const reader = db.transaction()
  t.is(await reader.get('a'), '1')
  await db.put('a', '2')
  await reader.commit()
  t.is(reader.status, 'committed', 'a read-only transaction sees a consistent snapshot and commits')

  const tx = db.transaction()
  await tx.put('b', '1')
  const it = tx.iterator()
  await tx.commit()
  t.is(await rejectionCode(it.next()), 'LEVEL_ITERATOR_NOT_OPEN', 'its iterators were closed')
  t.is(await rejectionCode(tx.commit()), 'LEVEL_TRANSACTION_NOT_OPEN', 'commit twice')
  t.is(await rejectionCode(tx.get('a')), 'LEVEL_TRANSACTION_NOT_OPEN', 'read after commit')
  t.is(await rejectionCode(tx.put('a', 'x')), 'LEVEL_TRANSACTION_NOT_OPEN', 'write after commit')
  t.throws(() => tx.iterator(), /committed: cannot call iterator/, 'iterator after commit')
  t.is(await rejectionCode(tx.abort()), 'LEVEL_TRANSACTION_NOT_OPEN', 'abort after commit')

  const aborted = db.transaction()
  await aborted.abort()
  await aborted.abort()
  t.is(await rejectionCode(aborted.commit()), 'LEVEL_TRANSACTION_NOT_OPEN', 'commit after abort')

  const failed = db.transaction()
  await failed.get('a')
  await failed.put('a', 'x')
  await db.put('a', '3')
  t.is(await rejectionCode(failed.commit()), 'LEVEL_TRANSACTION_CONFLICT')
  t.is(failed.status, 'aborted', 'a failed commit ends the transaction')
  t.is(await rejectionCode(failed.commit()), 'LEVEL_TRANSACTION_NOT_OPEN')
  return db.close()
})

tape('transaction: db.close() aborts open transactions; a closed database refuses new ones', async (t) => {
  const db = await openWith(t, { a: '1' })
  const tx = db.transaction()
  await tx.put('a', 'never')
  const committing = db.transaction()
  await committing.put('b', 'committed')
  const commit = committing.commit()
  await db.close()
  await commit
  t.is(tx.status, 'aborted', 'open transaction aborted')
  t.is(committing.status, 'committed', 'a commit under way finished first')
  t.is(await rejectionCode(tx.commit()), 'LEVEL_TRANSACTION_NOT_OPEN', 'the aborted one refuses commit')
  t.throws(() => db.transaction(), /not open/, 'manual form on a closed database')
  t.is(await rejectionCode(db.transaction(async () => {})), 'LEVEL_DATABASE_NOT_OPEN', 'function form on a closed database')

  await db.open()
  t.is(await db.get('a'), '1', 'the aborted transaction wrote nothing')
  t.is(await db.get('b'), 'committed')
  return db.close()
})

tape('transaction: the function form waits for a pending open', async (t) => {
  const db = new AiLevel(tempLocation(t))
  t.is(db.status, 'opening')
  await db.transaction(async (tx) => { await tx.put('k', 'v') })
  t.is(await db.get('k'), 'v')
  return db.close()
})

tape('transaction: sync commits, and keys and values are copied when written', async (t) => {
  const db = new AiLevel<Buffer, Buffer>(tempLocation(t), { keyEncoding: 'buffer', valueEncoding: 'buffer' })
  await db.open()
  const key = Buffer.from('key')
  const value = Buffer.from('value')
  await db.transaction(async (tx) => {
    await tx.put(key, value)
    key[0] = 0
    value[0] = 0
  }, { sync: true })
  t.same(await db.get(Buffer.from('key')), Buffer.from('value'), 'the bytes as they were at put()')
  return db.close()
})

tape('transaction: a value read back from the transaction\'s own writes is the caller\'s copy', async (t) => {
  const db = new AiLevel<string, Buffer>(tempLocation(t), { valueEncoding: 'buffer' })
  await db.open()
  const tx = db.transaction()
  await tx.put('k', Buffer.from('abc'))
  const got = await tx.get('k') as Buffer
  got[0] = 0x7a
  const [many] = await tx.getMany(['k']) as Buffer[]
  many[1] = 0x7a
  t.is((await tx.get('k') as Buffer).toString(), 'abc', 'changing a returned value leaves the pending write alone')
  await tx.commit()
  t.is((await db.get('k'))?.toString(), 'abc', 'and the commit writes what was put')
  await db.close()
})
