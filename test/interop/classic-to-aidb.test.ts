// A directory written by classic-level (native LevelDB 1.2x) — tables on several levels, deletes
// and overwrites across levels, recent writes only in the log — opens in AiDb with identical
// contents, keeps matching after AiDb writes, flushes and compacts, and then opens in LevelDB again.
import fs from 'node:fs'
import path from 'node:path'
import test from 'tape'
import {
  aiClose, aiVerifyDir, classicVerifyDir, aiCompact, aiOpen, aiReader, aiWrite, classicClose, classicOpen, classicWrite,
  filesPerLevel, Model, randomOperations, randomRanges, seeded, verify, type Operation
} from './helpers'
import { withTempDir } from '../util/temp-dir'
import type { Random } from '../util/random'

async function writeInChunks (write: (ops: Operation[]) => Promise<void>, model: Model, ops: Operation[], chunk: number): Promise<void> {
  for (let i = 0; i < ops.length; i += chunk) {
    const part = ops.slice(i, i + chunk)
    await write(part)
    model.apply(part)
  }
}

/**
 * LevelDB clamps write_buffer_size to at least 64 KiB, so levels are built by size: a large first
 * load compacted to the bottom, then an overlapping memtable's worth that flushes to level 1, then
 * another that flushes to level 0, then a tail that stays in the log.
 */
async function buildLevelDBDirectory (t: test.Test, dir: string, random: Random, model: Model, keys: Buffer[]): Promise<void> {
  const db = await classicOpen(dir, { compression: true, writeBufferSize: 64 * 1024, maxFileSize: 1024 * 1024 })
  try {
    const write = (ops: Operation[]): Promise<void> => classicWrite(db, ops)
    await writeInChunks(write, model, randomOperations(random, keys, 3000, 'load', 0), 100)
    await db.compactRange(Buffer.alloc(0), Buffer.alloc(16, 0xff))
    // Each ~90 KiB round overflows the 64 KiB memtable once: its flush lands above the older data.
    await writeInChunks(write, model, randomOperations(random, keys, 800, 'round1', 0.3), 50)
    await writeInChunks(write, model, randomOperations(random, keys, 800, 'round2', 0.3), 50)
    // The tail, well under a memtable, stays only in the log.
    await writeInChunks(write, model, randomOperations(random, keys, 100, 'tail', 0.3), 20)
    const perLevel = filesPerLevel(db.getProperty('leveldb.sstables'))
    t.comment(`LevelDB files per level: ${perLevel.join(' ')}`)
    t.ok(perLevel.filter(n => n > 0).length >= 2, 'LevelDB holds tables on at least two levels')
  } finally {
    await classicClose(db)
  }
  const logs = fs.readdirSync(dir).filter(name => name.endsWith('.log'))
  const logBytes = logs.reduce((sum, name) => sum + fs.statSync(path.join(dir, name)).size, 0)
  t.ok(logBytes > 0, `recent writes are only in the log (${logs.join(', ')}: ${logBytes} bytes)`)
}

test('interop: a classic-level directory opens in AiDb and survives AiDb writes and compactions', async (t) => {
  const random = seeded(t, 1)
  await withTempDir('classic-to-aidb', async (dir) => {
    const model = new Model()
    const keys: Buffer[] = []
    await buildLevelDBDirectory(t, dir, random, model, keys)
    const ranges = randomRanges(random, keys, 40)

    const db = await aiOpen(dir)
    try {
      await verify(t, 'AiDb reads the LevelDB directory', aiReader(db), model, ranges)
      await writeInChunks(ops => aiWrite(db, ops), model, randomOperations(random, keys, 1500, 'aidb', 0.3), 50)
      await verify(t, 'after AiDb writes (flushed to small tables)', aiReader(db), model, ranges)
      await aiCompact(db)
      await verify(t, 'after AiDb compactRange', aiReader(db), model, ranges)
      await writeInChunks(ops => aiWrite(db, ops), model, randomOperations(random, keys, 20, 'aidb-tail', 0.3), 10)
    } finally {
      await aiClose(db)
    }

    await aiVerifyDir(t, dir, 'AiDb reopened', model, ranges)

    await classicVerifyDir(t, dir, 'LevelDB reads it back', model, ranges)
  })
})
