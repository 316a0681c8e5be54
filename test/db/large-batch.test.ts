// A batch larger than one memtable insert chunk goes in over several event-loop turns; readers
// must still see all of it or none of it, and later writes must wait their turn.
import test from 'tape'
import { DB } from '../../lib/db/db'
import { WriteBatch } from '../../lib/format/write-batch'
import { keyOf, put } from './db-helpers'
import { scan } from '../util/db'
import { removeDir, tempDir } from '../util/temp-dir'

const BATCH_RECORDS = 5000

function largeBatch (label: string): WriteBatch {
  const batch = new WriteBatch()
  for (let i = 0; i < BATCH_RECORDS; i++) batch.put(Buffer.from(keyOf(i)), Buffer.from(`${label}${i}`))
  return batch
}

test('large batch: readers between its insert turns see none of it, then all of it', async (t) => {
  const dir = tempDir('large-batch')
  try {
    const db = await DB.open(dir, {})
    await put(db, keyOf(0), 'before')
    let done = false
    const writing = db.write(largeBatch('new'), {}).then(() => { done = true })
    let turnsWhileWriting = 0
    let sawPart = false
    while (!done) {
      await new Promise(resolve => setImmediate(resolve))
      if (done) break
      turnsWhileWriting++
      const first = db.get(Buffer.from(keyOf(0)))?.toString()
      const last = db.get(Buffer.from(keyOf(BATCH_RECORDS - 1)))
      const entries = scan(db)
      if (first !== 'before' || last !== undefined || entries.length !== 1) sawPart = true
    }
    await writing
    t.ok(turnsWhileWriting >= 2, `the batch took ${turnsWhileWriting} turns to insert`)
    t.notOk(sawPart, 'no get or scan saw part of the batch while it was going in')
    const entries = scan(db)
    t.equal(entries.length, BATCH_RECORDS, 'afterwards every record is visible')
    t.ok(entries.every(([key, value]) => value === `new${Number(key.slice(3))}`), 'with the batch\'s values')
    await db.close()
  } finally {
    removeDir(dir)
  }
})

test('large batch: writes issued during its insert turns apply after it, in order', async (t) => {
  const dir = tempDir('large-batch-order')
  try {
    const db = await DB.open(dir, {})
    const first = db.write(largeBatch('a'), {})
    const second = put(db, keyOf(7), 'single')
    const third = db.write(largeBatch('b'), {})
    const fourth = put(db, keyOf(8), 'last')
    await Promise.all([first, second, third, fourth])
    t.equal(db.get(Buffer.from(keyOf(7)))?.toString(), 'b7', 'the later large batch overwrote the single put made before it')
    t.equal(db.get(Buffer.from(keyOf(8)))?.toString(), 'last', 'the single put made after it wins')
    t.equal(db.get(Buffer.from(keyOf(9)))?.toString(), 'b9', 'the second batch overwrote the first')
    await db.close()
    const reopened = await DB.open(dir, {})
    t.equal(reopened.get(Buffer.from(keyOf(7)))?.toString(), 'b7', 'the same after replaying the log')
    t.equal(reopened.get(Buffer.from(keyOf(8)))?.toString(), 'last', 'the same after replaying the log')
    await reopened.close()
  } finally {
    removeDir(dir)
  }
})

test('large batch: compactRange during its insert turns waits for it, so no part of it is lost', async (t) => {
  const dir = tempDir('large-batch-compact')
  try {
    const db = await DB.open(dir, {})
    const writing = db.write(largeBatch('c'), {})
    // One turn in: part of the batch is in the memtable, and its log record is in the current log.
    await new Promise(resolve => setImmediate(resolve))
    await Promise.all([writing, db.compactRange(null, null)])
    // Closing leaves the memtable unflushed: what is not in a table must be in a live log.
    await db.close()
    const reopened = await DB.open(dir, {})
    const entries = scan(reopened)
    t.equal(entries.length, BATCH_RECORDS, 'every record of the batch survives a reopen')
    t.ok(entries.every(([key, value]) => value === `c${Number(key.slice(3))}`), 'with the batch\'s values')
    await reopened.close()
  } finally {
    removeDir(dir)
  }
})

test('large batch: compactRange issued with it, while its log record is still being written, waits for it', async (t) => {
  const dir = tempDir('large-batch-compact-now')
  try {
    const db = await DB.open(dir, {})
    await put(db, keyOf(BATCH_RECORDS + 1), 'before')
    // The same turn: the batch's log write is under way off the main thread.
    await Promise.all([db.write(largeBatch('d'), {}), db.compactRange(null, null)])
    await db.close()
    const reopened = await DB.open(dir, {})
    const entries = scan(reopened)
    t.equal(entries.length, BATCH_RECORDS + 1, 'every record of the batch, and the write before it, survive a reopen')
    t.ok(entries.slice(0, BATCH_RECORDS).every(([key, value]) => value === `d${Number(key.slice(3))}`), 'with the batch\'s values')
    await reopened.close()
  } finally {
    removeDir(dir)
  }
})
