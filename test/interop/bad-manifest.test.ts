// Opening a directory AiDb cannot safely use fails with a clear error and changes nothing in it:
// a MANIFEST naming another comparator, a MANIFEST edit with a tag from a newer format, a missing
// CURRENT. The crafted MANIFESTs are checked against native LevelDB too, which must refuse them as well.
import fs from 'node:fs'
import path from 'node:path'
import test from 'tape'
import { defaultEnv } from '../../lib/env/node-env'
import { LogReader } from '../../lib/log/log-reader'
import { LogWriter } from '../../lib/log/log-writer'
import { VersionEdit } from '../../lib/version/version-edit'
import { errorCode } from '../../lib/util/errors'
import {
  aiClose, aiOpen, classicClose, classicOpen, classicWrite, describeSnapshotChange, Model, randomOperations,
  seeded, snapshotDir
} from './helpers'
import { withTempDir } from '../util/temp-dir'
import type { Random } from '../util/random'

// LOCK is created or reopened by any open attempt, in LevelDB too; it holds no data.
const IGNORED = ['LOCK']

async function makeLevelDBDirectory (dir: string, random: Random): Promise<void> {
  const db = await classicOpen(dir, { writeBufferSize: 64 * 1024 })
  const model = new Model()
  const keys: Buffer[] = []
  try {
    for (let i = 0; i < 10; i++) {
      const ops = randomOperations(random, keys, 100, `v${i}`, 0.2)
      await classicWrite(db, ops)
      model.apply(ops)
    }
    await db.compactRange(Buffer.alloc(0), Buffer.alloc(16, 0xff))
    await classicWrite(db, randomOperations(random, keys, 20, 'tail', 0.2))
  } finally {
    await classicClose(db)
  }
}

function manifestPath (dir: string): string {
  return path.join(dir, fs.readFileSync(path.join(dir, 'CURRENT'), 'latin1').trim())
}

function readRecords (file: string): Buffer[] {
  const raf = defaultEnv.newRandomAccessFile(file)
  try {
    const reader = new LogReader(raf, { checksum: true })
    const records: Buffer[] = []
    for (let record = reader.readRecord(); record !== null; record = reader.readRecord()) records.push(Buffer.from(record))
    return records
  } finally {
    raf.close()
  }
}

function writeRecords (file: string, records: readonly Buffer[]): void {
  const out = defaultEnv.newWritableFile(file)
  try {
    const writer = new LogWriter(out)
    for (const record of records) writer.addRecord(record)
    out.sync()
  } finally {
    out.close()
  }
}

/** Opens with AiDb expecting failure; returns the error (or undefined if the open succeeded). */
async function failedAiOpen (dir: string, options = {}): Promise<Error | undefined> {
  try {
    const db = await aiOpen(dir, options)
    await aiClose(db)
    return undefined
  } catch (err) {
    return err as Error
  }
}

async function failedClassicOpen (dir: string): Promise<Error | undefined> {
  try {
    const db = await classicOpen(dir)
    await classicClose(db)
    return undefined
  } catch (err) {
    return err as Error
  }
}

function causeMessage (err: Error | undefined): string {
  const cause = (err as { cause?: Error } | undefined)?.cause
  return `${err?.message ?? 'no error'}${cause !== undefined ? ` (${cause.message})` : ''}`
}

test('interop: a MANIFEST naming an unknown comparator is refused, and nothing changes', async (t) => {
  const random = seeded(t, 21)
  await withTempDir('bad-comparator', async (dir) => {
    await makeLevelDBDirectory(dir, random)
    const manifest = manifestPath(dir)
    const records = readRecords(manifest)
    const first = VersionEdit.decode(records[0])
    t.equal(first.comparator, 'leveldb.BytewiseComparator', 'LevelDB records its comparator in the first edit')
    first.comparator = 'foo.Comparator'
    records[0] = first.encode()
    writeRecords(manifest, records)

    const before = snapshotDir(dir, IGNORED)
    const err = await failedAiOpen(dir)
    t.ok(err !== undefined, `AiDb refuses to open: ${err?.message}`)
    t.equal(errorCode(err), 'LEVEL_CORRUPTION', 'with code LEVEL_CORRUPTION')
    t.ok(err?.message.includes('foo.Comparator'), 'the message names the comparator')
    t.equal(describeSnapshotChange(before, snapshotDir(dir, IGNORED)), 'nothing changed', 'the failed open changed nothing in the directory')

    const classicErr = await failedClassicOpen(dir)
    t.ok(classicErr !== undefined && /foo\.Comparator/.test(causeMessage(classicErr)), `LevelDB refuses it too: ${causeMessage(classicErr)}`)
  })
})

test('interop: a MANIFEST edit with an unknown tag is refused, and nothing changes', async (t) => {
  const random = seeded(t, 22)
  await withTempDir('bad-tag', async (dir) => {
    await makeLevelDBDirectory(dir, random)
    const manifest = manifestPath(dir)
    // Tag 42 followed by a varint, as a newer format's edit might be: appended as a further record.
    const records = readRecords(manifest)
    records.push(Buffer.from([42, 1]))
    writeRecords(manifest, records)

    const before = snapshotDir(dir, IGNORED)
    const err = await failedAiOpen(dir)
    t.ok(err !== undefined, `AiDb refuses to open: ${err?.message}`)
    t.equal(errorCode(err), 'LEVEL_CORRUPTION', 'with code LEVEL_CORRUPTION')
    t.equal(describeSnapshotChange(before, snapshotDir(dir, IGNORED)), 'nothing changed', 'the failed open changed nothing in the directory')

    const classicErr = await failedClassicOpen(dir)
    t.ok(classicErr !== undefined, `LevelDB refuses it too: ${causeMessage(classicErr)}`)
  })
})

test('interop: a missing CURRENT with createIfMissing false is refused, and nothing changes', async (t) => {
  const random = seeded(t, 23)
  await withTempDir('no-current', async (dir) => {
    await makeLevelDBDirectory(dir, random)
    fs.rmSync(path.join(dir, 'CURRENT'))
    const before = snapshotDir(dir, IGNORED)
    const err = await failedAiOpen(dir, { createIfMissing: false })
    t.ok(err !== undefined, `AiDb refuses to open: ${err?.message}`)
    t.equal(describeSnapshotChange(before, snapshotDir(dir, IGNORED)), 'nothing changed', 'the failed open changed nothing in the directory')
  })
})

// LevelDB 1.20 itself, with create_if_missing, treats such a directory as new: it writes a fresh
// MANIFEST and CURRENT, replays only the logs and deletes every table (silent data loss). AiDb must
// instead refuse, so that repairDatabase can still salvage the tables.
test('interop: a missing CURRENT next to database files is refused even with createIfMissing, and nothing changes', async (t) => {
  const random = seeded(t, 25)
  await withTempDir('no-current-create', async (dir) => {
    await makeLevelDBDirectory(dir, random)
    fs.rmSync(path.join(dir, 'CURRENT'))
    const before = snapshotDir(dir, IGNORED)
    const err = await failedAiOpen(dir, { createIfMissing: true })
    t.ok(err !== undefined, `AiDb refuses to open: ${err?.message}`)
    t.equal(errorCode(err), 'LEVEL_CORRUPTION', 'with code LEVEL_CORRUPTION')
    t.equal(describeSnapshotChange(before, snapshotDir(dir, IGNORED)), 'nothing changed', 'the failed open changed nothing in the directory')
  })
})

test('interop: a CURRENT naming a missing MANIFEST is refused, and nothing changes', async (t) => {
  const random = seeded(t, 24)
  await withTempDir('missing-manifest', async (dir) => {
    await makeLevelDBDirectory(dir, random)
    fs.rmSync(manifestPath(dir))
    const before = snapshotDir(dir, IGNORED)
    const err = await failedAiOpen(dir)
    t.ok(err !== undefined, `AiDb refuses to open: ${err?.message}`)
    t.ok(['LEVEL_CORRUPTION', 'LEVEL_IO_ERROR'].includes(errorCode(err) ?? ''), `with code ${errorCode(err)}`)
    t.equal(describeSnapshotChange(before, snapshotDir(dir, IGNORED)), 'nothing changed', 'the failed open changed nothing in the directory')
  })
})
