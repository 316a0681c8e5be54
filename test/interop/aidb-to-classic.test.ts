// A directory written by AiDb (small memtables and files, so many flushes and compactions, with a
// tail left only in the log) opens in classic-level (native LevelDB) with identical contents; LevelDB
// writes and compacts; AiDb opens it again. Three full alternations on one directory.
import fs from 'node:fs'
import path from 'node:path'
import test from 'tape'
import {
  aiClose, aiVerifyDir, aiCompact, aiOpen, aiReader, aiWrite, classicClose, classicCompact, classicOpen, classicReader, classicWrite,
  filesPerLevel, Model, randomOperations, randomRanges, readTableLayout, seeded, tableFiles, verify, type Operation
} from './helpers'
import { withTempDir } from '../util/temp-dir'

const ROUNDS = 3

async function writeInChunks (write: (ops: Operation[]) => Promise<void>, model: Model, ops: Operation[], chunk: number): Promise<void> {
  for (let i = 0; i < ops.length; i += chunk) {
    const part = ops.slice(i, i + chunk)
    await write(part)
    model.apply(part)
  }
}

test('interop: AiDb and classic-level alternate on one directory', async (t) => {
  const random = seeded(t, 2)
  await withTempDir('aidb-to-classic', async (dir) => {
    const model = new Model()
    const keys: Buffer[] = []
    for (let round = 1; round <= ROUNDS; round++) {
      const ai = await aiOpen(dir)
      try {
        if (round > 1) await verify(t, `round ${round}: AiDb reads what LevelDB wrote`, aiReader(ai), model, randomRanges(random, keys, 20))
        const write = (ops: Operation[]): Promise<void> => aiWrite(ai, ops)
        await writeInChunks(write, model, randomOperations(random, keys, 1200, `ai${round}`, 0.25), 40)
        // A compaction over part of the key space, then over everything.
        const sorted = keys.slice().sort(Buffer.compare)
        await ai.compactRange(sorted[Math.floor(sorted.length / 4)], sorted[Math.floor(sorted.length / 2)])
        await writeInChunks(write, model, randomOperations(random, keys, 400, `ai${round}b`, 0.25), 40)
        await aiCompact(ai)
        await writeInChunks(write, model, randomOperations(random, keys, 200, `ai${round}c`, 0.25), 40)
        // The tail: less than one 4 KiB memtable, so it is only in the log when AiDb closes.
        await writeInChunks(write, model, randomOperations(random, keys, 12, `ai${round}-tail`, 0.25), 4)
        const perLevel = filesPerLevel(ai.getProperty('aidb.sstables') ?? '')
        t.comment(`round ${round}: AiDb files per level ${perLevel.join(' ')}`)
        t.ok(perLevel.filter(n => n > 0).length >= 2, `round ${round}: AiDb holds tables on at least two levels`)
      } finally {
        await aiClose(ai)
      }
      const logBytes = fs.readdirSync(dir).filter(name => name.endsWith('.log')).reduce((sum, name) => sum + fs.statSync(path.join(dir, name)).size, 0)
      t.ok(logBytes > 0, `round ${round}: AiDb left its tail in the log (${logBytes} bytes)`)

      if (round === 1) {
        // Every AiDb table carries a bloom filter under the name LevelDB looks for, and LevelDB's block layout.
        const tables = tableFiles(dir)
        const layouts = tables.map(name => readTableLayout(path.join(dir, name)))
        t.ok(tables.length > 0 && layouts.every(l => l.metaKeys.includes('filter.leveldb.BuiltinBloomFilter2')),
          `all ${tables.length} AiDb tables have 'filter.leveldb.BuiltinBloomFilter2' in their metaindex`)
        t.ok(layouts.some(l => l.dataBlockTypes.includes(1)), 'AiDb wrote Snappy-compressed blocks')
      }

      const classic = await classicOpen(dir)
      try {
        const ranges = randomRanges(random, keys, 20)
        await verify(t, `round ${round}: LevelDB reads what AiDb wrote`, classicReader(classic), model, ranges)
        const write = (ops: Operation[]): Promise<void> => classicWrite(classic, ops)
        await writeInChunks(write, model, randomOperations(random, keys, 600, `classic${round}`, 0.25), 50)
        await classicCompact(classic)
        await writeInChunks(write, model, randomOperations(random, keys, 50, `classic${round}-tail`, 0.25), 10)
        await verify(t, `round ${round}: LevelDB after its own writes and compaction`, classicReader(classic), model, ranges)
      } finally {
        await classicClose(classic)
      }
    }

    await aiVerifyDir(t, dir, 'final: AiDb reads the result of three alternations', model, randomRanges(random, keys, 20))
  })
})
