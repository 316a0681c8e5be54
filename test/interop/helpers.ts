// Shared helpers for the LevelDB interop suite: one small function per database operation, for
// AiDb (the engine, used directly) and for classic-level (native LevelDB), plus a model of the
// expected contents and a checker that compares every view of it.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type test from 'tape'
import { ClassicLevel } from 'classic-level'
import { DB } from '../../lib/db/db'
import type { DBOptions } from '../../lib/db/options'
import { WriteBatch } from '../../lib/format/write-batch'
import { compareBytewiseSlices } from '../../lib/format/internal-key'
import { defaultEnv } from '../../lib/env/node-env'
import { Block } from '../../lib/table/block'
import { decodeBlockHandle, decodeFooter, FOOTER_LENGTH, type BlockHandle } from '../../lib/table/block-handle'
import { readBlockContents } from '../../lib/table/block-reader'
import { createRandom, testSeed, type Random } from '../util/random'
import { SMALL } from '../util/options'

export type Entry = [Buffer, Buffer]

export type Operation = { type: 'put', key: Buffer, value: Buffer } | { type: 'del', key: Buffer }

export interface Range {
  gt?: Buffer
  gte?: Buffer
  lt?: Buffer
  lte?: Buffer
  reverse?: boolean
  limit?: number
}

// ---- Seeds ----

const BASE_SEED = testSeed(20170101)

/** The random source of one test: the suite's seed (testSeed) plus a per-test salt, printed so a failure replays. */
export function seeded (t: test.Test, salt: number): Random {
  t.comment(`seed ${BASE_SEED}+${salt} (replay with AIDB_TEST_SEED=${BASE_SEED})`)
  return createRandom(BASE_SEED + salt)
}

// ---- AiDb, one function per operation ----

export function aiOpen (location: string, options: Partial<DBOptions> = SMALL): Promise<DB> {
  return DB.open(location, options)
}

export function aiWrite (db: DB, operations: readonly Operation[]): Promise<void> {
  const batch = new WriteBatch()
  for (const op of operations) {
    if (op.type === 'put') batch.put(op.key, op.value)
    else batch.del(op.key)
  }
  return db.write(batch)
}

export function aiGet (db: DB, key: Buffer): Buffer | undefined {
  const value = db.get(key)
  return value === undefined ? undefined : Buffer.from(value)
}

export function aiEntries (db: DB, range: Range = {}): Entry[] {
  const it = db.newIterator()
  const out: Entry[] = []
  const limit = range.limit ?? Infinity
  try {
    if (range.reverse === true) {
      if (range.lte !== undefined) {
        it.seek(range.lte)
        if (!it.valid()) it.seekToLast()
        else if (Buffer.compare(it.key(), range.lte) > 0) it.prev()
      } else if (range.lt !== undefined) {
        it.seek(range.lt)
        if (!it.valid()) it.seekToLast()
        else it.prev()
      } else {
        it.seekToLast()
      }
      for (; it.valid() && out.length < limit; it.prev()) {
        if (!inRange(it.key(), range)) {
          if (belowRange(it.key(), range)) break
          continue
        }
        out.push([Buffer.from(it.key()), Buffer.from(it.value())])
      }
    } else {
      const start = range.gte ?? range.gt
      if (start !== undefined) it.seek(start)
      else it.seekToFirst()
      for (; it.valid() && out.length < limit; it.next()) {
        if (!inRange(it.key(), range)) {
          if (belowRange(it.key(), range)) continue
          break
        }
        out.push([Buffer.from(it.key()), Buffer.from(it.value())])
      }
    }
  } finally {
    it.close()
  }
  return out
}

export function aiCompact (db: DB): Promise<void> {
  return db.compactRange(null, null)
}

export function aiClose (db: DB): Promise<void> {
  return db.close()
}

export function aiReader (db: DB): Reader {
  return { get: async key => aiGet(db, key), entries: async range => aiEntries(db, range) }
}

// ---- classic-level, one function per operation ----

export type Classic = ClassicLevel<Buffer, Buffer>

export async function classicOpen (location: string, options: Record<string, unknown> = {}): Promise<Classic> {
  const db = new ClassicLevel<Buffer, Buffer>(location, { keyEncoding: 'buffer', valueEncoding: 'buffer', ...options })
  await db.open()
  return db
}

export function classicWrite (db: Classic, operations: readonly Operation[]): Promise<void> {
  return db.batch(operations.map(op => op.type === 'put'
    ? { type: 'put' as const, key: op.key, value: op.value }
    : { type: 'del' as const, key: op.key }))
}

export async function classicGet (db: Classic, key: Buffer): Promise<Buffer | undefined> {
  const value = await db.get(key)
  return value === undefined ? undefined : Buffer.from(value)
}

export async function classicEntries (db: Classic, range: Range = {}): Promise<Entry[]> {
  const entries = await db.iterator({ ...range, limit: range.limit ?? -1 }).all()
  return entries.map(([key, value]) => [Buffer.from(key), Buffer.from(value)])
}

/** Flushes the memtable and compacts everything, as LevelDB's CompactRange(nullptr, nullptr). */
export function classicCompact (db: Classic): Promise<void> {
  return db.compactRange(Buffer.alloc(0), Buffer.alloc(64, 0xff))
}

export function classicClose (db: Classic): Promise<void> {
  return db.close()
}

export function classicReader (db: Classic): Reader {
  return { get: key => classicGet(db, key), entries: range => classicEntries(db, range) }
}

// ---- The model and the checker ----

export interface Reader {
  get (key: Buffer): Promise<Buffer | undefined>
  entries (range?: Range): Promise<Entry[]>
}

/** What the database must hold: live entries by hex key, and keys that were deleted. */
export class Model {
  readonly live = new Map<string, Entry>()
  readonly deleted = new Set<string>()

  apply (operations: readonly Operation[]): void {
    for (const op of operations) {
      const hex = op.key.toString('hex')
      if (op.type === 'put') {
        this.live.set(hex, [op.key, op.value])
        this.deleted.delete(hex)
      } else if (this.live.delete(hex)) {
        this.deleted.add(hex)
      }
    }
  }

  sorted (): Entry[] {
    return [...this.live.values()].sort(([a], [b]) => Buffer.compare(a, b))
  }

  entries (range: Range = {}): Entry[] {
    let out = this.sorted().filter(([key]) => inRange(key, range))
    if (range.reverse === true) out = out.reverse()
    return range.limit === undefined ? out : out.slice(0, range.limit)
  }
}

/** Keys with a shared prefix, a sortable index and random binary bytes (including 0x00 and 0xff). */
export function makeKey (random: Random, index: number, prefix = 'k'): Buffer {
  const tail = random.fill(new Uint8Array(random.int(4)))
  return Buffer.concat([Buffer.from(`${prefix}${String(index).padStart(6, '0')}`), tail])
}

/** Values partly repetitive (so Snappy compresses them) and partly random. */
export function makeValue (random: Random, label: string, maxLength = 200): Buffer {
  const head = Buffer.from(`${label}:` + 'abcd'.repeat(random.int(maxLength / 8)))
  return Buffer.concat([head, Buffer.from(random.fill(new Uint8Array(random.int(maxLength / 2))))])
}

/**
 * Random puts, overwrites and deletes over a key space: keys are drawn from `keys` (growing it
 * with fresh keys), so later rounds overwrite and delete what earlier rounds (and levels) hold.
 */
export function randomOperations (random: Random, keys: Buffer[], count: number, label: string, deleteRatio = 0.2): Operation[] {
  const ops: Operation[] = []
  for (let i = 0; i < count; i++) {
    const fresh = keys.length === 0 || random.chance(0.4)
    const key = fresh ? makeKey(random, keys.length) : random.pick(keys)
    if (fresh) keys.push(key)
    if (!fresh && random.chance(deleteRatio)) ops.push({ type: 'del', key })
    else ops.push({ type: 'put', key, value: makeValue(random, label) })
  }
  return ops
}

/** Random bounded ranges over the model's keys, in both directions, some with limits. */
export function randomRanges (random: Random, keys: readonly Buffer[], count: number): Range[] {
  const ranges: Range[] = [{}, { reverse: true }, { limit: 10 }, { reverse: true, limit: 10 }]
  for (let i = 0; i < count; i++) {
    const [a, b] = [random.pick(keys), random.pick(keys)].sort(Buffer.compare)
    const range: Range = {}
    if (random.chance(0.5)) range.gte = a
    else range.gt = a
    if (random.chance(0.5)) range.lt = b
    else range.lte = b
    if (random.chance(0.3)) range.limit = 1 + random.int(20)
    range.reverse = random.chance(0.5)
    ranges.push(range)
  }
  // A range before every key and one after, both empty.
  ranges.push({ lt: Buffer.from('a') }, { gt: Buffer.alloc(8, 0xff), reverse: true })
  return ranges
}

/**
 * Compares a database against the model: every live key by get, deleted keys absent, a full scan
 * forward and reverse, and the given bounded ranges. One assertion per view, naming the first difference.
 */
export async function verify (t: test.Test, stage: string, reader: Reader, model: Model, ranges: readonly Range[]): Promise<void> {
  let wrongGets = 0
  let firstWrong = ''
  for (const [key, value] of model.live.values()) {
    const got = await reader.get(key)
    if (got === undefined || !got.equals(value)) {
      if (wrongGets++ === 0) firstWrong = `${show(key)} is ${got === undefined ? 'missing' : 'different'}`
    }
  }
  for (const hex of model.deleted) {
    const got = await reader.get(Buffer.from(hex, 'hex'))
    if (got !== undefined && wrongGets++ === 0) firstWrong = `deleted ${show(Buffer.from(hex, 'hex'))} is still there`
  }
  t.equal(wrongGets, 0, `${stage}: get of ${model.live.size} live and ${model.deleted.size} deleted keys` + (wrongGets > 0 ? ` (${firstWrong})` : ''))

  let wrongRanges = 0
  let firstRange = ''
  for (const range of ranges) {
    const want = model.entries(range)
    const got = await reader.entries(range)
    const diff = firstDifference(want, got)
    if (diff !== undefined && wrongRanges++ === 0) firstRange = `${describeRange(range)}: ${diff}`
  }
  t.equal(wrongRanges, 0, `${stage}: ${ranges.length} range scans (forward, reverse, bounded)` + (wrongRanges > 0 ? ` (${firstRange})` : ''))
}

/** Opens dir with AiDb, verifies it against the model, and closes it again, pass or fail. */
export async function aiVerifyDir (t: test.Test, dir: string, stage: string, model: Model, ranges: readonly Range[], options?: Partial<DBOptions>): Promise<void> {
  const db = await aiOpen(dir, options)
  try {
    await verify(t, stage, aiReader(db), model, ranges)
  } finally {
    await aiClose(db)
  }
}

/** Opens dir with LevelDB (classic-level), verifies it against the model, and closes it again, pass or fail. */
export async function classicVerifyDir (t: test.Test, dir: string, stage: string, model: Model, ranges: readonly Range[], options?: Record<string, unknown>): Promise<void> {
  const db = await classicOpen(dir, options)
  try {
    await verify(t, stage, classicReader(db), model, ranges)
  } finally {
    await classicClose(db)
  }
}

function firstDifference (want: readonly Entry[], got: readonly Entry[]): string | undefined {
  for (let i = 0; i < Math.max(want.length, got.length); i++) {
    if (want[i] === undefined) return `extra entry ${show(got[i][0])} at ${i}`
    if (got[i] === undefined) return `missing entry ${show(want[i][0])} at ${i} (got ${got.length} of ${want.length})`
    if (!want[i][0].equals(got[i][0])) return `at ${i}: want key ${show(want[i][0])}, got ${show(got[i][0])}`
    if (!want[i][1].equals(got[i][1])) return `at ${i}: wrong value for ${show(want[i][0])}`
  }
  return undefined
}

function describeRange (range: Range): string {
  const parts = (['gt', 'gte', 'lt', 'lte'] as const).filter(k => range[k] !== undefined).map(k => `${k} ${show(range[k] as Buffer)}`)
  if (range.limit !== undefined) parts.push(`limit ${range.limit}`)
  if (range.reverse === true) parts.push('reverse')
  return `{${parts.join(', ')}}`
}

export function show (key: Buffer): string {
  return JSON.stringify(key.toString('latin1').replace(/[^\x20-\x7e]/g, c => '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0')))
}

function inRange (key: Buffer, range: Range): boolean {
  if (range.gt !== undefined && Buffer.compare(key, range.gt) <= 0) return false
  if (range.gte !== undefined && Buffer.compare(key, range.gte) < 0) return false
  if (range.lt !== undefined && Buffer.compare(key, range.lt) >= 0) return false
  if (range.lte !== undefined && Buffer.compare(key, range.lte) > 0) return false
  return true
}

function belowRange (key: Buffer, range: Range): boolean {
  return (range.gt !== undefined && Buffer.compare(key, range.gt) <= 0) || (range.gte !== undefined && Buffer.compare(key, range.gte) < 0)
}

// ---- Directory inspection ----

/** Every file below dir (relative path → sha256), for proving that a failed open changed nothing. */
export function snapshotDir (dir: string, ignore: readonly string[] = []): Map<string, string> {
  const out = new Map<string, string>()
  const walk = (sub: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = path.join(sub, entry.name)
      if (ignore.includes(rel)) continue
      if (entry.isDirectory()) walk(rel)
      else out.set(rel, crypto.createHash('sha256').update(fs.readFileSync(path.join(dir, rel))).digest('hex'))
    }
  }
  walk('')
  return out
}

export function describeSnapshotChange (before: Map<string, string>, after: Map<string, string>): string {
  const changes: string[] = []
  for (const [name, hash] of before) {
    if (!after.has(name)) changes.push(`removed ${name}`)
    else if (after.get(name) !== hash) changes.push(`changed ${name}`)
  }
  for (const name of after.keys()) if (!before.has(name)) changes.push(`added ${name}`)
  return changes.length === 0 ? 'nothing changed' : changes.join(', ')
}

export function tableFiles (dir: string): string[] {
  return fs.readdirSync(dir).filter(name => /^\d+\.(ldb|sst)$/.test(name)).sort()
}

/** File numbers in a getProperty('aidb.sstables') / ('leveldb.sstables') text. */
export function sstablesNumbers (text: string): number[] {
  return [...text.matchAll(/^ (\d+):\d+\[/gm)].map(m => Number(m[1])).sort((a, b) => a - b)
}

export function filesPerLevel (text: string): number[] {
  const counts: number[] = []
  for (const line of text.split('\n')) {
    if (line.startsWith('--- level ')) counts.push(0)
    else if (/^ \d+:/.test(line)) counts[counts.length - 1]++
  }
  return counts
}

export interface TableLayout {
  // Metaindex keys, e.g. 'filter.leveldb.BuiltinBloomFilter2'.
  metaKeys: string[]
  metaHandles: Map<string, BlockHandle>
  // Compression type byte of every data block (0 none, 1 Snappy).
  dataBlockTypes: number[]
  // Handle of every data block, in order.
  dataBlocks: BlockHandle[]
}

/** Reads one block of a table file (checksum verified, decompressed). */
export function readTableBlock (file: string, handle: BlockHandle): Buffer {
  const raf = defaultEnv.newRandomAccessFile(file)
  try {
    return readBlockContents(raf, handle, true)
  } finally {
    raf.close()
  }
}

/** Reads a table's footer, metaindex and index block directly, as LevelDB lays them out. */
export function readTableLayout (file: string): TableLayout {
  const raf = defaultEnv.newRandomAccessFile(file)
  try {
    const size = raf.size()
    const footer = decodeFooter(raf.read(size - FOOTER_LENGTH, FOOTER_LENGTH))
    const metaKeys: string[] = []
    const metaHandles = new Map<string, BlockHandle>()
    const meta = new Block(readBlockContents(raf, footer.metaindexHandle, true)).newIterator(compareBytewiseSlices)
    for (meta.seekToFirst(); meta.valid(); meta.next()) {
      const name = meta.key().toString('latin1')
      metaKeys.push(name)
      metaHandles.set(name, decodeBlockHandle(meta.value()))
    }
    const dataBlockTypes: number[] = []
    const dataBlocks: BlockHandle[] = []
    const index = new Block(readBlockContents(raf, footer.indexHandle, true)).newIterator(compareBytewiseSlices)
    for (index.seekToFirst(); index.valid(); index.next()) {
      const handle = decodeBlockHandle(index.value())
      dataBlocks.push(handle)
      dataBlockTypes.push(raf.read(handle.offset + handle.size, 1)[0])
    }
    return { metaKeys, metaHandles, dataBlockTypes, dataBlocks }
  } finally {
    raf.close()
  }
}
