// readOnly: true. Read-only opens share the lock on LOCK with each other, in one process and
// across processes, and keep every writer (AiLevel, classic-level) out; a writer keeps them out.
// They change nothing in the directory (file names, sizes, bytes and times are compared before
// and after), read the writes still in logs (replayed into memory), work where the process cannot
// write the directory, and refuse every write with LEVEL_READONLY.
import { fork, type ChildProcess } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import tape from 'tape'
import { ClassicLevel } from 'classic-level'
import { AiLevel } from '../../index'
import { DB } from '../../lib/db/db'
import { WriteBatch } from '../../lib/format/write-batch'
import { NodeEnv } from '../../lib/env/node-env'
import { pidFileLockStrategy } from '../../lib/env/locks/file-lock'
import { codeOf } from './workload'
import { removeDir, tempDir } from '../util/temp-dir'
import type { ReaderMessage } from './read-only-reader'

const keyOf = (i: number): string => `key${String(i).padStart(5, '0')}`

// The names, sizes, modification times and bytes of every file in the directory.
function directoryState (dir: string): string[] {
  return fs.readdirSync(dir).sort().map(name => {
    const file = path.join(dir, name)
    const stat = fs.statSync(file)
    const digest = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')
    return `${name} ${stat.size} ${stat.mtimeMs} ${digest}`
  })
}

// What the database should hold after writeHistory(): overwrites and deletes included.
function expectedEntries (count: number): Array<[string, string]> {
  const entries: Array<[string, string]> = []
  for (let i = 0; i < count; i++) {
    if (i % 7 === 3) continue
    entries.push([keyOf(i), i % 5 === 0 ? `second-${i}` : `value-${i}`])
  }
  return entries
}

async function writeHistory (db: { put (k: string, v: string): Promise<void>, del (k: string): Promise<void>, batch (ops: Array<{ type: 'put', key: string, value: string }>): Promise<void> }, count: number): Promise<void> {
  for (let i = 0; i < count; i += 50) {
    const ops: Array<{ type: 'put', key: string, value: string }> = []
    for (let j = i; j < Math.min(count, i + 50); j++) ops.push({ type: 'put', key: keyOf(j), value: `value-${j}` })
    await db.batch(ops)
  }
  for (let i = 0; i < count; i += 5) await db.put(keyOf(i), `second-${i}`)
  for (let i = 3; i < count; i += 7) await db.del(keyOf(i))
}

async function entriesOf (db: { iterator (): AsyncIterable<[string, string]> }): Promise<Array<[string, string]>> {
  const entries: Array<[string, string]> = []
  for await (const entry of db.iterator()) entries.push(entry)
  return entries
}

// `wrappers`: the codes of the errors around the expected one, outermost first.
async function expectOpenFails (t: tape.Test, db: { open (): Promise<void>, close (): Promise<void> }, label: string, wrappers = ['LEVEL_DATABASE_NOT_OPEN'], code = 'LEVEL_LOCKED'): Promise<void> {
  try {
    await db.open()
    t.fail(`${label}: opened`)
    await db.close()
  } catch (err) {
    let inner = err as { cause?: unknown }
    for (const wrapper of wrappers) {
      t.is(codeOf(inner), wrapper, `${label}: ${wrapper}`)
      inner = inner.cause as typeof inner
    }
    t.is(codeOf(inner), code, `${label}: ${code}`)
  }
}

async function expectRejects (t: tape.Test, operation: () => Promise<unknown>, code: string, label: string): Promise<void> {
  try {
    await operation()
    t.fail(`${label}: succeeded`)
  } catch (err) {
    t.is(codeOf(err), code, `${label}: ${code}`)
  }
}

interface Child {
  child: ChildProcess
  first: ReaderMessage
}

function nextMessage<T> (child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    child.once('message', (m: T) => resolve(m))
    child.once('exit', code => reject(new Error(`child exited with code ${code}`)))
  })
}

async function startReader (location: string, lock: 'os' | 'pid-file' = 'os', user = ''): Promise<Child> {
  const child = fork(path.join(__dirname, 'read-only-reader.js'), [location, lock, user], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  return { child, first: await nextMessage<ReaderMessage>(child) }
}

// A writer in another process (lock-holder.ts): 'ai', 'classic' or 'ai-pid-file'.
async function startWriter (kind: string, location: string): Promise<{ child: ChildProcess, first: { opened?: boolean, failed?: string, cause?: string } }> {
  const child = fork(path.join(__dirname, 'lock-holder.js'), [kind, location], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  return { child, first: await nextMessage(child) }
}

async function closeChild (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || !child.connected) return
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
  child.send('close')
  await exited
}

async function makeDatabase (location: string, count: number): Promise<void> {
  const db = new AiLevel(location)
  await db.open()
  await writeHistory(db, count)
  await db.close()
}

tape('readOnly: read-only opens in one process share the lock and keep AiLevel and classic-level writers out', async (t) => {
  const dir = tempDir('ro-share')
  const location = path.join(dir, 'db')
  try {
    await makeDatabase(location, 300)
    const a = new AiLevel(location, { readOnly: true })
    const b = new AiLevel(location, { readOnly: true })
    await a.open()
    await b.open()
    t.same(await entriesOf(a), expectedEntries(300), 'the first reads everything')
    t.same(await entriesOf(b), expectedEntries(300), 'so does the second, open at the same time')
    t.is(a.getProperty('aidb.lock'), 'fcntl', 'holds an fcntl lock')
    await expectOpenFails(t, new AiLevel(location), 'an AiLevel writer in the same process')
    await expectOpenFails(t, new ClassicLevel(location), 'a classic-level writer in the same process')
    await expectRejects(t, async () => AiLevel.destroy(location), 'LEVEL_LOCKED', 'destroy')
    await expectRejects(t, async () => AiLevel.repair(location), 'LEVEL_LOCKED', 'repair')
    await a.close()
    await expectOpenFails(t, new AiLevel(location), 'a writer while one reader is still open')
    await b.close()
    const writer = new AiLevel(location)
    await writer.open()
    t.is(await writer.get(keyOf(1)), 'value-1', 'a writer opens once every reader has closed')
    await expectOpenFails(t, new AiLevel(location, { readOnly: true }), 'a read-only open beside a writer in the same process')
    await writer.close()
  } finally {
    removeDir(dir)
  }
})

for (const kind of ['ai', 'classic']) {
  tape(`readOnly: ${kind === 'ai' ? 'an AiLevel' : 'a classic-level'} writer in another process makes a read-only open fail with LEVEL_LOCKED`, async (t) => {
    const dir = tempDir('ro-writer')
    const location = path.join(dir, 'db')
    try {
      await makeDatabase(location, 50)
      const writer = await startWriter(kind, location)
      t.ok(writer.first.opened, 'the writer holds the database')
      await expectOpenFails(t, new AiLevel(location, { readOnly: true }), 'read-only open')
      const reader = await startReader(location)
      t.is(reader.first.failed, 'LEVEL_LOCKED', 'a read-only open in a third process: LEVEL_LOCKED')
      await closeChild(writer.child)
      const db = new AiLevel(location, { readOnly: true })
      await db.open()
      t.same(await entriesOf(db), expectedEntries(50), 'opens read-only once the writer is gone')
      await db.close()
    } finally {
      removeDir(dir)
    }
  })
}

tape('readOnly: many read-only processes read at once while no writer can open', async (t) => {
  const dir = tempDir('ro-many')
  const location = path.join(dir, 'db')
  try {
    await makeDatabase(location, 400)
    const before = directoryState(location)
    const readers: Child[] = []
    for (let i = 0; i < 3; i++) readers.push(await startReader(location))
    const here = new AiLevel(location, { readOnly: true })
    await here.open()
    readers.forEach((reader, i) => {
      t.ok(reader.first.opened, `reader process ${i} opened`)
      t.same(reader.first.entries, expectedEntries(400), `reader process ${i} read every entry`)
    })
    t.same(await entriesOf(here), expectedEntries(400), 'and so did this process, beside them')
    await expectOpenFails(t, new AiLevel(location), 'an AiLevel writer')
    const aiWriter = await startWriter('ai', location)
    t.is(aiWriter.first.cause, 'LEVEL_LOCKED', 'an AiLevel writer in another process: LEVEL_LOCKED')
    t.same(directoryState(location), before, 'the directory is unchanged')
    // Checked after the comparison: LevelDB moves LOG to LOG.old and starts a new LOG before it
    // tries the lock (SanitizeOptions), so a classic-level open changes the directory even when refused.
    await expectOpenFails(t, new ClassicLevel(location), 'a classic-level writer')
    const classicWriter = await startWriter('classic', location)
    t.is(classicWriter.first.cause, 'LEVEL_LOCKED', 'a classic-level writer in another process: LEVEL_LOCKED')
    for (const reader of readers) await closeChild(reader.child)
    await here.close()
    const writer = new AiLevel(location)
    await writer.open()
    await writer.put('after', 'readers')
    t.is(await writer.get('after'), 'readers', 'a writer opens and writes once they are gone')
    await writer.close()
  } finally {
    removeDir(dir)
  }
})

tape('readOnly: a classic-level directory whose writes are all in its log opens read-only and stays byte-identical', async (t) => {
  const dir = tempDir('ro-classic')
  const location = path.join(dir, 'db')
  try {
    const classic = new ClassicLevel(location)
    await classic.open()
    await writeHistory(classic, 2000)
    await classic.close()
    const names = fs.readdirSync(location)
    t.ok(names.some(name => name.endsWith('.log') && fs.statSync(path.join(location, name)).size > 0), 'classic-level left its writes in a log')
    t.notOk(names.some(name => name.endsWith('.ldb')), 'and wrote no table')
    const before = directoryState(location)

    const db = new AiLevel(location, { readOnly: true })
    await db.open()
    t.same(await entriesOf(db), expectedEntries(2000), 'every entry, overwrite and delete in the log is read')
    t.is(await db.get(keyOf(20)), 'second-20', 'get sees the overwrite')
    t.is(await db.get(keyOf(3)), undefined, 'and the delete')
    t.is(db.getProperty('leveldb.num-files-at-level0'), '0', 'the log was not turned into a table')
    await db.close()
    t.same(directoryState(location), before, 'file list, sizes, times and bytes are unchanged: no LOG, MANIFEST, log or table was written')

    fs.rmSync(path.join(location, 'LOCK'))
    const withoutLock = directoryState(location)
    const unlocked = new AiLevel(location, { readOnly: true })
    await unlocked.open()
    t.is(unlocked.getProperty('aidb.lock'), 'none', 'without LOCK it opens holding no lock')
    t.same(await entriesOf(unlocked), expectedEntries(2000), 'and reads everything')
    await expectOpenFails(t, new AiLevel(location), 'a writer in the same process is still kept out')
    await unlocked.close()
    t.same(directoryState(location), withoutLock, 'and creates no LOCK')
  } finally {
    removeDir(dir)
  }
})

tape('readOnly: every write method rejects with LEVEL_READONLY; reads, properties and snapshots work', async (t) => {
  const dir = tempDir('ro-writes')
  const location = path.join(dir, 'db')
  try {
    await makeDatabase(location, 100)
    const before = directoryState(location)
    const db = new AiLevel(location, { readOnly: true })
    t.is(db.supports.additionalMethods.compactRange, undefined, 'supports: no compactRange')
    t.ok(db.supports.additionalMethods.checkpoint, 'supports: checkpoint')
    t.is(db.supports.createIfMissing, false, 'supports: never creates')
    await db.open()
    await expectRejects(t, async () => db.put('k', 'v'), 'LEVEL_READONLY', 'put')
    await expectRejects(t, async () => db.put('k', 'v', { sync: true }), 'LEVEL_READONLY', 'put with sync')
    await expectRejects(t, async () => db.del(keyOf(1)), 'LEVEL_READONLY', 'del')
    await expectRejects(t, async () => db.batch([{ type: 'put', key: 'k', value: 'v' }]), 'LEVEL_READONLY', 'batch')
    await expectRejects(t, async () => db.batch().put('k', 'v').del(keyOf(2)).write(), 'LEVEL_READONLY', 'chained batch')
    await expectRejects(t, async () => db.clear(), 'LEVEL_READONLY', 'clear')
    await expectRejects(t, async () => db.clear({ gt: 'zzz' }), 'LEVEL_READONLY', 'clear of an empty range')
    await expectRejects(t, async () => db.compactRange('a', 'z'), 'LEVEL_READONLY', 'compactRange')
    await expectRejects(t, async () => db.sublevel('s').put('k', 'v'), 'LEVEL_READONLY', 'a sublevel\'s put')
    await expectRejects(t, async () => db.transaction(async (tx) => { tx.put('k', 'v') }), 'LEVEL_READONLY', 'a transaction\'s commit')
    const tx = db.transaction()
    t.is(await tx.get(keyOf(1)), 'value-1', 'a transaction reads')
    tx.put('k', 'v')
    await expectRejects(t, async () => tx.commit(), 'LEVEL_READONLY', 'commit of a transaction begun by hand')
    const snapshot = db.snapshot()
    t.is(await db.get(keyOf(5), { snapshot }), 'second-5', 'a snapshot reads')
    await snapshot.close()
    t.ok(db.getProperty('leveldb.stats').length > 0, 'getProperty works')
    t.same(await entriesOf(db), expectedEntries(100), 'nothing was written')
    await db.close()
    t.same(directoryState(location), before, 'the directory is unchanged')

    await expectRejects(t, async () => {
      const bad = new AiLevel(location, { readOnly: 'yes' as unknown as boolean })
      await bad.open()
    }, 'LEVEL_INVALID_VALUE', 'readOnly must be a boolean')
    const missing = path.join(dir, 'missing')
    await expectOpenFails(t, new AiLevel(missing, { readOnly: true }), 'a missing database', ['LEVEL_DATABASE_NOT_OPEN'], 'LEVEL_DATABASE_NOT_OPEN')
    t.notOk(fs.existsSync(missing), 'is not created')
  } finally {
    removeDir(dir)
  }
})

tape('readOnly: a checkpoint of a read-only database copies the logs its memtable was replayed from', async (t) => {
  const dir = tempDir('ro-checkpoint')
  const location = path.join(dir, 'db')
  const target = path.join(dir, 'copy')
  try {
    const classic = new ClassicLevel(location)
    await classic.open()
    await writeHistory(classic, 1000)
    await classic.compactRange(keyOf(0), keyOf(99999))
    for (let i = 0; i < 1000; i += 4) await classic.put(keyOf(i), `third-${i}`)
    await classic.close()
    const expected = new Map(expectedEntries(1000))
    for (let i = 0; i < 1000; i += 4) expected.set(keyOf(i), `third-${i}`)
    const before = directoryState(location)

    const db = new AiLevel(location, { readOnly: true })
    await db.open()
    await db.checkpoint(target)
    await db.close()
    t.same(directoryState(location), before, 'the source is unchanged')
    t.ok(fs.readdirSync(target).some(name => name.endsWith('.log')), 'the copy holds the log')

    const copy = new ClassicLevel(target)
    await copy.open()
    t.same(await entriesOf(copy), [...expected].sort((a, b) => a[0] < b[0] ? -1 : 1), 'classic-level reads every entry of the copy, the log\'s too')
    await copy.close()
    const mine = new AiLevel(target)
    await mine.open()
    t.is(await mine.get(keyOf(8)), 'third-8', 'so does AiLevel')
    await mine.close()
  } finally {
    removeDir(dir)
  }
})

// Tests run as root, who may write anywhere: the reader drops to the user nobody, for whom the
// directory (mode 0555) is read-only.
for (const lock of ['os', 'pid-file'] as const) {
  tape(`readOnly: opens a directory the process cannot write (as nobody, ${lock} lock)`, async (t) => {
    if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
      t.skip('needs root to drop privileges')
      return
    }
    const dir = tempDir('ro-perm')
    const location = path.join(dir, 'db')
    try {
      await makeDatabase(location, 500)
      fs.chmodSync(dir, 0o755)
      fs.chmodSync(location, 0o555)
      const before = directoryState(location)
      const reader = await startReader(location, lock, 'nobody')
      t.ok(reader.first.opened, 'opened read-only')
      t.is(reader.first.canWriteDir, false, 'the reader could not create a file there')
      t.is(reader.first.lockKind, lock === 'os' ? 'fcntl' : 'pid-file', `holding the ${lock} lock`)
      t.same(reader.first.entries, expectedEntries(500), 'read every entry, the log\'s included')
      if (lock === 'os') await expectOpenFails(t, new AiLevel(location), 'a writer that could write the directory is kept out')
      await closeChild(reader.child)
      t.same(directoryState(location), before, 'the directory is unchanged')
    } finally {
      removeDir(dir)
    }
  })
}

tape('readOnly with the pid-file lock: readers in several processes share it; writers and readers keep each other out', async (t) => {
  const dir = tempDir('ro-pid')
  const location = path.join(dir, 'db')
  const strategy = pidFileLockStrategy()
  const env = new NodeEnv(() => strategy)
  try {
    await makeDatabase(location, 80)
    const readers = [await startReader(location, 'pid-file'), await startReader(location, 'pid-file')]
    readers.forEach((reader, i) => t.same(reader.first.entries, expectedEntries(80), `reader process ${i} read everything`))
    const registered = fs.readdirSync(location).filter(name => name.startsWith('LOCK.reader.')).sort()
    t.same(registered, readers.map(r => `LOCK.reader.${r.child.pid}`).sort(), 'each reader registered itself')
    const here = await DB.open(location, { env, readOnly: true })
    t.is(here.getProperty('aidb.lock'), 'pid-file', 'a reader in this process too')
    await expectRejects(t, async () => DB.open(location, { env }), 'LEVEL_LOCKED', 'a pid-file writer in this process')
    const writer = await startWriter('ai-pid-file', location)
    t.is(writer.first.failed, 'LEVEL_LOCKED', 'a pid-file writer in another process: LEVEL_LOCKED')
    t.notOk(fs.existsSync(path.join(location, 'LOCK.pid')), 'which gave LOCK.pid back')
    for (const reader of readers) await closeChild(reader.child)
    await here.close()
    t.same(fs.readdirSync(location).filter(name => name.startsWith('LOCK.reader.')), [], 'the readers removed their registrations')

    const holder = await startWriter('ai-pid-file', location)
    t.ok(holder.first.opened, 'a pid-file writer opens once the readers are gone')
    const blocked = await startReader(location, 'pid-file')
    t.is(blocked.first.failed, 'LEVEL_LOCKED', 'a pid-file reader beside it: LEVEL_LOCKED')
    await expectRejects(t, async () => DB.open(location, { env, readOnly: true }), 'LEVEL_LOCKED', 'and in this process')
    await closeChild(holder.child)
  } finally {
    removeDir(dir)
  }
})

tape('readOnly: lookups that would make a table due for a seek compaction change nothing', async (t) => {
  const dir = tempDir('ro-seeks')
  const location = path.join(dir, 'db')
  try {
    // Overlapping tables (each flush's keys interleave with the others'), so most lookups search
    // more than one table in vain.
    const writer = await DB.open(location, { writeBufferSize: 8 * 1024, backgroundWorker: false })
    const batch = new WriteBatch()
    for (let round = 0; round < 3; round++) {
      for (let i = round; i < 900; i += 3) batch.put(Buffer.from(keyOf(i)), Buffer.from(`value-${i}`))
      await writer.write(batch)
      batch.clear()
      await writer.checkpoint(path.join(dir, `flush-${round}`))
    }
    const tables = [0, 1, 2].map(level => Number(writer.getProperty(`aidb.num-files-at-level${level}`)))
    t.ok(tables.reduce((a, b) => a + b, 0) >= 3, `overlapping tables at levels 0, 1, 2: ${tables.join(' ')}`)
    await writer.close()
    const before = directoryState(location)
    const db = await DB.open(location, { readOnly: true })
    let found = 0
    for (let pass = 0; pass < 20; pass++) {
      for (let i = 0; i < 900; i++) if (db.get(Buffer.from(keyOf(i)))?.toString() === `value-${i}`) found++
    }
    t.is(found, 20 * 900, 'every lookup finds its value')
    await new Promise(resolve => setTimeout(resolve, 100))
    await db.close()
    t.same(directoryState(location), before, 'no compaction ran: the directory is unchanged')
  } finally {
    removeDir(dir)
  }
})
