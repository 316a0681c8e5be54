// The DB engine's files over time: snapshots and iterators across compaction, obsolete-file
// deletion, destroy and repair.
import fs from 'node:fs'
import path from 'node:path'
import test from 'tape'
import { DB } from '../../lib/db/db'
import { destroyDatabase } from '../../lib/db/destroy'
import { repairDatabase } from '../../lib/db/repair'
import type { RandomAccessFile } from '../../lib/env/env'
import { NodeEnv } from '../../lib/env/node-env'
import { type Model, keyOf, put, del, writeRandom, sorted, checkModel, filesAtLevels, liveTables, filesWithSuffix, settle, seeded, rejectsWith, scanProblems } from './db-helpers'
import { TINY } from '../util/options'
import { scan } from '../util/db'
import { removeDir, tempDir } from '../util/temp-dir'
import type { Random } from '../util/random'

test('snapshots keep their view through compaction', async (t) => {
  const random = seeded(t)
  const dir = tempDir('snapshot')
  const keyCount = 400
  try {
    const db = await DB.open(dir, TINY)
    const before: Model = new Map()
    await writeRandom(db, before, random, 600, keyCount, 'old')
    await db.compactRange(null, null)
    const snapshot = db.getSnapshot()
    const after = new Map(before)
    for (let i = 0; i < keyCount; i++) {
      const key = keyOf(i)
      if (i % 4 === 0) {
        await del(db, key)
        after.delete(key)
      } else if (i % 2 === 0) {
        await put(db, key, `new-${i}`)
        after.set(key, `new-${i}`)
      }
    }
    await db.compactRange(null, null)
    t.ok(filesAtLevels(db).slice(0, 1)[0] === 0, 'level 0 emptied by compactRange')

    let wrong = 0
    for (let i = 0; i < keyCount; i++) {
      const key = keyOf(i)
      if (db.get(Buffer.from(key), { snapshot })?.toString() !== before.get(key)) wrong++
    }
    t.equal(wrong, 0, 'get through the snapshot returns the old values')
    t.same(scan(db, { snapshot }), sorted(before), 'iteration through the snapshot sees the old contents')
    checkModel(t, db, after, keyCount, 'current view')

    db.releaseSnapshot(snapshot)
    await put(db, keyOf(keyCount + 1), 'bump')
    after.set(keyOf(keyCount + 1), 'bump')
    await db.compactRange(null, null)
    checkModel(t, db, after, keyCount + 2, 'after releasing the snapshot and compacting')
    await db.close()
  } finally {
    removeDir(dir)
  }
})

test('an iterator pinned to an old version survives compactRange', async (t) => {
  const dir = tempDir('pinned')
  const keyCount = 600
  try {
    const db = await DB.open(dir, TINY)
    const old: Model = new Map()
    for (let i = 0; i < keyCount; i++) {
      await put(db, keyOf(i), `old-${i}-` + 'o'.repeat(40))
      old.set(keyOf(i), `old-${i}-` + 'o'.repeat(40))
    }
    await db.compactRange(null, null)
    const oldTables = liveTables(db)
    t.ok(oldTables.size > 1, `${oldTables.size} tables before`)
    const it = db.newIterator()
    it.seekToFirst()
    t.equal(it.key().toString(), keyOf(0))

    for (let i = 0; i < keyCount; i++) {
      if (i % 3 === 0) await del(db, keyOf(i))
      else await put(db, keyOf(i), `new-${i}`)
    }
    await db.compactRange(null, null)
    const newTables = liveTables(db)
    t.ok([...oldTables].every(n => !newTables.has(n)), 'compaction replaced every old table')
    const onDisk = new Set(filesWithSuffix(dir, '.ldb'))
    t.ok([...oldTables].every(n => onDisk.has(n)), 'old tables stay on disk while the iterator needs them')

    const seen: Array<[string, string]> = []
    for (; it.valid(); it.next()) seen.push([it.key().toString(), it.value().toString()])
    t.same(seen, sorted(old), 'the iterator reads the old contents in full')
    it.seek(Buffer.from(keyOf(300)))
    t.equal(it.value().toString(), old.get(keyOf(300)), 'seek after compaction')
    it.seekToLast()
    t.equal(it.key().toString(), keyOf(keyCount - 1))
    it.close()

    // Closing the iterator lets the next compaction remove the old files.
    await put(db, keyOf(keyCount + 5), 'x')
    await db.compactRange(null, null)
    const remaining = new Set(filesWithSuffix(dir, '.ldb'))
    t.ok([...oldTables].every(n => !remaining.has(n)), 'old tables deleted once unpinned')
    t.equal(db.get(Buffer.from(keyOf(1)))?.toString(), 'new-1')
    t.equal(db.get(Buffer.from(keyOf(0))), undefined)
    await db.close()
  } finally {
    removeDir(dir)
  }
})

test('obsolete files are deleted', async (t) => {
  const random = seeded(t)
  const dir = tempDir('obsolete')
  const keyCount = 800
  try {
    const model: Model = new Map()
    let db = await DB.open(dir, TINY)
    await writeRandom(db, model, random, 1000, keyCount, 'a')
    await db.compactRange(null, null)
    await db.close()
    db = await DB.open(dir, TINY)
    await settle()
    const live = [...liveTables(db)].sort((a, b) => a - b)
    t.ok(live.length > 0, `${live.length} live tables`)
    t.same(filesWithSuffix(dir, '.ldb'), live, 'table files on disk are exactly the live ones')
    t.equal(filesWithSuffix(dir, '.log').length, 1, 'one log file')
    const manifests = fs.readdirSync(dir).filter(n => n.startsWith('MANIFEST-'))
    t.equal(manifests.length, 1, 'one MANIFEST')
    t.equal(fs.readFileSync(path.join(dir, 'CURRENT'), 'latin1'), `${manifests[0]}\n`, 'CURRENT names it')
    t.same(fs.readdirSync(dir).filter(n => n.endsWith('.dbtmp')), [], 'no temp files')
    checkModel(t, db, model, keyCount, 'contents')
    await db.close()
  } finally {
    removeDir(dir)
  }
})

// Records which files are open for reading when one is removed.
class OpenFileTrackingEnv extends NodeEnv {
  private readonly open = new Map<string, number>()
  readonly removedWhileOpen: string[] = []
  removedTables = 0

  override newRandomAccessFile (filePath: string): RandomAccessFile {
    const file = super.newRandomAccessFile(filePath)
    this.open.set(filePath, (this.open.get(filePath) ?? 0) + 1)
    let closed = false
    return {
      read: (offset, length) => file.read(offset, length),
      size: () => file.size(),
      close: () => {
        if (!closed) this.open.set(filePath, (this.open.get(filePath) ?? 1) - 1)
        closed = true
        file.close()
      }
    }
  }

  override removeFile (filePath: string): void {
    if (filePath.endsWith('.ldb')) this.removedTables++
    if ((this.open.get(filePath) ?? 0) > 0) this.removedWhileOpen.push(path.basename(filePath))
    super.removeFile(filePath)
  }
}

// Closing the last descriptor of an unlinked file frees its blocks in that call, on the thread
// that closes it: the table cache must let go of a table before the file goes.
test('tables read through the table cache are closed before their files are deleted', async (t) => {
  const random = seeded(t)
  const dir = tempDir('close-before-delete')
  const env = new OpenFileTrackingEnv()
  const keyCount = 800
  try {
    const model: Model = new Map()
    const db = await DB.open(dir, { ...TINY, env })
    for (let round = 0; round < 4; round++) {
      await writeRandom(db, model, random, 400, keyCount, `r${round}`)
      // Reads open tables of every level into the table cache before the next compactions.
      checkModel(t, db, model, keyCount, `round ${round}`)
    }
    await db.compactRange(null, null)
    await settle()
    t.ok(env.removedTables > 10, `${env.removedTables} obsolete tables deleted`)
    t.same(env.removedWhileOpen, [], 'no file was deleted while open for reading')
    checkModel(t, db, model, keyCount, 'contents after compactRange')
    await db.close()
  } finally {
    removeDir(dir)
  }
})

test('destroyDatabase removes the directory', async (t) => {
  const parent = tempDir('destroy')
  const dir = path.join(parent, 'db')
  try {
    const db = await DB.open(dir, TINY)
    for (let i = 0; i < 200; i++) await put(db, keyOf(i), 'v'.repeat(30))
    await rejectsWith(t, destroyDatabase(dir), err => err instanceof Error, 'destroying an open database fails')
    t.ok(fs.existsSync(path.join(dir, 'CURRENT')), 'and leaves it intact')
    await db.close()
    await destroyDatabase(dir)
    t.notOk(fs.existsSync(dir), 'directory removed')
    await destroyDatabase(dir)
    t.pass('destroying a missing database is a no-op')

    // Foreign files keep the directory but LevelDB's files are gone.
    const db2 = await DB.open(dir, {})
    await put(db2, 'k', 'v')
    await db2.close()
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine')
    await destroyDatabase(dir)
    t.same(fs.readdirSync(dir), ['notes.txt'], 'only the foreign file remains')
  } finally {
    removeDir(parent)
  }
})

// Writes enough to spread over several tables (some data left in the log), closes, and deletes
// every MANIFEST and CURRENT.
async function loseManifest (t: test.Test, dir: string, model: Model, random: Random, keyCount: number): Promise<void> {
  const db = await DB.open(dir, TINY)
  await writeRandom(db, model, random, 800, keyCount, 'a')
  await settle()
  await writeRandom(db, model, random, 100, keyCount, 'b') // some of it stays in the log
  await db.close()
  for (const name of fs.readdirSync(dir)) {
    if (name.startsWith('MANIFEST-') || name === 'CURRENT') fs.unlinkSync(path.join(dir, name))
  }
  await rejectsWith(t, DB.open(dir, { ...TINY, createIfMissing: false }), err => err instanceof Error, 'cannot open without CURRENT')
}

test('repairDatabase recovers everything after MANIFEST and CURRENT are lost', async (t) => {
  const random = seeded(t)
  const dir = tempDir('repair')
  const keyCount = 700
  try {
    const model: Model = new Map()
    await loseManifest(t, dir, model, random, keyCount)
    const result = await repairDatabase(dir, TINY)
    t.ok(result.tables > 0, `repair kept ${result.tables} tables`)
    t.equal(result.droppedFiles, 0, 'no files dropped')
    t.equal(result.droppedRecords, 0, 'no records dropped')
    let db = await DB.open(dir, { ...TINY, createIfMissing: false })
    t.same(scanProblems(db, model), [], 'iteration after repair sees exactly the model')
    // Merging every table by sequence number also makes point reads exact.
    await db.compactRange(null, null)
    checkModel(t, db, model, keyCount, 'after repair and compactRange')
    await writeRandom(db, model, random, 200, keyCount, 'c')
    await db.close()
    db = await DB.open(dir, TINY)
    checkModel(t, db, model, keyCount, 'after repair, more writes and reopen')
    await db.close()
  } finally {
    removeDir(dir)
  }
})

// Repair puts every table at level 0, where a compaction output of older data can be numbered
// after a flush of newer data (a flush finishing while the compaction runs). Point reads must
// still return the newest version (LevelDB 1.20 returns the one in the highest-numbered file).
test('get right after repair returns the newest version', async (t) => {
  const random = seeded(t)
  const dir = tempDir('repair-get')
  const keyCount = 700
  try {
    const model: Model = new Map()
    await loseManifest(t, dir, model, random, keyCount)
    await repairDatabase(dir, TINY)
    const db = await DB.open(dir, { ...TINY, createIfMissing: false })
    const wrong: string[] = []
    for (let i = 0; i < keyCount; i++) {
      const key = keyOf(i)
      const got = db.get(Buffer.from(key))?.toString()
      if (got !== model.get(key)) wrong.push(`${key}: got ${String(got).slice(0, 12)}, want ${String(model.get(key)).slice(0, 12)}`)
    }
    t.same(wrong.slice(0, 3), [], `${wrong.length} stale point reads right after repair`)
    await db.close()
  } finally {
    removeDir(dir)
  }
})
