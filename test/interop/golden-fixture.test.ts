// The golden fixture: a small LevelDB directory made once by native LevelDB (classic-level) with
// test/interop/fixtures/make-classic-level-db.js and kept in the repository, so every run reads files that
// this code base did not write. It is opened from a copy: opening writes a new MANIFEST and log.
import fs from 'node:fs'
import path from 'node:path'
import test from 'tape'
import {
  aiClose, aiVerifyDir, classicVerifyDir, aiCompact, aiOpen, aiReader, aiWrite, Model,
  describeSnapshotChange, readTableLayout, snapshotDir, sstablesNumbers, tableFiles, verify, type Range
} from './helpers'
import { withTempDir } from '../util/temp-dir'

const FIXTURE_DIR = path.resolve(process.cwd(), 'test/interop/fixtures/classic-level-db')
const FIXTURE_JSON = path.resolve(process.cwd(), 'test/interop/fixtures/classic-level-db.json')

interface Fixture {
  files: string[]
  entries: Array<[string, string]>
  deleted: string[]
}

function loadModel (fixture: Fixture): Model {
  const model = new Model()
  // Deleted keys first, so the model knows them as deleted (a put then a delete).
  model.apply(fixture.deleted.flatMap(key => [
    { type: 'put' as const, key: Buffer.from(key), value: Buffer.alloc(0) },
    { type: 'del' as const, key: Buffer.from(key) }
  ]))
  model.apply(fixture.entries.map(([key, value]) => ({ type: 'put' as const, key: Buffer.from(key), value: Buffer.from(value) })))
  return model
}

function fixedRanges (): Range[] {
  const k = (s: string): Buffer => Buffer.from(s)
  return [
    {}, { reverse: true },
    { gte: k('key-0100'), lt: k('key-0200') }, { gte: k('key-0100'), lt: k('key-0200'), reverse: true },
    { gt: k('key-0003'), lte: k('key-0031') }, { gt: k('key-0003'), lte: k('key-0031'), reverse: true },
    { gte: k('key-0290') }, { lt: k('key-0010'), reverse: true },
    { gte: k('key-03'), limit: 5 }, { gt: k('key-0319'), reverse: true }, { gt: k('key-0319') },
    { gte: k('ключ') }, { lt: k('ключ'), reverse: true, limit: 3 }
  ]
}

test('interop: the golden classic-level fixture reads back exactly', async (t) => {
  const fixture = JSON.parse(fs.readFileSync(FIXTURE_JSON, 'utf8')) as Fixture
  const pristine = snapshotDir(FIXTURE_DIR)
  t.same(fs.readdirSync(FIXTURE_DIR).sort(), fixture.files, `fixture files: ${fixture.files.join(', ')}`)
  const fixtureTables = tableFiles(FIXTURE_DIR)
  t.ok(fixtureTables.length >= 2 && fixture.files.some(name => name.endsWith('.log')), 'the fixture has several tables and a log')
  t.ok(fixtureTables.every(name => readTableLayout(path.join(FIXTURE_DIR, name)).dataBlockTypes.includes(1)), 'its tables hold Snappy-compressed blocks')

  const model = loadModel(fixture)
  t.equal(model.live.size, fixture.entries.length, `${fixture.entries.length} live keys, ${fixture.deleted.length} deleted`)
  const ranges = fixedRanges()

  await withTempDir('golden', async (dir) => {
    fs.cpSync(FIXTURE_DIR, dir, { recursive: true })
    const db = await aiOpen(dir)
    try {
      await verify(t, 'AiDb reads the fixture', aiReader(db), model, ranges)
      const listed = sstablesNumbers(db.getProperty('aidb.sstables') ?? '')
      t.ok(fixtureTables.every(name => listed.includes(Number.parseInt(name, 10))), `aidb.sstables lists the fixture's tables (${listed.join(', ')})`)
      const ops = fixture.entries.filter((_, i) => i % 3 === 0).map(([key]) => ({ type: 'put' as const, key: Buffer.from(key), value: Buffer.from('rewritten by AiDb') }))
      await aiWrite(db, ops)
      model.apply(ops)
      await aiCompact(db)
      await verify(t, 'after AiDb rewrites and compacts the fixture', aiReader(db), model, ranges)
    } finally {
      await aiClose(db)
    }
    await classicVerifyDir(t, dir, 'LevelDB reads the result', model, ranges)
    await aiVerifyDir(t, dir, 'AiDb reopens it after LevelDB', model, ranges)
  })
  t.equal(describeSnapshotChange(pristine, snapshotDir(FIXTURE_DIR)), 'nothing changed', 'the fixture itself is untouched')
})
