// destroyDatabase, repairDatabase and getProperty('aidb.sstables') work on directories written by
// either engine, and LevelDB's own repair (ClassicLevel.repair) accepts a directory AiDb wrote.
import fs from 'node:fs'
import path from 'node:path'
import test from 'tape'
import { ClassicLevel } from 'classic-level'
import { destroyDatabase } from '../../lib/db/destroy'
import { repairDatabase } from '../../lib/db/repair'
import {
  aiClose, aiVerifyDir, classicVerifyDir, aiCompact, aiOpen, aiWrite, classicClose, classicCompact, classicOpen, classicWrite,
  Model, randomOperations, randomRanges, seeded, sstablesNumbers, tableFiles, type Operation
} from './helpers'
import { withTempDir } from '../util/temp-dir'
import type { Random } from '../util/random'

async function fillClassic (dir: string, random: Random, model: Model, keys: Buffer[]): Promise<void> {
  const db = await classicOpen(dir, { writeBufferSize: 64 * 1024 })
  try {
    await writeRounds(ops => classicWrite(db, ops), random, model, keys, 'classic')
    await classicCompact(db)
    await writeRounds(ops => classicWrite(db, ops), random, model, keys, 'classic-more', 8)
    await writeRounds(ops => classicWrite(db, ops), random, model, keys, 'classic-tail', 1)
  } finally {
    await classicClose(db)
  }
}

async function fillAi (dir: string, random: Random, model: Model, keys: Buffer[]): Promise<void> {
  const db = await aiOpen(dir)
  try {
    await writeRounds(ops => aiWrite(db, ops), random, model, keys, 'ai')
    await aiCompact(db)
    await writeRounds(ops => aiWrite(db, ops), random, model, keys, 'ai-more', 5)
    await writeRounds(ops => aiWrite(db, ops), random, model, keys, 'ai-tail', 1, 5)
  } finally {
    await aiClose(db)
  }
}

async function writeRounds (write: (ops: Operation[]) => Promise<void>, random: Random, model: Model, keys: Buffer[], label: string, rounds = 15, size = 100): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    const ops = randomOperations(random, keys, size, `${label}${i}`, 0.25)
    await write(ops)
    model.apply(ops)
  }
}

async function readBoth (t: test.Test, dir: string, stage: string, model: Model, keys: Buffer[], random: Random): Promise<void> {
  const ranges = randomRanges(random, keys, 10)
  await aiVerifyDir(t, dir, `${stage}: AiDb`, model, ranges)
  await classicVerifyDir(t, dir, `${stage}: LevelDB`, model, ranges)
}

function removeManifestAndCurrent (dir: string): string[] {
  const removed = fs.readdirSync(dir).filter(name => name === 'CURRENT' || name.startsWith('MANIFEST-'))
  for (const name of removed) fs.rmSync(path.join(dir, name))
  return removed
}

test('interop: repairDatabase rebuilds a classic-level directory without MANIFEST and CURRENT', async (t) => {
  const random = seeded(t, 11)
  await withTempDir('repair-classic', async (dir) => {
    const model = new Model()
    const keys: Buffer[] = []
    await fillClassic(dir, random, model, keys)
    const removed = removeManifestAndCurrent(dir)
    t.ok(removed.includes('CURRENT') && removed.length >= 2, `removed ${removed.join(', ')}`)
    const result = await repairDatabase(dir)
    t.comment(`repair: ${JSON.stringify(result)}`)
    t.ok(result.tables > 0, `repair kept ${result.tables} tables`)
    t.equal(result.droppedRecords, 0, 'repair dropped nothing')
    await readBoth(t, dir, 'after AiDb repair of a LevelDB directory', model, keys, random)
  })
})

test('interop: repairDatabase rebuilds an AiDb directory that LevelDB then reads', async (t) => {
  const random = seeded(t, 12)
  await withTempDir('repair-aidb', async (dir) => {
    const model = new Model()
    const keys: Buffer[] = []
    await fillAi(dir, random, model, keys)
    removeManifestAndCurrent(dir)
    const result = await repairDatabase(dir)
    t.ok(result.tables > 0 && result.droppedRecords === 0, `repair: ${JSON.stringify(result)}`)
    await readBoth(t, dir, 'after AiDb repair of an AiDb directory', model, keys, random)
  })
})

test('interop: ClassicLevel.repair (LevelDB RepairDB) on an AiDb directory', async (t) => {
  const random = seeded(t, 13)
  await withTempDir('classic-repair-aidb', async (dir) => {
    const model = new Model()
    const keys: Buffer[] = []
    await fillAi(dir, random, model, keys)
    await ClassicLevel.repair(dir)
    await readBoth(t, dir, 'after LevelDB repaired an AiDb directory', model, keys, random)
    // And again with MANIFEST and CURRENT gone, so LevelDB can only use AiDb's tables and log.
    removeManifestAndCurrent(dir)
    await ClassicLevel.repair(dir)
    await readBoth(t, dir, 'after LevelDB repaired an AiDb directory without MANIFEST', model, keys, random)
  })
})

test('interop: aidb.sstables lists the tables of a LevelDB directory exactly as leveldb.sstables does', async (t) => {
  const random = seeded(t, 14)
  await withTempDir('sstables', async (dir) => {
    const model = new Model()
    const keys: Buffer[] = []
    let classic = await classicOpen(dir, { writeBufferSize: 64 * 1024 })
    let fromLevelDB: string
    try {
      await writeRounds(ops => classicWrite(classic, ops), random, model, keys, 'classic')
      await classicCompact(classic)
      await writeRounds(ops => classicWrite(classic, ops), random, model, keys, 'classic-more', 8)
      // Flushes the memtable without further compaction, so the log is empty when LevelDB closes.
      await classic.compactRange(keys[0], keys[0])
      fromLevelDB = classic.getProperty('leveldb.sstables')
    } finally {
      await classicClose(classic)
    }
    const ai = await aiOpen(dir)
    let fromAiDb: string
    try {
      fromAiDb = ai.getProperty('aidb.sstables') ?? ''
      t.equal(fromAiDb, fromLevelDB, 'AiDb describes a LevelDB directory in the same words as LevelDB')
      t.equal(ai.getProperty('leveldb.sstables'), fromAiDb, "the 'leveldb.' prefix is accepted too")
      t.same(sstablesNumbers(fromAiDb), tableFiles(dir).map(name => Number.parseInt(name, 10)), 'every table file is listed')
      const ops = randomOperations(random, keys, 500, 'ai', 0.25)
      await aiWrite(ai, ops)
      model.apply(ops)
      await aiCompact(ai)
      fromAiDb = ai.getProperty('aidb.sstables') ?? ''
    } finally {
      await aiClose(ai)
    }
    classic = await classicOpen(dir)
    try {
      t.equal(classic.getProperty('leveldb.sstables'), fromAiDb, 'LevelDB describes an AiDb directory in the same words as AiDb')
    } finally {
      await classicClose(classic)
    }
  })
})

for (const writer of ['classic-level', 'AiDb'] as const) {
  test(`interop: destroyDatabase removes a directory written by ${writer}`, async (t) => {
    const random = seeded(t, writer === 'AiDb' ? 15 : 16)
    await withTempDir(`destroy-${writer}`, async (parent) => {
      const dir = path.join(parent, 'db')
      const model = new Model()
      const keys: Buffer[] = []
      if (writer === 'AiDb') await fillAi(dir, random, model, keys)
      else await fillClassic(dir, random, model, keys)
      t.ok(tableFiles(dir).length > 0, `${writer} wrote ${fs.readdirSync(dir).join(', ')}`)
      await destroyDatabase(dir)
      t.notOk(fs.existsSync(dir), 'the directory is gone')

      // A foreign file keeps the directory (as in LevelDB), but every database file goes.
      if (writer === 'AiDb') await fillAi(dir, random, new Model(), [])
      else await fillClassic(dir, random, new Model(), [])
      fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a database file')
      await destroyDatabase(dir)
      t.same(fs.existsSync(dir) ? fs.readdirSync(dir) : [], ['notes.txt'], 'only the foreign file is left')
    })
  })
}

test('interop: ClassicLevel.destroy removes a directory written by AiDb', async (t) => {
  const random = seeded(t, 17)
  await withTempDir('classic-destroy', async (parent) => {
    const dir = path.join(parent, 'db')
    await fillAi(dir, random, new Model(), [])
    await ClassicLevel.destroy(dir)
    t.notOk(fs.existsSync(dir), 'the directory is gone')
  })
})
