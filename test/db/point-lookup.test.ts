// Point lookups through every place a key can live (memtable, immutable memtable, level-0 tables
// numbered out of age order, deeper levels), at random snapshots, against a model of the writes.
import tape from 'tape'
import { BlockCache } from '../../lib/table/block-cache'
import { TableCache } from '../../lib/cache/table-cache'
import { defaultEnv } from '../../lib/env/node-env'
import { tableFileName } from '../../lib/format/filenames'
import { compareInternalKeys, makeInternalKey, ValueType } from '../../lib/format/internal-key'
import { MemTable } from '../../lib/memtable/memtable'
import { PointLookup } from '../../lib/db/point-lookup'
import { emptyEntryRanges } from '../../lib/iterator/entry-ranges'
import { TableBuilder } from '../../lib/table/table-builder'
import type { FileMetaData } from '../../lib/version/file-metadata'
import { NUM_LEVELS, Version } from '../../lib/version/version'
import { tempDir, removeDir } from '../util/temp-dir'
import { createRandom, testSeed } from '../util/random'

const SEED = testSeed(0x9017)

interface Write { key: Buffer, sequence: number, value: Buffer | null }

// User keys that share long prefixes, are prefixes of one another, hold bytes that look like
// tags, and are multi-byte UTF-8.
function userKeys (count: number): Buffer[] {
  const keys: Buffer[] = []
  for (let i = 0; i < count; i++) {
    switch (i % 5) {
      case 0: keys.push(Buffer.from(String(i).padStart(16, '0'))); break
      case 1: keys.push(Buffer.from(`k${i % 40}`.repeat(1 + (i % 3)))); break
      case 2: keys.push(Buffer.concat([Buffer.from(`p${i % 7}`), Buffer.from([1, 0, 0, 0, 0, 0, 0, i % 3])])); break
      case 3: keys.push(Buffer.from(`ключ-${i}-日本`)); break
      default: keys.push(Buffer.from(`x${i}`.padEnd(40 + (i % 9), 'y')))
    }
  }
  return keys
}

function writeTable (dir: string, number: number, writes: Write[]): FileMetaData {
  const entries = writes.map(w => ({ key: makeInternalKey(w.key, w.sequence, w.value === null ? ValueType.Deletion : ValueType.Value), value: w.value ?? Buffer.alloc(0) }))
  entries.sort((a, b) => compareInternalKeys(a.key, b.key))
  const file = defaultEnv.newWritableFile(tableFileName(dir, number))
  // Small blocks and restart intervals, so lookups cross blocks and scan past restart points.
  const builder = new TableBuilder(file, { blockSize: 256, blockRestartInterval: 4 })
  for (const e of entries) builder.add(e.key, e.value)
  builder.finish()
  const fileSize = builder.fileSize()
  file.sync()
  file.close()
  return { number, fileSize, smallest: entries[0].key, largest: entries[entries.length - 1].key }
}

tape('point lookup: the newest visible version across memtables and table levels', (t) => {
  t.comment(`seed ${SEED}`)
  const random = createRandom(SEED)
  const dir = tempDir('ai-level-point-lookup')
  const tableCache = new TableCache(defaultEnv, dir, { verifyChecksums: true, blockCache: new BlockCache(1 << 20) }, 100)
  try {
    const keys = userKeys(300)
    const writes: Write[] = []
    let sequence = 0
    // Layers from oldest to newest: level 2, level 1, two level-0 tables, the immutable memtable, the memtable.
    const layers: Write[][] = []
    for (let layer = 0; layer < 6; layer++) {
      const batch: Write[] = []
      for (let i = 0; i < 400; i++) {
        const key = random.pick(keys)
        const value = random.chance(0.2) ? null : Buffer.from(`${key.toString('hex')}@${sequence + 1}:`.repeat(1 + random.int(4)))
        batch.push({ key, sequence: ++sequence, value })
      }
      layers.push(batch)
      writes.push(...batch)
    }
    const files: FileMetaData[][] = Array.from({ length: NUM_LEVELS }, () => [])
    files[2].push(writeTable(dir, 1, layers[0]))
    // Level 1 as two disjoint files.
    const level1 = layers[1].slice().sort((a, b) => Buffer.compare(a.key, b.key))
    const cut = level1.findIndex(w => !w.key.equals(level1[0].key) && Buffer.compare(w.key, level1[level1.length >> 1].key) >= 0)
    files[1].push(writeTable(dir, 2, level1.slice(0, cut)), writeTable(dir, 3, level1.slice(cut)))
    // The newer level-0 table has the lower number and comes first, as after a repair.
    files[0].push(writeTable(dir, 5, layers[3]), writeTable(dir, 4, layers[2]))
    const imm = new MemTable()
    const mem = new MemTable()
    for (const [memtable, layer] of [[imm, layers[4]], [mem, layers[5]]] as const) {
      for (const w of layer) memtable.add(w.sequence, w.value === null ? ValueType.Deletion : ValueType.Value, w.key, w.value ?? Buffer.alloc(0))
    }
    const version = new Version(files)

    const lookup = new PointLookup()
    const found = emptyEntryRanges()
    let wrong = 0
    let present = 0
    const probes = 4000
    for (let i = 0; i < probes; i++) {
      const key = random.chance(0.9) ? random.pick(keys) : Buffer.from(`absent-${i}`)
      const at = random.int(sequence + 2)
      let newest: Write | undefined
      for (const w of writes) if (w.key.equals(key) && w.sequence <= at) newest = w
      const expected = newest?.value ?? undefined
      const hit = lookup.find(key, at, mem, imm, version, tableCache, random.chance(0.5), found)
      const actual = hit ? Buffer.from(found.valueBytes.subarray(found.valueStart, found.valueEnd)) : undefined
      if (expected === undefined ? actual !== undefined : actual === undefined || !actual.equals(expected)) wrong++
      if (expected !== undefined) present++
    }
    t.ok(present > probes / 3, `most probes find a value (${present})`)
    t.is(wrong, 0, `${probes} lookups at random snapshots agree with the model`)
  } finally {
    tableCache.close()
    removeDir(dir)
  }
  t.end()
})
