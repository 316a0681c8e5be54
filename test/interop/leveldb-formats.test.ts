// LevelDB's format variants, as native LevelDB (classic-level) writes them, are read by AiDb:
// tables named .sst (LevelDB before 1.14), Snappy-compressed and uncompressed blocks, LevelDB's
// bloom filters, and a MANIFEST holding a long history of edits.
import fs from 'node:fs'
import path from 'node:path'
import test from 'tape'
import { defaultEnv } from '../../lib/env/node-env'
import { compareInternalKeySlices, extractUserKey } from '../../lib/format/internal-key'
import { LogReader } from '../../lib/log/log-reader'
import { Block } from '../../lib/table/block'
import { BloomFilterPolicy } from '../../lib/table/bloom'
import { FilterBlockReader } from '../../lib/table/filter-block'
import {
  aiClose, aiVerifyDir, classicVerifyDir, aiCompact, aiOpen, aiReader, aiWrite, classicClose, classicCompact, classicOpen, classicWrite,
  makeKey, Model, randomOperations, randomRanges, readTableBlock, readTableLayout, seeded, sstablesNumbers, tableFiles,
  verify, type Operation
} from './helpers'
import { withTempDir } from '../util/temp-dir'
import type { Random } from '../util/random'

async function fillWithLevelDB (dir: string, random: Random, model: Model, keys: Buffer[], options: Record<string, unknown>): Promise<void> {
  const db = await classicOpen(dir, { writeBufferSize: 64 * 1024, ...options })
  try {
    const write = async (ops: Operation[]): Promise<void> => { await classicWrite(db, ops); model.apply(ops) }
    for (let i = 0; i < 20; i++) await write(randomOperations(random, keys, 100, `load${i}`, 0.2))
    await classicCompact(db)
    await write(randomOperations(random, keys, 50, 'tail', 0.3))
  } finally {
    await classicClose(db)
  }
}

test('interop: LevelDB tables named .sst are read, listed and compacted by AiDb', async (t) => {
  const random = seeded(t, 3)
  await withTempDir('sst', async (dir) => {
    const model = new Model()
    const keys: Buffer[] = []
    await fillWithLevelDB(dir, random, model, keys, {})
    const renamed = tableFiles(dir)
    for (const name of renamed) fs.renameSync(path.join(dir, name), path.join(dir, name.replace(/\.ldb$/, '.sst')))
    t.ok(renamed.length > 0 && tableFiles(dir).every(name => name.endsWith('.sst')), `renamed ${renamed.join(', ')} to .sst`)
    const ranges = randomRanges(random, keys, 20)

    const db = await aiOpen(dir)
    try {
      await verify(t, 'AiDb reads .sst tables', aiReader(db), model, ranges)
      const listed = sstablesNumbers(db.getProperty('aidb.sstables') ?? '')
      const onDisk = tableFiles(dir).map(name => Number.parseInt(name, 10)).sort((a, b) => a - b)
      t.same(listed, onDisk, `aidb.sstables lists every table, .sst and .ldb (${onDisk.join(', ')})`)
      const ops = randomOperations(random, keys, 600, 'aidb', 0.3)
      await aiWrite(db, ops)
      model.apply(ops)
      await aiCompact(db)
      await verify(t, 'after AiDb compacts the .sst tables away', aiReader(db), model, ranges)
      const after = tableFiles(dir)
      t.ok(after.every(name => name.endsWith('.ldb')), `obsolete .sst files are deleted after compaction (left: ${after.join(', ')})`)
    } finally {
      await aiClose(db)
    }

    await classicVerifyDir(t, dir, 'LevelDB reads it back', model, ranges)
  })
})

test('interop: a .sst table left by LevelDB next to AiDb tables stays readable by both', async (t) => {
  const random = seeded(t, 4)
  await withTempDir('sst-mixed', async (dir) => {
    const model = new Model()
    const keys: Buffer[] = []
    await fillWithLevelDB(dir, random, model, keys, {})
    // Only one table renamed: LevelDB itself falls back to .sst per file.
    const [first] = tableFiles(dir)
    fs.renameSync(path.join(dir, first), path.join(dir, first.replace(/\.ldb$/, '.sst')))
    const ranges = randomRanges(random, keys, 10)
    const db = await aiOpen(dir)
    try {
      const ops = randomOperations(random, keys, 100, 'aidb', 0.3)
      await aiWrite(db, ops)
      model.apply(ops)
      await verify(t, 'AiDb reads a mix of .sst and .ldb', aiReader(db), model, ranges)
    } finally {
      await aiClose(db)
    }
    await classicVerifyDir(t, dir, 'LevelDB reads the mix after AiDb', model, ranges)
  })
})

for (const compression of [true, false]) {
  test(`interop: LevelDB tables with compression ${compression} and their bloom filters`, async (t) => {
    const random = seeded(t, compression ? 5 : 6)
    await withTempDir(`compression-${compression}`, async (dir) => {
      const model = new Model()
      const keys: Buffer[] = []
      await fillWithLevelDB(dir, random, model, keys, { compression })
      const tables = tableFiles(dir)
      const types = new Set<number>()
      let filtered = 0
      let present = 0
      let presentMissed = 0
      let absent = 0
      let falsePositives = 0
      for (const name of tables) {
        const file = path.join(dir, name)
        const layout = readTableLayout(file)
        for (const type of layout.dataBlockTypes) types.add(type)
        const filterHandle = layout.metaHandles.get('filter.leveldb.BuiltinBloomFilter2')
        if (filterHandle === undefined) continue
        filtered++
        // Every key of a data block must pass that block's filter; keys never written mostly must not.
        const filter = new FilterBlockReader(new BloomFilterPolicy(), readTableBlock(file, filterHandle))
        for (const handle of layout.dataBlocks) {
          const it = new Block(readTableBlock(file, handle)).newIterator(compareInternalKeySlices)
          for (it.seekToFirst(); it.valid(); it.next()) {
            present++
            if (!filter.keyMayMatch(handle.offset, extractUserKey(it.key()))) presentMissed++
          }
          for (let i = 0; i < 50; i++) {
            absent++
            if (filter.keyMayMatch(handle.offset, makeKey(random, 1e6 + i, 'absent'))) falsePositives++
          }
        }
      }
      t.ok(tables.length > 0 && filtered === tables.length, `every LevelDB table (${tables.length}) has a bloom filter block`)
      t.comment(`data block compression types: ${[...types].join(', ')}`)
      if (compression) t.ok(types.has(1), 'LevelDB wrote Snappy-compressed blocks')
      else t.same([...types], [0], 'LevelDB wrote only uncompressed blocks')
      t.equal(presentMissed, 0, `LevelDB's filters pass all ${present} keys they were built from`)
      t.ok(falsePositives < absent * 0.05, `LevelDB's filters reject absent keys (${falsePositives} of ${absent} false positives)`)

      const ranges = randomRanges(random, keys, 20)
      const db = await aiOpen(dir, { compression })
      try {
        await verify(t, `AiDb reads compression-${compression} tables`, aiReader(db), model, ranges)
        let absentFound = 0
        for (let i = 0; i < 500; i++) if (db.get(makeKey(random, 2e6 + i, 'absent')) !== undefined) absentFound++
        t.equal(absentFound, 0, 'keys never written are not found')
      } finally {
        await aiClose(db)
      }
    })
  })
}

test('interop: a LevelDB MANIFEST with a long history of small flushes', async (t) => {
  const random = seeded(t, 7)
  await withTempDir('many-edits', async (dir) => {
    const model = new Model()
    const keys: Buffer[] = []
    const classic = await classicOpen(dir)
    try {
      for (let round = 0; round < 120; round++) {
        const ops = randomOperations(random, keys, 8, `r${round}`, 0.3)
        await classicWrite(classic, ops)
        model.apply(ops)
        // A one-key compactRange flushes the memtable: one small table and one MANIFEST edit each time.
        await classic.compactRange(ops[0].key, ops[0].key)
      }
      const ops = randomOperations(random, keys, 20, 'tail', 0.3)
      await classicWrite(classic, ops)
      model.apply(ops)
    } finally {
      await classicClose(classic)
    }
    const manifest = fs.readdirSync(dir).find(name => name.startsWith('MANIFEST-'))
    const records = countLogRecords(path.join(dir, manifest ?? 'MANIFEST-missing'))
    t.ok(records >= 100, `${manifest} holds ${records} edits`)

    const ranges = randomRanges(random, keys, 20)
    await aiVerifyDir(t, dir, 'AiDb replays the long MANIFEST', model, ranges)
    // AiDb rewrote the MANIFEST as a snapshot on open; LevelDB must still accept it.
    await classicVerifyDir(t, dir, 'LevelDB reads the MANIFEST AiDb rewrote', model, ranges)
  })
})

function countLogRecords (file: string): number {
  const raf = defaultEnv.newRandomAccessFile(file)
  try {
    const reader = new LogReader(raf, { checksum: true })
    let count = 0
    while (reader.readRecord() !== null) count++
    return count
  } finally {
    raf.close()
  }
}
