// The adapter's write paths: strings encoded straight into batches, and grouped puts and dels
// taking effect in the order they were made, among other writes and reads.
import tape from 'tape'
import { AiLevel } from '../../index'
import { tempLocation } from '../util/temp-dir'

// Multi-byte characters, a surrogate pair, lone surrogates (stored as U+FFFD) and a NUL.
const STRINGS = ['plain', 'caf\u00e9', '\u20ac uro', '\ud83d\ude00 smile', 'lone \ud800 high', 'lone \udc00 low', 'end \ud83d', 'nul \u0000 byte', '']

tape('string keys and values are stored as their UTF-8 bytes by every write path', async (t) => {
  const db = new AiLevel<string, string>(tempLocation(t))
  await db.open()
  const keys = STRINGS.filter(s => s !== '')
  const paths = ['put', 'put sync', 'batch', 'chained'] as const
  for (const path of paths) {
    for (let i = 0; i < keys.length; i++) {
      const key = `${path}:${keys[i]}`
      const value = STRINGS[(i + 3) % STRINGS.length].repeat(i % 2 === 0 ? 1 : 700)
      if (path === 'put') await db.put(key, value)
      else if (path === 'put sync') await db.put(key, value, { sync: true })
      else if (path === 'batch') await db.batch([{ type: 'put', key, value }])
      else await db.batch().put(key, value).write()
    }
  }
  const expected = paths.flatMap(path => keys.map((k, i) => [
    Buffer.from(`${path}:${k}`, 'utf8'),
    Buffer.from(STRINGS[(i + 3) % STRINGS.length].repeat(i % 2 === 0 ? 1 : 700), 'utf8')
  ])).sort((a, b) => Buffer.compare(a[0], b[0]))
  const stored = await db.iterator<Buffer, Buffer>({ keyEncoding: 'buffer', valueEncoding: 'buffer' }).all()
  t.is(stored.length, expected.length, 'every write is there')
  t.ok(stored.every(([key, value], i) => key.equals(expected[i][0]) && value.equals(expected[i][1])), 'as the bytes Buffer.from(string, "utf8") makes')
  await db.close()
  t.end()
})

tape('puts and dels not awaited take effect in the order made, before any later write or read', async (t) => {
  const db = new AiLevel<string, string>(tempLocation(t))
  await db.open()
  const writes = [db.put('a', '1'), db.put('b', '1'), db.del('a')]
  t.is(db.getSync('a'), undefined, 'a read sees the puts and dels made before it')
  t.is(db.getSync('b'), '1')
  const snapshot = db.snapshot()
  writes.push(db.put('a', '2'))
  writes.push(db.batch([{ type: 'put', key: 'a', value: '3' }, { type: 'put', key: 'c', value: '3' }]))
  writes.push(db.put('c', '4'))
  writes.push(db.del('b'))
  const chained = db.batch().put('b', '5')
  writes.push(db.put('d', '6', { sync: true }))
  writes.push(chained.write())
  const it = db.iterator()
  await Promise.all(writes)
  t.same(await it.all(), [['a', '3'], ['b', '5'], ['c', '4'], ['d', '6']], 'an iterator sees every write made before it, in order')
  t.is(await db.get('a', { snapshot }), undefined, 'a snapshot holds what was written before it')
  t.is(await db.get('b', { snapshot }), '1')
  await snapshot.close()
  const last = db.put('e', '7')
  await db.close()
  await last
  await db.open()
  t.is(await db.get('e'), '7', 'close() writes an open group first')
  await db.close()
  t.end()
})

tape('values too large for a pooled batch are logged from the caller\'s buffer, and survive a reopen', async (t) => {
  const location = tempLocation(t)
  const db = new AiLevel<string, Buffer>(location, { valueEncoding: 'buffer' })
  await db.open()
  const large = (seed: number): Buffer => {
    const value = Buffer.allocUnsafe(600 * 1024 + seed)
    for (let i = 0; i < value.length; i++) value[i] = (i * 131 + seed) & 0xff
    return value
  }
  await db.put('a', large(1))
  await db.put('b', large(2), { sync: true })
  const view = new Uint8Array(large(3).buffer, 3, 600 * 1024)
  await Promise.all([db.put('c', Buffer.from('small')), db.put<string, Uint8Array>('d', view, { valueEncoding: 'view' }), db.put('e', Buffer.from('after'))])
  t.ok((await db.get('a'))?.equals(large(1)), 'read back from the memtable')
  t.ok((await db.get('d'))?.equals(Buffer.from(view)), 'a Uint8Array view, its own bytes only')
  await db.close()
  await db.open()
  t.ok((await db.get('a'))?.equals(large(1)), 'recovered from the log: a')
  t.ok((await db.get('b'))?.equals(large(2)), 'b')
  t.ok((await db.get('d'))?.equals(Buffer.from(view)), 'd')
  t.same([(await db.get('c'))?.toString(), (await db.get('e'))?.toString()], ['small', 'after'], 'the writes around them too')
  await db.close()
  t.end()
})
