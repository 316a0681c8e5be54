// Tests of AiLevelWorker that need nothing of Node: Node runs them over worker_threads
// (worker.test.ts), and a browser test can run them over a dedicated worker, given
// - `connect`: starts a new endpoint (a Worker, or a port) whose other side serves a host;
// - `location`: a fresh location for a database that does not exist yet.
import type tape from 'tape'
import suite from 'abstract-level/test'
import { AiLevelWorker, type WorkerEndpoint } from '../../lib/browser/worker-client'

export interface RemoteTestCommon {
  test: typeof tape
  connect: () => WorkerEndpoint
  location: () => string
  /** AiLevelWorker's option of that name (by default, a lane only on cross-origin isolated pages). */
  sharedMemory?: boolean
}

/** abstract-level's compliance suite, every database an AiLevelWorker. */
export function runRemoteSuite ({ test, connect, location, sharedMemory }: RemoteTestCommon): void {
  suite({ test, factory: (options?: object) => new AiLevelWorker(location(), { ...options, worker: connect, sharedMemory }) })
}

// The ops the client posted, in order, with the endpoint that carries them.
function recording (connect: () => WorkerEndpoint): { ops: string[], sizes: number[], connect: () => WorkerEndpoint } {
  const ops: string[] = []
  const sizes: number[] = []
  return {
    ops,
    sizes,
    connect: () => {
      const endpoint = connect()
      const postMessage = endpoint.postMessage.bind(endpoint)
      endpoint.postMessage = (message, transfer) => {
        // [op, id, ...]; a fetch is ['next', id, iterator, size, seek].
        const [op, , , size] = message as [string, number | null, unknown, unknown]
        ops.push(op)
        if (op === 'next' && typeof size === 'number') sizes.push(size)
        postMessage(message, transfer)
      }
      return endpoint
    }
  }
}

function count (ops: string[], op: string): number {
  return ops.filter(o => o === op).length
}

async function codeOf (promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise
    return 'resolved'
  } catch (err) {
    return (err as { code?: string }).code
  }
}

const KEYS = 1000

function key (i: number): string {
  return `k${String(i).padStart(4, '0')}`
}

export function runRemoteTests ({ test, connect, location, sharedMemory }: RemoteTestCommon): void {
  test('AiLevelWorker: supports declares what crosses a worker and nothing else', async (t) => {
    const db = new AiLevelWorker(location(), { worker: connect, sharedMemory })
    t.is((db.supports as unknown as Record<string, unknown>).getSync, false, 'getSync unsupported')
    t.is(db.supports.explicitSnapshots, true, 'explicit snapshots')
    t.is(db.supports.has, true, 'has/hasMany')
    t.same(db.supports.additionalMethods, { approximateSize: true, compactRange: true }, 'additional methods')
    await db.open()
    t.throws(() => db.getSync('a'), /does not support getSync/, 'getSync throws')
    t.is(typeof (db as unknown as Record<string, unknown>).checkpoint, 'undefined', 'no checkpoint')
    t.is(typeof (db as unknown as Record<string, unknown>).transaction, 'undefined', 'no transactions')
    await db.close()
  })

  test('AiLevelWorker: an explicit snapshot isolates reads across the worker boundary', async (t) => {
    const db = new AiLevelWorker<string, string>(location(), { worker: connect, sharedMemory })
    await db.batch([{ type: 'put', key: 'a', value: '1' }, { type: 'put', key: 'b', value: '1' }])
    const snapshot = db.snapshot()
    await db.put('a', '2')
    await db.del('b')
    await db.put('c', '2')
    t.is(await db.get('a', { snapshot }), '1', 'get sees the snapshot')
    t.same(await db.getMany(['a', 'b', 'c'], { snapshot }), ['1', '1', undefined], 'getMany sees the snapshot')
    t.same(await db.hasMany(['a', 'b', 'c'], { snapshot }), [true, true, false], 'hasMany sees the snapshot')
    t.same(await db.iterator({ snapshot }).all(), [['a', '1'], ['b', '1']], 'iterator sees the snapshot')
    t.same(await db.keys({ snapshot, reverse: true }).all(), ['b', 'a'], 'keys sees the snapshot')
    const sub = db.sublevel<string, string>('s', {})
    await sub.put('x', 'before')
    const subSnapshot = sub.snapshot()
    await sub.put('x', 'after')
    t.is(await sub.get('x', { snapshot: subSnapshot }), 'before', 'a sublevel snapshot isolates too')
    t.same(await db.iterator().all(), [['!s!x', 'after'], ['a', '2'], ['c', '2']], 'the latest state without it')
    await snapshot.close()
    t.is(await codeOf(db.get('a', { snapshot })), 'LEVEL_SNAPSHOT_NOT_OPEN', 'a closed snapshot is refused')
    await db.close()
  })

  test('AiLevelWorker: an iterator sees the database as of its creation, without waiting for an answer', async (t) => {
    const db = new AiLevelWorker<string, string>(location(), { worker: connect, sharedMemory })
    await db.put('a', '1')
    const it = db.iterator()
    // Posted after the iterator's notice: handled after the host created the iterator.
    const written = db.put('b', '2')
    t.same(await it.all(), [['a', '1']], 'the later write is not seen')
    await written
    t.same(await db.keys().all(), ['a', 'b'], 'a new iterator sees it')
    await db.close()
  })

  test('AiLevelWorker: iterators fetch entries in batches', async (t) => {
    const recorder = recording(connect)
    const db = new AiLevelWorker<string, string>(location(), { worker: recorder.connect, sharedMemory: false })
    await db.open()
    const batch = db.batch()
    for (let i = 0; i < KEYS; i++) batch.put(key(i), `value ${i}`)
    await batch.write()

    let seen = 0
    let ordered = true
    for await (const [k, v] of db.iterator()) {
      if (k !== key(seen) || v !== `value ${seen}`) ordered = false
      seen++
    }
    t.is(seen, KEYS, 'next() yields every entry')
    t.ok(ordered, 'in order, with their values')
    const fetches = count(recorder.ops, 'next')
    t.ok(fetches >= 2 && fetches <= 10, `next() over ${KEYS} entries took ${fetches} fetches`)

    recorder.ops.length = 0
    const it = db.keys({ gte: key(100), limit: 300 })
    let total = 0
    let chunk: string[]
    while ((chunk = await it.nextv(7)).length > 0) {
      if (chunk[0] !== key(100 + total)) t.fail(`nextv chunk at ${total} starts at ${chunk[0]}`)
      total += chunk.length
    }
    await it.close()
    t.is(total, 300, 'nextv(7) honours limit')
    t.ok(count(recorder.ops, 'next') <= 10, `nextv(7) over 300 keys took ${count(recorder.ops, 'next')} fetches`)
    t.is(count(recorder.ops, 'closeIterator'), 1, 'close() releases the host iterator')
    await db.close()
  })

  test('AiLevelWorker: seek drops prefetched entries', async (t) => {
    const db = new AiLevelWorker<string, string>(location(), { worker: connect, sharedMemory })
    await db.batch(Array.from({ length: 100 }, (_, i) => ({ type: 'put' as const, key: key(i), value: String(i) })))
    const it = db.iterator()
    t.same(await it.next(), [key(0), '0'], 'first entry')
    it.seek(key(50))
    t.same(await it.next(), [key(50), '50'], 'next() after seek() starts at the target')
    it.seek(key(10))
    t.same(await it.nextv(2), [[key(10), '10'], [key(11), '11']], 'seek backwards too')
    const values = db.values({ reverse: true })
    values.seek(key(3))
    t.same(await values.all(), ['3', '2', '1', '0'], 'a reverse value iterator seeks')
    await it.close()
    await db.close()
  })

  test('AiLevelWorker: a reader reading on has the next batch asked for ahead; seek() drops it and starts small', async (t) => {
    const recorder = recording(connect)
    const db = new AiLevelWorker<string, string>(location(), { worker: recorder.connect, sharedMemory: false })
    await db.batch(Array.from({ length: KEYS }, (_, i) => ({ type: 'put' as const, key: key(i), value: String(i) })))
    const it = db.iterator()
    let read = 0
    while (read < 200) {
      const entry = await it.next()
      if (entry?.[0] !== key(read)) t.fail(`entry ${read} is ${String(entry?.[0])}`)
      read++
    }
    const fetchesBefore = count(recorder.ops, 'next')
    t.ok(fetchesBefore >= 2, `200 entries took ${fetchesBefore} fetches`)
    it.seek(key(7))
    t.same(await it.next(), [key(7), '7'], 'next() after seek() starts at the target, not in the batch asked for before it')
    const sizes = recorder.sizes.slice(-1)
    t.same(sizes, [2], 'the first fetch after seek() is a small one')
    t.same([await it.next(), await it.next(), await it.next()], [[key(8), '8'], [key(9), '9'], [key(10), '10']], 'and reading goes on from there')
    await it.close()

    const rest = db.keys()
    for (let i = 0; i < 60; i++) await rest.next()
    const all = await rest.all()
    t.is(all.length, KEYS - 60, 'all() after a batch was asked for ahead returns every remaining key')
    t.is(all[0], key(60), 'starting where next() left off')
    t.is(all[all.length - 1], key(KEYS - 1), 'up to the last')
    await rest.close()
    await db.close()
  })

  test('AiLevelWorker: db.close() closes iterators and snapshots on the host before the database', async (t) => {
    const recorder = recording(connect)
    const db = new AiLevelWorker<string, string>(location(), { worker: recorder.connect, sharedMemory: false })
    await db.put('a', '1')
    const it = db.iterator()
    await it.next()
    db.snapshot()
    await db.close()
    const tail = recorder.ops.slice(-3)
    t.same([...tail.slice(0, 2)].sort(), ['closeIterator', 'closeSnapshot'], 'the iterator and the snapshot are released')
    t.is(tail[2], 'close', 'then the database closes')
    t.is(await codeOf(it.next()), 'LEVEL_ITERATOR_NOT_OPEN', 'the iterator is closed')
  })

  test('AiLevelWorker: calls take the shared-memory lane where there is one, messages where they must', async (t) => {
    const recorder = recording(connect)
    const db = new AiLevelWorker<string, string>(location(), { worker: recorder.connect, sharedMemory })
    await db.open()
    const lane = typeof SharedArrayBuffer === 'function' && typeof (Atomics as { waitAsync?: unknown }).waitAsync === 'function' &&
      (sharedMemory ?? (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true)
    recorder.ops.length = 0
    await db.put('a', '1')
    t.is(await db.get('a'), '1', 'a serial get')
    t.same(recorder.ops, lane ? [] : ['put', 'get'], lane ? 'serial calls post no message' : 'no lane here: serial calls are messages')
    // Concurrent calls: one on the lane at a time, the others as messages, each answered in turn.
    const many = await Promise.all(Array.from({ length: 20 }, (_, i) => db.put(`k${i}`, `v${i}`).then(() => db.get(`k${i}`))))
    t.same(many, Array.from({ length: 20 }, (_, i) => `v${i}`), 'concurrent puts and gets')
    // Larger than the lane's buffer: travels as a message, and so does its answer.
    const big = 'x'.repeat(700 * 1024)
    await db.put('big', big)
    t.is(await db.get('big'), big, 'a value too large for the lane')
    // Long enough for the lane's other string decoding, short enough for the lane.
    const long = 'é'.repeat(10000) + '\u{1f600}'
    await db.put('long', long)
    t.is(await db.get('long'), long, 'a long value on the lane')
    // ASCII crosses the lane one byte a code unit; a string that turns out not to be is written again.
    const ascii = 'a'.repeat(1000)
    await db.put('ascii', ascii)
    t.is(await db.get('ascii'), ascii, 'a long ASCII value on the lane')
    const late = 'b'.repeat(1000) + '\u00e9'
    await db.put('late', late)
    t.is(await db.get('late'), late, 'a long value whose one non-ASCII code unit comes last')
    const odd = 'a\u0000\u00e9\u{1f600}z'
    await db.put(odd, odd)
    t.is(await db.get(odd), odd, 'strings beyond ASCII, and a NUL')
    const order: string[] = []
    const it = db.iterator({ gte: 'k' })
    const first = it.next().then(entry => order.push(`next ${String(entry?.[0])}`))
    const written = db.put('k', 'early').then(() => order.push('put'))
    await Promise.all([first, written])
    t.same(order.sort(), ['next k0', 'put'], 'a write posted after an iterator is not seen by it')
    await it.close()
    await db.close()
  })

  test('AiLevelWorker: bytes and encodings cross intact', async (t) => {
    const db = new AiLevelWorker<Uint8Array, Uint8Array>(location(), { worker: connect, sharedMemory, keyEncoding: 'view', valueEncoding: 'view' })
    // A view into a larger buffer, as Buffer.from() gives from its pool.
    const backing = new Uint8Array([9, 9, 1, 2, 3, 9])
    const key = backing.subarray(2, 4)
    await db.put(key, backing.subarray(0, 0))
    await db.put(new Uint8Array([0xff]), new Uint8Array([0, 1, 2]))
    t.same(await db.get(key), new Uint8Array(0), 'an empty value')
    const entries = await db.iterator({ keyEncoding: 'buffer', valueEncoding: 'hex' }).all()
    t.ok(Buffer.isBuffer(entries[0][0]), 'buffer keys are Buffers')
    t.same(entries.map(([k, v]) => [Buffer.from(k).toString('hex'), v]), [['0102', ''], ['ff', '000102']], 'keys and values')
    const json = db.sublevel<string, { n: number }>('json', { valueEncoding: 'json' })
    await json.put('x', { n: 1 })
    t.same(await json.get('x'), { n: 1 }, 'json through a sublevel')
    await db.close()
  })

  test('AiLevelWorker: errors keep their codes across the worker', async (t) => {
    const where = location()
    const db = new AiLevelWorker(where, { worker: connect, sharedMemory })
    await db.open()
    t.is(await db.get('absent'), undefined, 'an absent key is undefined')
    const second = new AiLevelWorker(where, { worker: connect, sharedMemory })
    const lockErr = await second.open().catch((err: Error & { cause?: { code?: string } }) => err)
    t.is((lockErr as { code?: string }).code, 'LEVEL_DATABASE_NOT_OPEN', 'a second open fails')
    t.is((lockErr as { cause?: { code?: string } }).cause?.code, 'LEVEL_LOCKED', 'because the database is locked')
    await db.close()

    const exists = new AiLevelWorker(where, { worker: connect, sharedMemory, errorIfExists: true })
    const existsErr = await exists.open().catch((err: Error & { cause?: Error }) => err)
    t.ok(/exists/.test((existsErr as { cause?: Error }).cause?.message ?? ''), 'errorIfExists says it exists')
    const missing = new AiLevelWorker(location(), { worker: connect, sharedMemory, createIfMissing: false })
    const missingErr = await missing.open().catch((err: Error & { cause?: Error }) => err)
    t.ok(/does not exist/.test((missingErr as { cause?: Error }).cause?.message ?? ''), 'createIfMissing: false says it does not exist')
    const bad = new AiLevelWorker(location(), { worker: connect, sharedMemory, blockRestartInterval: 0 })
    const badErr = await bad.open().catch((err: Error & { cause?: { code?: string } }) => err)
    t.is((badErr as { cause?: { code?: string } }).cause?.code, 'LEVEL_INVALID_VALUE', 'an engine option the worker refuses')
    const badWait = new AiLevelWorker(location(), { worker: connect, sharedMemory, lockTimeout: -1 })
    const badWaitErr = await badWait.open().catch((err: Error & { cause?: { code?: string } }) => err)
    t.is((badWaitErr as { cause?: { code?: string } }).cause?.code, 'LEVEL_INVALID_VALUE', 'lockTimeout reaches the worker, which checks it')

    const again = new AiLevelWorker(where, { worker: connect, sharedMemory })
    await again.open()
    t.is(await codeOf(again.put('k', undefined as unknown as string)), 'LEVEL_INVALID_VALUE', 'a bad value is refused')
    const other = new AiLevelWorker(location(), { worker: connect, sharedMemory })
    await other.open()
    t.is(await codeOf(again.get('k', { snapshot: other.snapshot() })), 'LEVEL_INVALID_VALUE', "another database's snapshot is refused")
    await other.close()
    await again.close()
    t.is(await codeOf(again.get('k')), 'LEVEL_DATABASE_NOT_OPEN', 'a closed database')
    await again.open()
    t.is(await again.get('absent'), undefined, 'reopens after close')
    await again.close()
  })
}
