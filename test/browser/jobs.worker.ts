// Background jobs in the browser: flushes and compactions in the job worker that the database's
// worker starts (lib/compaction/browser-job-runner.ts), and on the calling thread when Worker is
// missing. Each database is filled through many small memtables in random key order, so it goes
// through dozens of flushes and compactions, then closed, reopened and checked key by key. Which
// jobs went to a job worker is seen by wrapping the global Worker (the test's spy, not the engine's).
// The fallbacks: no Worker here, and files that cannot be shared between workers (as in a browser
// without 'readwrite-unsafe' handles, played by an OpfsEnv with shareFiles: false, which only the
// engine's own DB takes: AiLevel has no env option).
import './harness'
import tape from 'tape'
import { AiLevel, OpfsEnv } from '../../lib/browser/worker-engine'
import { DB } from '../../lib/db/db'
import { WriteBatch } from '../../lib/format/write-batch'

const KEYS = 20000
const BATCH = 100
const VALUE_PAD = 'v'.repeat(100)

const key = (i: number): string => `key-${String(i).padStart(6, '0')}`
const value = (i: number): string => `${i}-${VALUE_PAD}`

// A fixed permutation of 0..KEYS-1 (a linear congruential shuffle), so tables overlap and compact.
function order (): number[] {
  const keys = Array.from({ length: KEYS }, (_, i) => i)
  let seed = 12345
  for (let i = keys.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2147483648
    const j = seed % (i + 1)
    ;[keys[i], keys[j]] = [keys[j], keys[i]]
  }
  return keys
}

interface WorkerLike {
  postMessage (message: unknown): void
}
type WorkerClass = new (url: string, options?: unknown) => WorkerLike
const scope = globalThis as unknown as { Worker?: WorkerClass, navigator: { storage: { getDirectory (): Promise<OpfsDirectory> } } }

interface OpfsDirectory {
  getDirectoryHandle (name: string): Promise<OpfsDirectory>
  getFileHandle (name: string): Promise<{ getFile (): Promise<{ text (): Promise<string> }> }>
  keys (): AsyncIterableIterator<string>
}

const RealWorker = scope.Worker as WorkerClass
// Kinds of the jobs posted to job workers, and how many workers were started.
const posted: string[] = []
let started = 0
scope.Worker = class extends RealWorker {
  constructor (url: string, options?: unknown) {
    super(url, options)
    started++
  }

  override postMessage (message: unknown): void {
    const m = message as { kind?: string, request?: { kind?: string } }
    if (m.kind === 'job' && m.request?.kind !== undefined) posted.push(m.request.kind)
    super.postMessage(message)
  }
}

async function fill (location: string): Promise<void> {
  const db = new AiLevel<string, string>(location, { writeBufferSize: 32 * 1024 })
  await db.open()
  const keys = order()
  for (let start = 0; start < KEYS; start += BATCH) {
    await db.batch(keys.slice(start, start + BATCH).map(i => ({ type: 'put' as const, key: key(i), value: value(i) })))
  }
  await db.close()
}

async function verify (t: tape.Test, location: string): Promise<void> {
  const db = new AiLevel<string, string>(location, { createIfMissing: false })
  await db.open()
  const entries = await db.iterator().all()
  let matching = 0
  for (let i = 0; i < entries.length && i < KEYS; i++) if (entries[i][0] === key(i) && entries[i][1] === value(i)) matching++
  t.is(entries.length, KEYS, `reopened, ${entries.length} entries`)
  t.is(matching, KEYS, 'every key has its value, in order')
  const gets = await db.getMany([key(0), key(KEYS >> 1), key(KEYS - 1)])
  t.same(gets, [value(0), value(KEYS >> 1), value(KEYS - 1)], 'point reads find keys in tables')
  await db.close()
}

async function directory (location: string): Promise<OpfsDirectory> {
  return await (await scope.navigator.storage.getDirectory()).getDirectoryHandle(location)
}

async function names (location: string): Promise<string[]> {
  const found: string[] = []
  for await (const name of (await directory(location)).keys()) found.push(name)
  return found
}

async function logText (location: string): Promise<string> {
  return await (await (await (await directory(location)).getFileHandle('LOG')).getFile()).text()
}

tape('background jobs: flushes and compactions in a job worker, every key there after reopen', async (t) => {
  await fill('jobs-nested')
  const flushes = posted.filter(kind => kind === 'flush').length
  const compactions = posted.filter(kind => kind === 'compact').length
  t.ok(started >= 1, `a job worker was started (${started})`)
  t.ok(flushes >= 20, `flushes ran in the job worker (${flushes})`)
  t.ok(compactions >= 1, `compactions ran in the job worker (${compactions})`)
  t.notOk(/could not start/.test(await logText('jobs-nested')), 'the LOG reports no fallback to the calling thread')
  const left = (await names('jobs-nested')).filter(name => name.startsWith('~opfs-'))
  t.same(left, [], 'after close, no internal file is left (job worker spares removed, names settled)')
  await verify(t, 'jobs-nested')
})

tape('background jobs: without Worker, they run on the calling thread and the LOG says so', async (t) => {
  posted.length = 0
  started = 0
  const saved = scope.Worker
  delete scope.Worker
  try {
    await fill('jobs-inline')
  } finally {
    scope.Worker = saved
  }
  t.is(started, 0, 'no worker was started')
  t.same(posted, [], 'no job was posted')
  t.ok(/background worker could not start \(Worker is not available in this context\); flushes and compactions run on the main thread/.test(await logText('jobs-inline')), 'the LOG says why jobs run on the calling thread')
  await verify(t, 'jobs-inline')
})

tape('background jobs: where files cannot be shared between workers, they run on the calling thread and the LOG says so', async (t) => {
  posted.length = 0
  started = 0
  const db = await DB.open('jobs-unshared', { env: new OpfsEnv({ shareFiles: false }), writeBufferSize: 32 * 1024 })
  const keys = order()
  for (let start = 0; start < KEYS; start += BATCH) {
    const batch = new WriteBatch()
    for (const i of keys.slice(start, start + BATCH)) batch.put(Buffer.from(key(i)), Buffer.from(value(i)))
    await db.write(batch, {})
  }
  await db.close()
  t.is(started, 0, 'no worker was started')
  t.ok(/background worker could not start \(this browser cannot open one OPFS file from two workers/.test(await logText('jobs-unshared')), 'the LOG says why jobs run on the calling thread')
  await verify(t, 'jobs-unshared')
})
