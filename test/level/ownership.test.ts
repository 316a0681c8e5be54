// Keys and values handed to the user are the user's own bytes: changing them in place must not
// change what later reads return, wherever the data lives (memtable, or a table's cached blocks).
import tape from 'tape'
import { AiLevel } from '../../index'
import { tempLocation } from '../util/temp-dir'

type Encoding = 'buffer' | 'view'

const entries: Array<[string, string]> = [['k1', 'hello'], ['k2', 'world'], ['k3', 'again']]

async function assertReadsIntact (t: tape.Test, db: AiLevel<Uint8Array, Uint8Array>, encoding: Encoding, where: string): Promise<void> {
  const options = { keyEncoding: encoding, valueEncoding: encoding }
  const text = (bytes: Uint8Array | undefined): string => Buffer.from(bytes ?? []).toString()
  const key = (k: string): Uint8Array => Buffer.from(k)
  const expected = entries.map(([k, v]) => `${k}=${v}`).join(',')
  const scanned = async (): Promise<string> => (await db.iterator(options).all()).map(([k, v]) => `${text(k)}=${text(v)}`).join(',')

  // Each way of reading hands out bytes, which are then overwritten; the next read must not see it.
  const got = await db.get(key('k1'), options)
  got?.fill(0x78)
  t.is(text(await db.get(key('k1'), options)), 'hello', `${where}, ${encoding}: get`)

  for (const value of await db.getMany([key('k1'), key('k2')], options)) value?.fill(0x79)
  t.same((await db.getMany([key('k1'), key('k2')], options)).map(text), ['hello', 'world'], `${where}, ${encoding}: getMany`)

  for (const [k, v] of await db.iterator(options).all()) {
    k.fill(0x41)
    v.fill(0x7a)
  }
  t.is(await scanned(), expected, `${where}, ${encoding}: iterator all()`)

  const iterator = db.iterator(options)
  for (const [k, v] of await iterator.nextv(10)) {
    k.fill(0x42)
    v.fill(0x71)
  }
  const next = await iterator.next()
  t.is(next, undefined, 'nextv read everything')
  await iterator.close()
  t.is(await scanned(), expected, `${where}, ${encoding}: iterator nextv()`)

  const single = db.iterator(options)
  const first = await single.next()
  first?.[0].fill(0x43)
  first?.[1].fill(0x70)
  await single.close()
  t.is(await scanned(), expected, `${where}, ${encoding}: iterator next()`)

  for (const k of await db.keys(options).all()) k.fill(0x44)
  for (const v of await db.values(options).all()) v.fill(0x75)
  t.is(await scanned(), expected, `${where}, ${encoding}: keys() and values()`)
}

tape('keys and values handed out can be changed without changing the database', async (t) => {
  const location = tempLocation(t)
  let db = new AiLevel<Uint8Array, Uint8Array>(location, { keyEncoding: 'view', valueEncoding: 'view' })
  await db.batch(entries.map(([key, value]) => ({ type: 'put' as const, key: Buffer.from(key), value: Buffer.from(value) })))
  for (const encoding of ['buffer', 'view'] as const) await assertReadsIntact(t, db, encoding, 'in the memtable')
  await db.close()

  // Reopened, the entries are read from a table, through the block cache.
  db = new AiLevel<Uint8Array, Uint8Array>(location, { keyEncoding: 'view', valueEncoding: 'view' })
  await db.open()
  for (const encoding of ['buffer', 'view'] as const) await assertReadsIntact(t, db, encoding, 'in a table')
  return db.close()
})
