// get, getSync, getMany, has and hasMany through the abstract-level API: keys in every encoding
// (multi-byte UTF-8, keys that are prefixes of others, keys too long for the reused key buffer),
// duplicates and absent keys, and snapshots over data in the memtable, level 0 and deeper levels.
import tape from 'tape'
import { AiLevel } from '../../index'
import { tempLocation } from '../util/temp-dir'

const keys = ['a', 'ab', 'abc', 'abcdef', 'é', 'éé', '日本語', '😀 emoji', 'ключ', 'k'.repeat(1023) + 'é', 'k'.repeat(1500)]
const absent = ['abcd', 'abcdefg', '', 'e', 'é'.repeat(3), '日本', '😀', 'k'.repeat(1024), 'k'.repeat(1499)]

tape('point reads: keys of every length and script, reused key buffer, in order and with duplicates', async (t) => {
  const db = new AiLevel<string, string>(tempLocation(t))
  await db.batch(keys.map((key, i) => ({ type: 'put' as const, key, value: `value ${i} ${key}` })))

  const check = async (where: string): Promise<void> => {
    // Alternating long and short keys: bytes of a longer key must not leak into a shorter one's lookup.
    for (const key of [...keys, ...absent, ...keys.slice().reverse()]) {
      const expected = keys.includes(key) ? `value ${keys.indexOf(key)} ${key}` : undefined
      t.is(db.getSync(key), expected, `${where}: getSync ${key.slice(0, 12)} (${key.length})`)
    }
    t.is(await db.get('abcdef'), 'value 3 abcdef', `${where}: get`)
    t.is(await db.get('abcd'), undefined, `${where}: get of an absent key between present ones`)
    const asked = ['ab', 'nope', '日本語', 'ab', 'a', 'k'.repeat(1500), 'abcd', 'é']
    t.same(await db.getMany(asked), asked.map(k => keys.includes(k) ? `value ${keys.indexOf(k)} ${k}` : undefined), `${where}: getMany in the caller's order, with duplicates and absent keys`)
    t.same(await db.hasMany(asked), asked.map(k => keys.includes(k)), `${where}: hasMany`)
    t.is(await db.has('日本語'), true, `${where}: has`)
    t.is(await db.has('日本'), false, `${where}: has of an absent prefix`)
    const buffers = await db.getMany([Buffer.from('éé'), Buffer.from('ab')], { keyEncoding: 'buffer', valueEncoding: 'buffer' })
    t.same(buffers.map(b => b?.toString()), ['value 5 éé', 'value 1 ab'], `${where}: getMany with buffer encodings`)
    const view = db.getSync(new Uint8Array(Buffer.from('ключ')), { keyEncoding: 'view', valueEncoding: 'view' })
    t.is(Buffer.from(view ?? []).toString(), 'value 8 ключ', `${where}: getSync with view encodings`)
  }

  await check('memtable')
  await db.compactRange('', '\uffff')
  await check('after compaction')
  await db.close()
})

tape('point reads: getMany and getSync at snapshots across the memtable, level 0 and deeper levels', async (t) => {
  const location = tempLocation(t)
  let db = new AiLevel<string, string>(location)
  const key = (i: number): string => `key-${String(i).padStart(4, '0')}`
  const model = new Map<string, string>()
  const apply = async (round: number, count: number): Promise<void> => {
    const ops: Array<{ type: 'put', key: string, value: string } | { type: 'del', key: string }> = []
    for (let i = 0; i < count; i++) {
      const k = key((i * 7 + round * 13) % 300)
      if ((i + round) % 5 === 0) {
        ops.push({ type: 'del', key: k })
        model.delete(k)
      } else {
        const value = `round ${round} ${k}`
        ops.push({ type: 'put', key: k, value })
        model.set(k, value)
      }
    }
    await db.batch(ops)
  }
  const all = Array.from({ length: 320 }, (_, i) => key(i))
  const expectAll = (m: Map<string, string>): Array<string | undefined> => all.map(k => m.get(k))

  await apply(1, 200)
  await db.compactRange(key(0), key(999))
  const deeper = new Map(model)
  await apply(2, 150)
  await db.close()
  // Reopening turns the log into a level-0 table.
  db = new AiLevel<string, string>(location)
  await db.open()
  t.ok(Number(db.getProperty('leveldb.num-files-at-level0')) > 0, 'round 2 is in level 0')
  const inLevel0 = new Map(model)
  const snapshot = db.snapshot()
  await apply(3, 120)
  const current = new Map(model)

  t.same(await db.getMany(all), expectAll(current), 'getMany sees the newest writes')
  t.same(await db.getMany(all, { snapshot }), expectAll(inLevel0), 'getMany at a snapshot skips the memtable\'s newer writes')
  t.same(all.map(k => db.getSync(k, { snapshot })), expectAll(inLevel0), 'getSync at the same snapshot agrees')
  t.same(await db.hasMany(all, { snapshot }), expectAll(inLevel0).map(v => v !== undefined), 'hasMany at the snapshot')
  const reversed = all.slice().reverse().concat(all.slice(0, 10))
  t.same(await db.getMany(reversed), reversed.map(k => current.get(k)), 'keys asked out of order come back in the order asked')
  t.notSame(expectAll(deeper), expectAll(inLevel0), 'the rounds overwrite and delete each other')
  await snapshot.close()
  await db.close()
})
