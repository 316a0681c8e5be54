// The OPFS Env's name journal and directory handling, on an in-memory OPFS (test/util/fake-opfs.ts)
// with Chromium's rules for sync access handles. The same engine runs on the real OPFS in Chromium
// (test/browser/*.worker.ts); these tests pin the bookkeeping: files keep their physical names
// while a database is open, get their LevelDB names when it closes or after a crash, and
// nothing a crash leaves is lost or misnamed.
import path from 'node:path'
import test from 'tape'
import { ClassicLevel } from 'classic-level'
import { DB } from '../../lib/db/db'
import { destroyDatabase } from '../../lib/db/destroy'
import { NAMES_JOURNAL, OpfsEnv, OpfsWritableFile, parseJournal, replayJournal, type JournalRecord, type OpfsSyncAccessHandle } from '../../lib/env/opfs-env'
import { defaultEnv } from '../../lib/env/node-env'
import { exportDirectory, importDirectory } from '../../lib/browser/directory-transfer'
import { errorCode } from '../../lib/util/errors'
import { crc32cOf } from '../../lib/format/crc32c'
import { FakeDirectory } from '../util/fake-opfs'
import { createRandom, testSeed } from '../util/random'
import { scan } from '../util/db'
import { keyOf, put } from '../db/db-helpers'
import { removeDir, tempDir } from '../util/temp-dir'

const OPTIONS = { writeBufferSize: 16 * 1024, backgroundWorker: false }

function envOn (root: FakeDirectory): OpfsEnv {
  return new OpfsEnv({ root: async () => root })
}

async function fill (db: DB, count: number, label: string): Promise<Map<string, string>> {
  const model = new Map<string, string>()
  for (let i = 0; i < count; i++) {
    const value = `${label}-${i}-` + 'v'.repeat(100)
    await put(db, keyOf(i), value)
    model.set(keyOf(i), value)
  }
  return model
}

async function subdirectory (root: FakeDirectory, name: string): Promise<FakeDirectory> {
  return await root.getDirectoryHandle(name)
}

test('opfs env: a database written, closed and reopened keeps its data, under LevelDB names only', async (t) => {
  const root = new FakeDirectory('')
  const db = await DB.open('/db', { ...OPTIONS, env: envOn(root) })
  const model = await fill(db, 3000, 'a')
  await db.compactRange(null, null)
  const whileOpen = (await subdirectory(root, 'db')).names()
  t.ok(whileOpen.some(name => name.startsWith('~opfs-spare-')), 'while open, new files live under spare names')
  await db.close()
  const names = (await subdirectory(root, 'db')).names()
  t.deepEqual(names.filter(name => name.startsWith('~')), [], `after close no internal file is left (${names.join(' ')})`)
  t.ok(names.includes('CURRENT') && names.some(name => name.endsWith('.ldb')) && names.some(name => name.startsWith('MANIFEST-')), 'CURRENT, a MANIFEST and tables are there')

  const reopened = await DB.open('/db', { ...OPTIONS, env: envOn(root) })
  t.deepEqual(scan(reopened), [...model].sort(), 'a fresh Env reads every entry back')
  await reopened.close()
})

test('opfs env: after a crash (every handle dropped), reopening settles the names and loses nothing acknowledged', async (t) => {
  const seed = testSeed(2207)
  t.comment(`seed ${seed}`)
  const random = createRandom(seed)
  const root = new FakeDirectory('')
  let model = new Map<string, string>()
  for (let round = 0; round < 3; round++) {
    const db = await DB.open('/db', { ...OPTIONS, env: envOn(root) })
    t.deepEqual(scan(db), [...model].sort(), `round ${round}: every write acknowledged before the crash is there`)
    model = new Map([...model, ...await fill(db, 500 + random.int(2000), `r${round}`)])
    // Killed: no close, no unlock; the old Env is dropped with its handles.
    root.crash()
  }
  const db = await DB.open('/db', { ...OPTIONS, env: envOn(root) })
  t.deepEqual(scan(db), [...model].sort(), 'the last round is there too')
  await db.close()
  t.deepEqual((await subdirectory(root, 'db')).names().filter(name => name.startsWith('~')), [], 'no internal file is left after a clean close')
})

test('opfs env: a second open of a held directory fails with LEVEL_LOCKED, from this Env or another', async (t) => {
  const root = new FakeDirectory('')
  const env = envOn(root)
  const db = await DB.open('/db', { ...OPTIONS, env })
  for (const [label, other] of [['the same Env', env], ['another Env', envOn(root)]] as const) {
    const err = await DB.open('/db', { ...OPTIONS, env: other }).then(() => null, (e: unknown) => e)
    t.is(errorCode(err), 'LEVEL_LOCKED', `${label}: LEVEL_LOCKED`)
  }
  await db.close()
  const again = await DB.open('/db', { ...OPTIONS, env: envOn(root) })
  t.pass('opens once the holder closed')
  await again.close()
})

// WebKit (Safari) refuses a held file with InvalidStateError, has no 'readwrite-unsafe' and only
// move(directory, name): the same database life on its rules. WebKitGTK itself cannot run it (it has
// no sync access handles at all; docs/testing.md), so these rules are WebKit's source, checked here.
test('opfs env: under WebKit\'s rules a database is locked, shared with no job worker, renamed at close and recovered', async (t) => {
  const root = new FakeDirectory('', 'webkit')
  const env = envOn(root)
  const db = await DB.open('/db', { ...OPTIONS, env })
  t.is(env.sharesFiles, false, 'no file is shared with a job worker')
  const model = await fill(db, 3000, 'w')
  const err = await DB.open('/db', { ...OPTIONS, env: envOn(root) }).then(() => null, (e: unknown) => e)
  t.is(errorCode(err), 'LEVEL_LOCKED', `a second Env gets LEVEL_LOCKED (${(err as Error | null)?.message})`)
  const waiting = DB.open('/db', { ...OPTIONS, lockTimeout: 20000, env: envOn(root) })
  await new Promise(resolve => setTimeout(resolve, 50))
  await db.close()
  const waited = await waiting
  t.pass('one waiting with lockTimeout gets in once the holder closed')
  t.deepEqual(scan(waited), [...model].sort(), 'and finds every entry')
  await fill(waited, 500, 'x')
  root.crash()
  const recovered = await DB.open('/db', { ...OPTIONS, env: envOn(root) })
  t.is(scan(recovered).length, 3000, 'after a crash the reopen settles the names and finds every key')
  await recovered.close()
  t.deepEqual((await subdirectory(root, 'db')).names().filter(name => name.startsWith('~')), [], 'the close gave every file its LevelDB name')
})

test('opfs env: a read-only open is refused with LEVEL_NOT_SUPPORTED and leaves the directory free', async (t) => {
  const root = new FakeDirectory('')
  const db = await DB.open('/db', { ...OPTIONS, env: envOn(root) })
  await fill(db, 10, 'a')
  await db.close()
  const before = (await subdirectory(root, 'db')).names()
  const err = await DB.open('/db', { ...OPTIONS, readOnly: true, env: envOn(root) }).then(() => null, (e: unknown) => e)
  t.is(errorCode(err), 'LEVEL_NOT_SUPPORTED', 'read-only: LEVEL_NOT_SUPPORTED')
  t.deepEqual((await subdirectory(root, 'db')).names(), before, 'the directory is unchanged')
  const again = await DB.open('/db', { ...OPTIONS, env: envOn(root) })
  t.pass('a writer opens it afterwards: the refused open held nothing')
  await again.close()
})

test('opfs env: when no new file can be made, writes fail with a coded error instead of waiting forever', { timeout: 60000 }, async (t) => {
  const root = new FakeDirectory('')
  const db = await DB.open('/db', { ...OPTIONS, env: envOn(root) })
  ;(await subdirectory(root, 'db')).refuseNewFiles = true
  let err: unknown = null
  for (let i = 0; i < 20000 && err === null; i++) {
    await put(db, keyOf(i), 'v'.repeat(100)).catch((e: unknown) => { err = e })
  }
  t.is(errorCode(err), 'LEVEL_IO_ERROR', `a write is refused: ${(err as Error | null)?.message}`)
  await db.close().catch(() => {})
})

test('opfs env: destroy removes the database directory', async (t) => {
  const root = new FakeDirectory('')
  const env = envOn(root)
  const db = await DB.open('/a/b', { ...OPTIONS, env })
  await fill(db, 100, 'x')
  await db.close()
  await destroyDatabase('/a/b', env)
  await env.loadDirectory('/elsewhere', true)
  t.deepEqual((await subdirectory(root, 'a')).names(), [], 'the directory is gone once the Env has done what it queued')
})

test('opfs env: the journal replays renames atomically and follows moves that happened', (t) => {
  const records: JournalRecord[] = [
    { name: '000005.log', file: '~opfs-spare-0' },
    { name: 'MANIFEST-000006', file: '~opfs-spare-1' },
    { name: 'CURRENT', file: '~opfs-spare-2', from: '000007.dbtmp' },
    { name: 'OLD' },
    { moved: '~opfs-spare-0', to: '000005.log' },
    { moved: '~opfs-spare-1', to: 'MANIFEST-000006' }
  ]
  const physical = new Set(['CURRENT', 'OLD', 'LOCK', NAMES_JOURNAL, '000005.log', '~opfs-spare-1', '~opfs-spare-2'])
  const names = replayJournal(physical, records)
  t.deepEqual([...names].sort(), [
    ['000005.log', '000005.log'],
    ['CURRENT', '~opfs-spare-2'],
    ['MANIFEST-000006', '~opfs-spare-1']
  ], 'a move whose source is gone happened; one whose source is still there did not; the old CURRENT and OLD are no one\'s')
  t.end()
})

test('opfs env: replay tells which two-phase moves a crash let happen, even where a name was vacated and filled again', (t) => {
  // LOG was renamed LOG.old and a new LOG made; settling moves both aside, then to their names.
  const records: JournalRecord[] = [
    { name: 'LOG.old', file: 'LOG', from: 'LOG' },
    { name: 'LOG', file: '~opfs-spare-3' },
    { moved: 'LOG', to: '~opfs-moving-k-0' },
    { moved: '~opfs-spare-3', to: '~opfs-moving-k-1' },
    { moved: '~opfs-moving-k-0', to: 'LOG.old' },
    { moved: '~opfs-moving-k-1', to: 'LOG' }
  ]
  // The second phase is recorded only once every move of the first is made.
  const firstPhase = records.slice(0, 4)
  const cases: Array<[string, string[], JournalRecord[], Array<[string, string]>]> = [
    ['no move made', ['LOG', '~opfs-spare-3'], firstPhase, [['LOG', '~opfs-spare-3'], ['LOG.old', 'LOG']]],
    ['the first move made', ['~opfs-moving-k-0', '~opfs-spare-3'], firstPhase, [['LOG', '~opfs-spare-3'], ['LOG.old', '~opfs-moving-k-0']]],
    ['the first phase made', ['~opfs-moving-k-0', '~opfs-moving-k-1'], records, [['LOG', '~opfs-moving-k-1'], ['LOG.old', '~opfs-moving-k-0']]],
    ['one move of the second phase made', ['LOG.old', '~opfs-moving-k-1'], records, [['LOG', '~opfs-moving-k-1'], ['LOG.old', 'LOG.old']]],
    ['every move made', ['LOG.old', 'LOG'], records, [['LOG', 'LOG'], ['LOG.old', 'LOG.old']]]
  ]
  for (const [label, files, recorded, expected] of cases) {
    t.deepEqual([...replayJournal(new Set(files), recorded)].sort(), expected, label)
  }
  t.end()
})

test('opfs env: a crash in the middle of settling names at close loses no file and no name', async (t) => {
  for (const movesBeforeCrash of [0, 1, 3, 7]) {
    const root = new FakeDirectory('')
    // Two sessions, so the second renames LOG to LOG.old.
    for (const label of ['first', 'second']) {
      const db = await DB.open('/db', { ...OPTIONS, env: envOn(root) })
      await fill(db, 1500, label)
      if (label === 'first') await db.close()
      else {
        const dir = await subdirectory(root, 'db')
        dir.movesBeforeCrash = movesBeforeCrash
        const closed = await db.close().then(() => 'closed', (e: unknown) => `failed: ${(e as Error).message}`)
        t.comment(`close with ${movesBeforeCrash} moves before the crash: ${closed}`)
        dir.movesBeforeCrash = undefined
        root.crash()
      }
    }
    const before = await exportDirectory('/db', envOn(root))
    const names = before.map(file => file.name)
    t.ok(names.includes('LOG') && names.includes('LOG.old') && names.includes('CURRENT'), `crash after ${movesBeforeCrash} moves: LOG, LOG.old and CURRENT are there (${names.join(' ')})`)
    const bytesOf = (name: string): Buffer => Buffer.from(before.find(file => file.name === name)?.bytes ?? [])
    t.ok(!bytesOf('LOG.old').equals(bytesOf('LOG')), 'LOG.old is the first session\'s log, not a second name for the new one')
    const db = await DB.open('/db', { ...OPTIONS, env: envOn(root) })
    t.is(scan(db).length, 1500, 'every entry is there')
    await db.close()
    t.deepEqual((await subdirectory(root, 'db')).names().filter(name => name.startsWith('~')), [], 'no internal file is left')
  }
})

test('opfs env: a torn or damaged last journal line ends the records', (t) => {
  const line = (record: JournalRecord): string => {
    const json = JSON.stringify(record)
    const crc = crc32cHex(Buffer.from(json))
    return `${crc} ${json}\n`
  }
  const good = line({ name: 'A', file: 'B' })
  const text = good + line({ name: 'C' }).slice(0, -1)
  t.deepEqual(parseJournal(Buffer.from(text)), [{ name: 'A', file: 'B' }], 'a line without its newline is torn')
  const damaged = good + line({ name: 'C' }).replace('"C"', '"D"')
  t.deepEqual(parseJournal(Buffer.from(damaged)), [{ name: 'A', file: 'B' }], 'a line whose CRC does not match is damage')
  t.end()
})

function crc32cHex (bytes: Uint8Array): string {
  return crc32cOf(bytes).toString(16).padStart(8, '0')
}

test('opfs env: a classic-level database imported into OPFS opens, and exported back opens in classic-level', async (t) => {
  const dir = tempDir('opfs-transfer')
  t.teardown(() => removeDir(dir))
  const source = path.join(dir, 'source')
  const classic = new ClassicLevel<string, string>(source)
  const entries = Array.from({ length: 2000 }, (_, i) => [keyOf(i), `classic-${i}`] as [string, string])
  await classic.batch(entries.map(([key, value]) => ({ type: 'put', key, value })))
  await classic.close()

  const root = new FakeDirectory('')
  await importDirectory('/imported', await exportDirectory(source, defaultEnv), envOn(root))
  const db = await DB.open('/imported', { ...OPTIONS, env: envOn(root) })
  t.deepEqual(scan(db), entries, 'the OPFS copy holds what classic-level wrote')
  await put(db, 'zz-opfs', 'written in OPFS')
  await db.close()

  const importErr = await importDirectory('/imported', [], envOn(root)).then(() => null, (e: unknown) => e)
  t.is(errorCode(importErr), 'LEVEL_INVALID_VALUE', 'an import never replaces a database')

  const back = path.join(dir, 'back')
  await importDirectory(back, await exportDirectory('/imported', envOn(root)), defaultEnv)
  const reopened = new ClassicLevel<string, string>(back)
  t.deepEqual(await reopened.iterator().all(), [...entries, ['zz-opfs', 'written in OPFS']], 'classic-level reads the exported copy, with the write made in OPFS')
  await reopened.close()
})

// A sync access handle that records each call: Chromium makes every write() an fstat, a pwrite and
// a message to the browser process, so the number of writes is what a put costs there.
class CountingHandle implements OpfsSyncAccessHandle {
  readonly calls: string[] = []
  bytes = new Uint8Array(0)
  read (): number { throw new Error('not read here') }
  write (buffer: Uint8Array, options: { at?: number } = {}): number {
    const at = options.at ?? 0
    this.calls.push(`write ${at} ${buffer.length}`)
    const grown = new Uint8Array(Math.max(this.bytes.length, at + buffer.length))
    grown.set(this.bytes)
    grown.set(buffer, at)
    this.bytes = grown
    return buffer.length
  }

  truncate (): void { this.calls.push('truncate') }
  getSize (): number { return this.bytes.length }
  flush (): void { this.calls.push('flush') }
  close (): void { this.calls.push('close') }
}

test('opfs env: a writable file buffers appends and writes them with one write() at flush, sync and close', (t) => {
  const handle = new CountingHandle()
  let closed = false
  const file = new OpfsWritableFile(handle, 10, () => { closed = true })
  file.append(Buffer.from('head'))
  file.append(Buffer.from('-payload'))
  t.deepEqual(handle.calls, [], 'appends alone write nothing')
  file.flush()
  t.deepEqual(handle.calls, ['write 10 12'], 'flush writes both appends with one call, at the starting position')
  file.flush()
  t.deepEqual(handle.calls, ['write 10 12'], 'a flush with nothing buffered writes nothing')
  file.append(Buffer.from('x'))
  file.sync()
  t.deepEqual(handle.calls.slice(1), ['write 22 1', 'flush'], 'sync writes what is buffered, then flushes the handle')
  const large = Buffer.alloc(100 * 1024, 7)
  file.append(Buffer.from('y'))
  file.append(large)
  t.deepEqual(handle.calls.slice(3), ['write 23 1', `write 24 ${large.length}`], 'an append larger than the buffer is written at once, after what was buffered')
  file.append(Buffer.from('tail'))
  file.close()
  t.deepEqual(handle.calls.slice(5), [`write ${24 + large.length} 4`], 'close writes the rest (the handle stays the Env\'s)')
  t.ok(closed, 'and tells the Env the file is closed')
  t.is(Buffer.from(handle.bytes.subarray(10, 24)).toString(), 'head-payloadxy', 'the bytes are in order')
  t.end()
})
