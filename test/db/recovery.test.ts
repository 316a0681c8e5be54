// The DB engine across close/reopen, crashes and damage: what survives, and what is refused.
import fs from 'node:fs'
import path from 'node:path'
import test from 'tape'
import { DB } from '../../lib/db/db'
import { WriteBatch } from '../../lib/format/write-batch'
import { errorCode } from '../../lib/util/errors'
import { type Model, keyOf, put, del, writeRandom, checkModel, filesAtLevels, filesWithSuffix, settle, seeded, rejectsWith } from './db-helpers'
import { TINY } from '../util/options'
import { scan } from '../util/db'
import { removeDir, tempDir } from '../util/temp-dir'

test('writes held only in the log survive close and reopen', async (t) => {
  const dir = tempDir('log-only')
  try {
    const model: Model = new Map()
    let db = await DB.open(dir, {})
    for (let i = 0; i < 200; i++) {
      await put(db, keyOf(i), `value-${i}`)
      model.set(keyOf(i), `value-${i}`)
    }
    for (let i = 0; i < 200; i += 3) {
      await del(db, keyOf(i))
      model.delete(keyOf(i))
    }
    t.same(filesAtLevels(db), [0, 0, 0, 0, 0, 0, 0], 'nothing flushed yet')
    await db.close()
    t.same(filesWithSuffix(dir, '.ldb'), [], 'no table written on close')

    db = await DB.open(dir, {})
    checkModel(t, db, model, 210, 'after reopen')
    await put(db, keyOf(1000), 'late')
    model.set(keyOf(1000), 'late')
    await db.close()
    db = await DB.open(dir, { createIfMissing: false })
    checkModel(t, db, model, 1001, 'after second reopen')
    await db.close()
  } finally {
    removeDir(dir)
  }
})

test('data across many flushes and levels survives repeated reopening', async (t) => {
  const random = seeded(t)
  const dir = tempDir('levels')
  const keyCount = 1500
  try {
    const model: Model = new Map()
    const deepest = new Set<number>()
    for (let round = 0; round < 3; round++) {
      const db = await DB.open(dir, TINY)
      checkModel(t, db, model, keyCount, `round ${round} after open`)
      await writeRandom(db, model, random, 900, keyCount, `r${round}`)
      await settle()
      const levels = filesAtLevels(db)
      t.comment(`round ${round}: files per level ${levels.join(',')}`)
      levels.forEach((n, level) => { if (n > 0 && level > 0) deepest.add(level) })
      checkModel(t, db, model, keyCount, `round ${round} before close`)
      await db.close()
    }
    t.ok(deepest.size >= 2, `files reached several levels below 0: ${[...deepest].join(',')}`)
    const db = await DB.open(dir, TINY)
    checkModel(t, db, model, keyCount, 'final reopen')
    await db.compactRange(null, null)
    checkModel(t, db, model, keyCount, 'after full compactRange')
    await db.close()
  } finally {
    removeDir(dir)
  }
})

test('a copy taken while the database is open (a crash) opens with every write', async (t) => {
  const random = seeded(t)
  const dir = tempDir('crash')
  const copy = tempDir('crash-copy')
  const keyCount = 800
  try {
    const model: Model = new Map()
    const db = await DB.open(dir, TINY)
    await writeRandom(db, model, random, 700, keyCount, 'crash')
    // Files now: tables, a MANIFEST, and a log holding the writes not yet flushed. Copy all but LOCK.
    for (const name of fs.readdirSync(dir)) {
      try {
        if (name !== 'LOCK') fs.copyFileSync(path.join(dir, name), path.join(copy, name))
      } catch (err) {
        // The background worker removes obsolete files concurrently; a vanished file was obsolete.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      }
    }
    t.ok(fs.readdirSync(copy).some(n => n.endsWith('.log')), 'the copy has a log')

    const recovered = await DB.open(copy, { ...TINY, createIfMissing: false })
    checkModel(t, recovered, model, keyCount, 'crash copy')
    await writeRandom(recovered, model, random, 200, keyCount, 'after')
    await recovered.close()
    const again = await DB.open(copy, TINY)
    checkModel(t, again, model, keyCount, 'crash copy reopened after more writes')
    await again.close()

    await db.close()
  } finally {
    removeDir(dir)
    removeDir(copy)
  }
})

test('sync writes zero-fill the log ahead of its records; a crash copy replays them all, a close cuts the zeros off', async (t) => {
  const dir = tempDir('reserved')
  const copy = tempDir('reserved-copy')
  try {
    const model: Model = new Map()
    const db = await DB.open(dir, {})
    for (let i = 0; i < 100; i++) {
      const batch = new WriteBatch()
      batch.put(Buffer.from(keyOf(i)), Buffer.from(`value-${i}`))
      await db.write(batch, { sync: true })
      model.set(keyOf(i), `value-${i}`)
    }
    const logs = filesWithSuffix(dir, '.log')
    const log = `${String(logs[logs.length - 1]).padStart(6, '0')}.log`
    const bytes = fs.readFileSync(path.join(dir, log))
    const recordsEnd = bytes.length - [...bytes].reverse().findIndex(byte => byte !== 0)
    t.ok(bytes.length - recordsEnd >= 8 * 1024, `the log ends in zeros (${recordsEnd} bytes of records, ${bytes.length} in all)`)
    for (const name of fs.readdirSync(dir)) if (name !== 'LOCK') fs.copyFileSync(path.join(dir, name), path.join(copy, name))
    await db.close()
    t.is(fs.statSync(path.join(dir, log)).size, recordsEnd, 'close leaves only the records')

    const recovered = await DB.open(copy, { createIfMissing: false, paranoidChecks: true })
    checkModel(t, recovered, model, 100, 'the crash copy, with no damage reported')
    await recovered.close()
  } finally {
    removeDir(dir)
    removeDir(copy)
  }
})

test('a torn log tail loses only the last record', async (t) => {
  const dir = tempDir('torn')
  try {
    let db = await DB.open(dir, {})
    for (let i = 0; i < 50; i++) await put(db, keyOf(i), `value-${i}`)
    await db.close()
    const logs = filesWithSuffix(dir, '.log')
    const last = path.join(dir, `${String(logs[logs.length - 1]).padStart(6, '0')}.log`)
    const size = fs.statSync(last).size
    t.ok(size > 0, 'the last log holds the writes')
    fs.truncateSync(last, size - 3)

    db = await DB.open(dir, {})
    let present = 0
    for (let i = 0; i < 49; i++) if (db.get(Buffer.from(keyOf(i)))?.toString() === `value-${i}`) present++
    t.equal(present, 49, 'every record before the torn one is present')
    t.equal(db.get(Buffer.from(keyOf(49))), undefined, 'the torn record is gone')
    await put(db, keyOf(49), 'rewritten')
    await db.close()

    db = await DB.open(dir, {})
    t.equal(db.get(Buffer.from(keyOf(49)))?.toString(), 'rewritten', 'writes after recovery persist')
    t.equal(db.get(Buffer.from(keyOf(0)))?.toString(), 'value-0')
    t.equal(scan(db).length, 50)
    await db.close()
  } finally {
    removeDir(dir)
  }
})

test('a corrupt MANIFEST is refused with LEVEL_CORRUPTION', async (t) => {
  const dir = tempDir('manifest')
  try {
    let db = await DB.open(dir, TINY)
    for (let i = 0; i < 300; i++) await put(db, keyOf(i), 'x'.repeat(50))
    await db.close()
    const manifest = fs.readFileSync(path.join(dir, 'CURRENT'), 'latin1').trim()
    const manifestPath = path.join(dir, manifest)
    const original = fs.readFileSync(manifestPath)
    t.ok(original.length > 20, `${manifest} has content`)
    const damaged = Buffer.from(original)
    damaged[Math.floor(damaged.length / 2)] ^= 0x55
    fs.writeFileSync(manifestPath, damaged)

    await rejectsWith(t, DB.open(dir, TINY), err => errorCode(err) === 'LEVEL_CORRUPTION', 'flipped byte: LEVEL_CORRUPTION')

    fs.writeFileSync(manifestPath, Buffer.from('garbage that is not a log'))
    await rejectsWith(t, DB.open(dir, TINY), err => errorCode(err) === 'LEVEL_CORRUPTION', 'garbage MANIFEST: LEVEL_CORRUPTION')

    // The failed opens released the lock: with the MANIFEST restored the database opens.
    fs.writeFileSync(manifestPath, original)
    db = await DB.open(dir, TINY)
    t.equal(db.get(Buffer.from(keyOf(299)))?.toString(), 'x'.repeat(50), 'opens again once the MANIFEST is restored')
    await db.close()

    fs.writeFileSync(path.join(dir, 'CURRENT'), 'MANIFEST-999999\n')
    await rejectsWith(t, DB.open(dir, TINY), err => err instanceof Error, 'CURRENT naming a missing MANIFEST fails')
  } finally {
    removeDir(dir)
  }
})

test('missing CURRENT or directory with createIfMissing false is an error', async (t) => {
  const dir = tempDir('missing')
  try {
    const missing = path.join(dir, 'nope')
    await rejectsWith(t, DB.open(missing, { createIfMissing: false }), err => err instanceof Error, 'missing directory')
    t.notOk(fs.existsSync(missing), 'the directory was not created')

    const db = await DB.open(dir, {})
    await put(db, 'a', 'b')
    await db.close()
    fs.unlinkSync(path.join(dir, 'CURRENT'))
    await rejectsWith(t, DB.open(dir, { createIfMissing: false }), err => err instanceof Error, 'missing CURRENT')
    t.notOk(fs.existsSync(path.join(dir, 'CURRENT')), 'CURRENT not recreated')

    await rejectsWith(t, DB.open(restoreCurrent(dir), { errorIfExists: true }), err => err instanceof Error, 'errorIfExists on an existing database')
  } finally {
    removeDir(dir)
  }
})

test('a creation killed between its MANIFEST and CURRENT is created again; a database that lost its CURRENT is refused', async (t) => {
  const dir = tempDir('cut-creation')
  try {
    // What a process killed inside VersionSet.create leaves: MANIFEST-000001 without CURRENT.
    let db = await DB.open(dir, {})
    await db.close()
    for (const name of fs.readdirSync(dir)) {
      if (name !== 'MANIFEST-000001' && name !== 'LOCK') fs.unlinkSync(path.join(dir, name))
    }
    db = await DB.open(dir, {})
    await put(db, 'a', 'b')
    t.equal(db.get(Buffer.from('a'))?.toString(), 'b', 'the database was created again and takes writes')
    await db.close()

    // Now it holds a log with data: without CURRENT, starting afresh would lose it.
    fs.unlinkSync(path.join(dir, 'CURRENT'))
    const before = fs.readdirSync(dir).sort()
    await rejectsWith(t, DB.open(dir, {}), err => errorCode(err) === 'LEVEL_CORRUPTION', 'missing CURRENT beside data: LEVEL_CORRUPTION')
    t.same(fs.readdirSync(dir).sort(), before, 'no file was written or removed')
    db = await DB.open(restoreCurrent(dir), {})
    t.equal(db.get(Buffer.from('a'))?.toString(), 'b', 'the write is still there once CURRENT is restored')
    await db.close()
  } finally {
    removeDir(dir)
  }
})

// Restores CURRENT pointing at the newest MANIFEST so the directory is a database again.
function restoreCurrent (dir: string): string {
  const manifests = fs.readdirSync(dir).filter(n => n.startsWith('MANIFEST-')).sort()
  fs.writeFileSync(path.join(dir, 'CURRENT'), `${manifests[manifests.length - 1]}\n`)
  return dir
}
