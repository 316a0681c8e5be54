// Locking: an exclusive fcntl lock on LOCK, as LevelDB takes, plus an in-process table. A second
// open of one location fails with LEVEL_LOCKED (wrapped by abstract-level in
// LEVEL_DATABASE_NOT_OPEN, as classic-level does) whether it comes from this process or another,
// and whether the holder is AiLevel or classic-level; a crashed holder leaves no lock behind.
// With lockTimeout the open waits for the holder to let go instead, up to that many milliseconds.
import { fork, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import tape from 'tape'
import { ClassicLevel } from 'classic-level'
import { AiLevel } from '../../index'
import { codeOf } from './workload'
import { removeDir, tempDir, tempLocation } from '../util/temp-dir'
import { openWithPidFileLock } from './pid-file-db'

type Kind = 'ai' | 'ai-read' | 'classic' | 'ai-pid-file'

interface Holder {
  child: ChildProcess
  opened: boolean
  failed?: string
  cause?: string
}

interface HolderMessage {
  opened?: boolean
  failed?: string
  cause?: string
  closed?: boolean
}

function nextMessage (child: ChildProcess): Promise<HolderMessage> {
  return new Promise((resolve, reject) => {
    child.once('message', (m: HolderMessage) => resolve(m))
    child.once('exit', code => reject(new Error(`holder exited with code ${code}`)))
  })
}

async function startHolder (kind: Kind, location: string): Promise<Holder> {
  const child = fork(path.join(__dirname, 'lock-holder.js'), [kind, location], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const m = await nextMessage(child)
  return { child, opened: m.opened === true, failed: m.failed, cause: m.cause }
}

function exited (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise(resolve => child.once('exit', () => resolve()))
}

// `wrappers`: the codes of the errors around LEVEL_LOCKED, outermost first (abstract-level wraps
// the engine's in LEVEL_DATABASE_NOT_OPEN; the engine opened directly does not).
async function expectLocked (t: tape.Test, db: { open (): Promise<void>, close (): Promise<void> }, label: string, wrappers = ['LEVEL_DATABASE_NOT_OPEN']): Promise<void> {
  try {
    await db.open()
    t.fail(`${label}: opened a locked database`)
    await db.close()
  } catch (err) {
    let inner = err as { code?: unknown, cause?: unknown, message?: string }
    for (const code of wrappers) {
      t.is(codeOf(inner), code, `${label}: ${code}`)
      inner = inner.cause as typeof inner
    }
    t.is(codeOf(inner), 'LEVEL_LOCKED', `${label}: LEVEL_LOCKED (${String(inner?.message)})`)
  }
}

tape('a second AiLevel in the same process gets LEVEL_LOCKED, like classic-level', async (t) => {
  const dir = tempDir('lock')
  try {
    const a = new AiLevel(dir)
    await a.open()
    await expectLocked(t, new AiLevel(dir), 'second AiLevel')
    try {
      await AiLevel.destroy(dir)
      t.fail('destroy of an open database succeeded')
    } catch (err) {
      t.is(codeOf(err), 'LEVEL_LOCKED', 'destroy of an open database: LEVEL_LOCKED')
    }
    await a.put('k', 'v')
    await a.close()
    const b = new AiLevel(dir)
    await b.open()
    t.is(await b.get('k'), 'v', 'opens once the first one is closed')
    await b.close()

    // The reference behaviour this mirrors.
    const c1 = new ClassicLevel(path.join(dir, 'classic'))
    await c1.open()
    await expectLocked(t, new ClassicLevel(path.join(dir, 'classic')), 'classic-level itself')
    await c1.close()
  } finally {
    removeDir(dir)
  }
})

for (const [holderKind, openerKind] of [['ai', 'ai'], ['ai', 'classic'], ['classic', 'ai']] as Array<[Kind, Kind]>) {
  tape(`a database held by ${holderKind === 'ai' ? 'AiLevel' : 'classic-level'} in another process: ${openerKind === 'ai' ? 'AiLevel' : 'classic-level'} gets LEVEL_LOCKED`, async (t) => {
    const dir = tempDir('lock2')
    const location = path.join(dir, 'db')
    try {
      // Create it with the opener so both sides can read the format.
      const init = openerKind === 'ai' ? new AiLevel(location) : new ClassicLevel(location)
      await init.open()
      await init.put('before', '1')
      await init.close()

      const holder = await startHolder(holderKind, location)
      t.ok(holder.opened, 'the other process holds the database open')
      const opener = (): AiLevel | ClassicLevel => openerKind === 'ai' ? new AiLevel(location) : new ClassicLevel(location)
      await expectLocked(t, opener(), 'while held by the other process')

      // And the other way round: while this process holds it, a child cannot open it.
      holder.child.send('close')
      t.ok((await nextMessage(holder.child)).closed, 'the other process closes it')
      await exited(holder.child)
      const mine = opener()
      await mine.open()
      const blocked = await startHolder(holderKind, location)
      t.is(blocked.failed, 'LEVEL_DATABASE_NOT_OPEN', 'a child cannot open it while this process holds it')
      t.is(blocked.cause, 'LEVEL_LOCKED', 'caused by LEVEL_LOCKED')
      await exited(blocked.child)
      t.is(await mine.get('before'), '1', 'data intact')
      await mine.close()
    } finally {
      removeDir(dir)
    }
  })
}

tape('a lock left by a SIGKILLed process does not block the next open', async (t) => {
  const dir = tempDir('lock3')
  const location = path.join(dir, 'db')
  try {
    for (const kind of ['ai', 'classic'] as Kind[]) {
      const holder = await startHolder(kind, location)
      t.ok(holder.opened, `${kind} holder opened`)
      holder.child.kill('SIGKILL')
      await exited(holder.child)
      const db = new AiLevel(location)
      await db.open()
      t.pass(`AiLevel opens after the ${kind} holder was killed`)
      await db.close()
      const classic = new ClassicLevel(location)
      await classic.open()
      t.pass('so does classic-level')
      await classic.close()
    }
  } finally {
    removeDir(dir)
  }
})

tape('getProperty(\'aidb.lock\') names the lock held: fcntl on Linux under Node', async (t) => {
  const dir = tempDir('lock-kind')
  try {
    const db = new AiLevel(dir)
    await db.open()
    const expected = process.platform === 'linux' ? 'fcntl' : process.platform === 'win32' ? 'lockfileex' : 'flock'
    t.is(db.getProperty('aidb.lock'), expected, `AiLevel holds the ${expected} lock`)
    t.is(db.getProperty('leveldb.lock'), expected, 'leveldb.lock is an alias')
    await db.close()
    const fallback = openWithPidFileLock(dir)
    await fallback.open()
    t.is(fallback.engine().getProperty('aidb.lock'), 'pid-file', 'the fallback says it holds the pid-file lock')
    await fallback.close()
  } finally {
    removeDir(dir)
  }
})

tape('the same directory through a symlink is the same lock in this process', async (t) => {
  const dir = tempDir('lock-link')
  try {
    const real = path.join(dir, 'db')
    const link = path.join(dir, 'link')
    const db = new AiLevel(real)
    await db.open()
    fs.symlinkSync(real, link)
    await expectLocked(t, new AiLevel(link), 'AiLevel through a symlink')
    await db.put('k', 'v')
    await db.close()
    const viaLink = new AiLevel(link)
    await viaLink.open()
    t.is(await viaLink.get('k'), 'v', 'opens through the symlink once closed')
    await viaLink.close()
  } finally {
    removeDir(dir)
  }
})

tape('the pid-file lock keeps a second process out, both ways, and is removed on close', async (t) => {
  const dir = tempDir('lock-pid')
  const location = path.join(dir, 'db')
  const pidFile = path.join(location, 'LOCK.pid')
  try {
    const mine = openWithPidFileLock(location)
    await mine.open()
    t.is(fs.readFileSync(pidFile, 'utf8').trim(), String(process.pid), 'LOCK.pid holds this process id')
    const blocked = await startHolder('ai-pid-file', location)
    t.is(blocked.failed, 'LEVEL_LOCKED', 'a child with the pid-file lock cannot open it')
    await exited(blocked.child)
    await expectLocked(t, openWithPidFileLock(location), 'a second open in this process', [])
    await mine.close()
    t.notOk(fs.existsSync(pidFile), 'LOCK.pid is removed on close')

    const holder = await startHolder('ai-pid-file', location)
    t.ok(holder.opened, 'the child opens it once this process closed it')
    t.is(fs.readFileSync(pidFile, 'utf8').trim(), String(holder.child.pid), 'LOCK.pid holds the child process id')
    await expectLocked(t, openWithPidFileLock(location), 'while the child holds it', [])
    holder.child.send('close')
    t.ok((await nextMessage(holder.child)).closed, 'the child closes it')
    await exited(holder.child)
    const again = openWithPidFileLock(location)
    await again.open()
    t.pass('opens again after the child closed it')
    await again.close()
  } finally {
    removeDir(dir)
  }
})

tape('a pid-file lock left by a SIGKILLed process does not block the next open', async (t) => {
  const dir = tempDir('lock-pid-stale')
  const location = path.join(dir, 'db')
  const pidFile = path.join(location, 'LOCK.pid')
  try {
    const holder = await startHolder('ai-pid-file', location)
    t.ok(holder.opened, 'the child opened it')
    holder.child.kill('SIGKILL')
    await exited(holder.child)
    t.is(fs.readFileSync(pidFile, 'utf8').trim(), String(holder.child.pid), 'the killed process left LOCK.pid behind')
    const db = openWithPidFileLock(location)
    await db.open()
    t.is(fs.readFileSync(pidFile, 'utf8').trim(), String(process.pid), 'the next open took the stale lock over')
    await db.close()
    const blocked = await startHolder('ai-pid-file', location)
    t.ok(blocked.opened, 'and a later process opens it too')
    blocked.child.send('close')
    await nextMessage(blocked.child)
    await exited(blocked.child)
    t.deepEqual(fs.readdirSync(location).filter(name => name.startsWith('LOCK.pid')), [], 'no pid file is left behind')
  } finally {
    removeDir(dir)
  }
})

// ---- lockTimeout: waiting for the holder ----

// How long after an opener starts waiting the holder lets go.
const RELEASE_AFTER_MS = 300
// Timers may fire a little early; an open that waited cannot have finished much before the release.
const EARLY_MS = 50

interface Openable {
  open (): Promise<void>
  close (): Promise<void>
}

// Opens `db` while `release` is called RELEASE_AFTER_MS later; resolves with the milliseconds open took.
async function openWhileReleased (db: Openable, release: () => Promise<void>): Promise<number> {
  const started = Date.now()
  let released: Promise<void> = Promise.resolve()
  const timer = setTimeout(() => { released = release() }, RELEASE_AFTER_MS)
  try {
    await db.open()
  } finally {
    clearTimeout(timer)
    await released
  }
  return Date.now() - started
}

async function closeHolder (holder: Holder): Promise<void> {
  holder.child.send('close')
  await nextMessage(holder.child)
  await exited(holder.child)
}

// Each holder in another process, and the opener that waits for it.
const WAITS: Array<{ holder: Kind, opener: string, open: (location: string, lockTimeout: number) => Openable }> = [
  { holder: 'ai', opener: 'AiLevel', open: (location, lockTimeout) => new AiLevel(location, { lockTimeout }) },
  { holder: 'classic', opener: 'AiLevel', open: (location, lockTimeout) => new AiLevel(location, { lockTimeout }) },
  { holder: 'ai', opener: 'a read-only AiLevel', open: (location, lockTimeout) => new AiLevel(location, { readOnly: true, lockTimeout }) },
  { holder: 'ai-read', opener: 'AiLevel (a writer)', open: (location, lockTimeout) => new AiLevel(location, { lockTimeout }) },
  { holder: 'ai-pid-file', opener: 'the engine with the pid-file lock', open: (location, lockTimeout) => openWithPidFileLock(location, { lockTimeout }) }
]

for (const { holder: holderKind, opener, open } of WAITS) {
  tape(`lockTimeout: ${opener} waits for a ${holderKind} holder in another process, and gives up when the time is up`, async (t) => {
    const dir = tempDir('lock-wait')
    const location = path.join(dir, 'db')
    try {
      const init = holderKind === 'classic' ? new ClassicLevel(location) : new AiLevel(location)
      await init.open()
      await init.put('before', '1')
      await init.close()

      const holder = await startHolder(holderKind, location)
      t.ok(holder.opened, 'the other process holds the database open')
      const tooShort = open(location, 150)
      const started = Date.now()
      const wrappers = holderKind === 'ai-pid-file' ? [] : ['LEVEL_DATABASE_NOT_OPEN']
      await expectLocked(t, tooShort, 'a lockTimeout shorter than the hold', wrappers)
      t.ok(Date.now() - started >= 150 - EARLY_MS, `it waited its 150 ms before failing (${Date.now() - started} ms)`)

      const waiting = open(location, 10_000)
      const took = await openWhileReleased(waiting, () => closeHolder(holder))
      t.ok(took >= RELEASE_AFTER_MS - EARLY_MS, `opens once the holder lets go after ${RELEASE_AFTER_MS} ms (open took ${took} ms)`)
      t.ok(took < 5000, 'and not long after')
      await waiting.close()
    } finally {
      removeDir(dir)
    }
  })
}

tape('lockTimeout: a second AiLevel in this process waits for the first to close', async (t) => {
  const dir = tempDir('lock-wait-process')
  try {
    const first = new AiLevel(dir)
    await first.open()
    await first.put('k', 'v')
    await expectLocked(t, new AiLevel(dir, { lockTimeout: 100 }), 'a lockTimeout shorter than the hold')
    const second = new AiLevel<string, string>(dir, { lockTimeout: 10_000 })
    const took = await openWhileReleased(second, () => first.close())
    t.ok(took >= RELEASE_AFTER_MS - EARLY_MS, `opens once the first one closed (open took ${took} ms)`)
    t.is(await second.get('k'), 'v', 'and reads what it wrote')
    await second.close()
  } finally {
    removeDir(dir)
  }
})

tape('lockTimeout: an open that fails for another reason than the lock does not wait', async (t) => {
  const location = tempLocation(t)
  const started = Date.now()
  const db = new AiLevel(location, { createIfMissing: false, lockTimeout: 10_000 })
  try {
    await db.open()
    t.fail('opened a missing database')
  } catch (err) {
    t.is(codeOf((err as { cause?: unknown }).cause), 'LEVEL_DATABASE_NOT_OPEN', `a missing database fails as before (${String((err as { cause?: Error }).cause?.message)})`)
  }
  t.ok(Date.now() - started < 1000, `at once (${Date.now() - started} ms)`)
})
