// db.checkpoint(dir): a consistent copy made while writes go on, that opens in ai-level and in
// classic-level and outlives its source; a failed one leaves the source as it was and no target.
import fs from 'node:fs'
import path from 'node:path'
import tape from 'tape'
import { ClassicLevel } from 'classic-level'
import { AiLevel } from '../../index'
import { UNCLAMPED_SIZES } from '../../lib/level/options'
import { DB } from '../../lib/db/db'
import { WriteBatch } from '../../lib/format/write-batch'
import { FaultEnv } from '../util/fault-env'
import { rejectionCode } from '../util/level'
import { tempLocation } from '../util/temp-dir'

const KEYS = 500
const key = (slot: number): string => `key${String(slot).padStart(4, '0')}`

// Write i puts key(i % KEYS) = i, so the state after writes 0..m is known for every m: each key
// holds the largest i <= m of its slot.
function expectedAfter (m: number): Array<[string, string]> {
  const entries: Array<[string, string]> = []
  for (let slot = 0; slot < KEYS && slot <= m; slot++) {
    const last = slot + Math.floor((m - slot) / KEYS) * KEYS
    entries.push([key(slot), String(last)])
  }
  return entries
}

tape('a checkpoint taken during writes equals the database after some write, and opens in classic-level', async (t) => {
  const location = tempLocation(t)
  const target = path.join(path.dirname(location), 'checkpoint')
  // Small memtables and tables: flushes and compactions run while the checkpoint is made.
  const db = new AiLevel(location, { writeBufferSize: 16 * 1024, maxFileSize: 32 * 1024, [UNCLAMPED_SIZES]: true })
  await db.open()
  let next = 0
  let writing = true
  const writer = (async () => {
    while (writing) {
      const i = next++
      await db.put(key(i % KEYS), String(i))
    }
  })()
  while (next < 3000) await new Promise(resolve => setImmediate(resolve))
  await db.checkpoint(target)
  const writtenAtEnd = next
  while (next < writtenAtEnd + 1000) await new Promise(resolve => setImmediate(resolve))
  writing = false
  await writer

  const copy = new AiLevel(target, { createIfMissing: false })
  const entries = await copy.iterator().all()
  await copy.close()
  const m = Math.max(...entries.map(([, value]) => Number(value)))
  t.ok(m >= 2999 && m < writtenAtEnd + 1000, `the copy holds writes up to #${m}, written while the checkpoint ran`)
  t.same(entries, expectedAfter(m), `entry by entry, the copy is the database right after write #${m}`)

  const classic = new ClassicLevel(target, { createIfMissing: false })
  t.same(await classic.iterator().all(), entries, 'classic-level opens the copy and reads the same entries')
  await classic.close()

  t.same(await db.iterator().all(), expectedAfter(next - 1), 'the source went on to hold every later write')
  await db.close()
})

tape('a checkpoint outlives its source being compacted, closed and destroyed', async (t) => {
  const location = tempLocation(t)
  const target = path.join(path.dirname(location), 'checkpoint')
  const db = new AiLevel(location, { writeBufferSize: 16 * 1024, [UNCLAMPED_SIZES]: true })
  await db.batch(Array.from({ length: 2000 }, (_, i) => ({ type: 'put' as const, key: key(i % KEYS), value: String(i) })))
  await db.checkpoint(target)
  await db.batch(Array.from({ length: KEYS }, (_, i) => ({ type: 'del' as const, key: key(i) })))
  await db.compactRange(key(0), key(KEYS))
  await db.close()
  await AiLevel.destroy(location)
  t.notOk(fs.existsSync(location), 'the source is gone')
  const copy = new AiLevel(target, { createIfMissing: false })
  t.same(await copy.iterator().all(), expectedAfter(1999), 'the copy still holds every entry')
  await copy.put('more', 'writes')
  t.equal(await copy.get('more'), 'writes', 'and takes writes of its own')
  await copy.close()
})

tape('a checkpoint into an existing directory is refused and changes nothing', async (t) => {
  const location = tempLocation(t)
  const target = path.join(path.dirname(location), 'taken')
  fs.mkdirSync(target)
  fs.writeFileSync(path.join(target, 'mine.txt'), 'keep')
  const db = new AiLevel(location)
  await db.put('k', 'v')
  t.equal(await rejectionCode(db.checkpoint(target)), 'LEVEL_IO_ERROR', 'rejects with LEVEL_IO_ERROR')
  t.same(fs.readdirSync(target), ['mine.txt'], 'the directory is untouched')
  t.equal(await rejectionCode(db.checkpoint('')), 'TypeError', 'an empty location is refused')
  await db.close()
  t.equal(await rejectionCode(db.checkpoint(path.join(target, 'x'))), 'LEVEL_DATABASE_NOT_OPEN', 'a closed database refuses')
})

tape('a checkpoint failing on a full disk leaves the source working and no target that opens', async (t) => {
  const location = tempLocation(t)
  const target = path.join(path.dirname(location), 'checkpoint')
  const env = new FaultEnv()
  const db = await DB.open(location, { env, writeBufferSize: 16 * 1024 })
  const batch = new WriteBatch()
  for (let i = 0; i < 1000; i++) batch.put(Buffer.from(key(i)), Buffer.from(String(i)))
  await db.write(batch)
  await db.compactRange(null, null)
  // From here every write to a MANIFEST fails, as on a full disk: the only one is the target's.
  env.addFault({ op: 'write', kind: 'manifest', nth: 1, code: 'ENOSPC', sticky: true })
  t.equal(await rejectionCode(db.checkpoint(target)), 'LEVEL_IO_ERROR', 'the checkpoint fails')
  t.notOk(fs.existsSync(target), 'what it made is removed')
  env.clearFaults()
  const more = new WriteBatch()
  more.put(Buffer.from('after'), Buffer.from('failure'))
  await db.write(more)
  t.equal(db.get(Buffer.from('after'))?.toString(), 'failure', 'the source still takes writes')
  t.equal(db.get(Buffer.from(key(999)))?.toString(), '999', 'and holds what it had')
  await db.close()

  fs.mkdirSync(target)
  fs.writeFileSync(path.join(target, '000005.ldb'), 'half a checkpoint')
  t.equal(await rejectionCode(new AiLevel(target).open()), 'LEVEL_DATABASE_NOT_OPEN', 'a target without CURRENT never opens as a database')
})
