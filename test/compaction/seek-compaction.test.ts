// Seek compactions (LevelDB's allowed_seeks): a table that lookups search in vain before finding
// their key elsewhere is charged each time, and once its allowance is spent it is compacted.
import test from 'tape'
import { Version, NUM_LEVELS } from '../../lib/version/version'
import type { FileMetaData } from '../../lib/version/file-metadata'
import { pickSeekCompaction, pickSizeCompaction } from '../../lib/compaction/picker'
import { computeCompactionScore, needsCompaction } from '../../lib/version/compaction-score'
import { makeInternalKey, ValueType } from '../../lib/format/internal-key'
import { AiLevel } from '../../index'
import { tempLocation } from '../util/temp-dir'

const options = { maxFileSize: 1000, levelSizeBase: 10000 }

function file (number: number, smallest: string, largest: string, fileSize = 100): FileMetaData {
  const ik = (key: string): Buffer => makeInternalKey(Buffer.from(key), 100, ValueType.Value)
  return { number, fileSize, smallest: ik(smallest), largest: ik(largest) }
}

function versionOf (levels: Record<number, FileMetaData[]>): Version {
  const v = new Version(Array.from({ length: NUM_LEVELS }, (_, level) => levels[level] ?? []))
  computeCompactionScore(v, options)
  return v
}

test('chargeSeek: a file is due after max(100, size / 16 KiB) charges, once per version', (t) => {
  const small = file(1, 'a', 'm')
  const big = file(2, 'n', 'z', 200 * 16 * 1024)
  const v = versionOf({ 1: [small, big] })
  let charges = 0
  while (!v.chargeSeek(small, 1)) charges++
  t.is(charges + 1, 100, 'a small file is allowed 100 seeks')
  t.is(v.fileToCompact, small)
  t.is(v.fileToCompactLevel, 1)
  let due = 0
  for (let i = 0; i < 300; i++) if (v.chargeSeek(big, 1)) due++
  t.is(due, 0, 'once a file is due, no other becomes due in the same version')
  t.is(v.fileToCompact, small, 'the first file due stays the version\'s seek compaction')
  const next = versionOf({ 1: [small, big] })
  t.ok(next.chargeSeek(big, 1), 'the big file\'s spent allowance carries over to a later version')
  t.is(next.fileToCompact, big)
  const moved = versionOf({ 2: [small] })
  let movedCharges = 1
  while (!moved.chargeSeek(small, 2)) movedCharges++
  t.is(movedCharges, 100, 'a file moved down a level starts with a fresh allowance')
  t.end()
})

test('pickSeekCompaction: the due file with what overlaps it; size compactions come first', (t) => {
  const a = file(1, 'a', 'f')
  const b = file(2, 'd', 'k')
  const under = file(3, 'e', 'g')
  const v = versionOf({ 0: [a, b], 1: [under] })
  t.notOk(needsCompaction(v), 'nothing is due at first')
  t.is(pickSeekCompaction(v, options), null)
  while (!v.chargeSeek(a, 0)) { /* spend the allowance */ }
  t.ok(needsCompaction(v), 'a due file makes the version need compaction')
  t.is(pickSizeCompaction(v, new Array(NUM_LEVELS).fill(undefined), options), null, 'no size compaction is due')
  const c = pickSeekCompaction(v, options)
  t.same(c?.inputs.map(files => files.map(f => f.number).sort()), [[1, 2], [3]], 'level-0 files overlapping it and the level-1 file beneath')
  t.is(c?.level, 0)
  t.end()
})

test('lookups that keep searching a table in vain get it compacted away', async (t) => {
  const location = tempLocation(t)
  let db = new AiLevel<string, string>(location)
  const key = (i: number): string => `key-${String(i).padStart(5, '0')}`
  // Two level-0 tables over the same range, one with the even keys and one with the odd: every
  // other lookup misses in whichever table is searched first.
  await db.batch(Array.from({ length: 250 }, (_, i) => ({ type: 'put' as const, key: key(2 * i), value: `old ${2 * i}` })))
  await db.close()
  db = new AiLevel<string, string>(location)
  await db.batch(Array.from({ length: 250 }, (_, i) => ({ type: 'put' as const, key: key(2 * i + 1), value: `new ${2 * i + 1}` })))
  await db.close()
  db = new AiLevel<string, string>(location)
  await db.open()
  t.is(db.getProperty('leveldb.num-files-at-level0'), '2', 'two overlapping level-0 tables')
  let wrong = 0
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 500; i++) if (db.getSync(key(i)) !== `${i % 2 === 1 ? 'new' : 'old'} ${i}`) wrong++
  }
  const deadline = Date.now() + 20000
  while (db.getProperty('leveldb.num-files-at-level0') !== '0' && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20))
  t.is(db.getProperty('leveldb.num-files-at-level0'), '0', 'the searched-in-vain table was compacted, with the one overlapping it')
  t.is(wrong, 0, 'every lookup found its value')
  const all = await db.getMany(Array.from({ length: 500 }, (_, i) => key(i)))
  t.same(all, Array.from({ length: 500 }, (_, i) => `${i % 2 === 1 ? 'new' : 'old'} ${i}`), 'and the data is intact after the compaction')
  await db.close()
})
