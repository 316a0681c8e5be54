// db_bench-style workloads. Each opens its own database in the given location and times only its
// core loop: wall time and the process's CPU time (all threads: LevelDB's background thread and the
// libuv pool for classic-level, the compaction worker for ai-level).
//
// Each run is a fresh child process, so the first operations of a loop pay one-time costs: V8
// compiling the hot functions (Ignition, Sparkplug, Maglev, TurboFan; the compile threads count in
// process.cpuUsage), ai-level's compaction worker starting, the first block reads. A long-running
// process pays them once. So a loop is timed whole (the cold, first-pass figure) and from the end of
// its first half on (the steady figure): the first half is the warm-up, operations of the same kind on the
// same database (for fills: the first half of the same fill). Both engines are measured the same way.
import { setTimeout as sleep } from 'node:timers/promises'
import { createRandom, Random } from '../test/util/random'
import { absentKey, BATCH_SIZE, byteLength, Codec, Datum, decimalKey, KEY_SIZE, printableValue, Shape, shuffledIndexes, ValueSource } from './data'
import { BenchDb, Engine } from './engines'
import { directorySize, EventLoopProbe, ioDelta, LatencyRecorder, readIoCounters, RssSampler, type DelaySummary, type IoCounters } from './probes'

export interface WorkloadContext {
  engine: Engine
  location: string
  shape: Shape
  /** Operations to time (or entries to write, for fills). */
  count: number
  /** Entries in the database that read workloads run on. */
  dbSize: number
  seed: number
}

/** Operations over some stretch of a loop. */
export interface Span {
  operations: number
  elapsedMs: number
  /** process.cpuUsage() over the stretch, user + system, in microseconds. */
  cpuMicros: number
}

/** One timed loop: operations, elapsedMs and cpuMicros cover all of it (the cold, first-pass figure). */
export interface Timing extends Span {
  /** For reads and seeks: how many found an entry over the whole loop (a sanity check that the workload did real work). */
  found?: number
  /** The loop after its warm-up (its first half): the steady-state figure. Absent where a loop is timed only whole. */
  steady?: Span
  /** The loop in tenths, in order (fewer where progress is reported in steps coarser than a tenth): where the warm-up ends. */
  slices?: Span[]
}

export interface Measurement extends Timing {
  /** fill2m only: how the process fared while filling. */
  fill?: FillReport
  /** Further timed loops on the same database, reported as workloads of their own (name: `workload.phase`). */
  phases?: Array<Timing & { name: string }>
}

export interface FillReport {
  /** Bytes of keys and values written by the workload. */
  userBytes: number
  /** Event-loop delay of the main thread during the fill (ms); undefined if no timer ever ran. */
  eventLoop: DelaySummary | undefined
  /** Latency of each awaited db.batch (ms): stalls from backpressure show up in p99 and max. */
  batchLatency: DelaySummary | undefined
  /** Reads issued during the fill (fill2m-reads), one at a time with a 1 ms pause between them. */
  reads: { count: number, found: number, perSecond: number, latency: DelaySummary | undefined } | undefined
  /** Bytes written by the whole process, fill and close included; undefined without /proc. */
  io: IoCounters | undefined
  /** Size of the database directory after close(). */
  dirBytesAfterClose: number
  /** Peak RSS sampled from open to close (bytes). */
  peakRssBytes: number
}

export interface Workload {
  name: string
  description: string
  /** Default operation count for a value size (before --scale). */
  defaultCount (valueSize: number): number
  /** The value sizes it runs with; all when absent. */
  valueSizes?: readonly number[]
  /** Needs data to survive close and reopen (memory-level is skipped). */
  persistentOnly?: boolean
  run (context: WorkloadContext): Promise<Measurement>
}

/** Entries in the database the read workloads run on, for a value size (before --scale). */
export function defaultDbSize (valueSize: number): number {
  return valueSize <= 100 ? 100_000 : 20_000
}

const IN_FLIGHT = 64
const GET_MANY_SIZE = 100
const SCAN_CHUNK = 1000
const BIG_VALUE_SIZE = 50 * 1024 * 1024
/** fill2m reads back one key in this many after reopening (100,000 of 2,000,000). */
const FILL2M_READ_BACK_STRIDE = 20

/** Slices a loop is timed in, and how many of them are its warm-up. */
const SLICES = 10
const WARM_UP_SLICES = 5

/** Reports how many of a loop's operations are done; the loop calls it after each operation or step. */
export type Progress = (done: number) => void

interface Mark {
  done: number
  cpu: NodeJS.CpuUsage
  time: bigint
}

function markNow (done: number): Mark {
  return { done, cpu: process.cpuUsage(), time: process.hrtime.bigint() }
}

function spanBetween (from: Mark, to: Mark): Span {
  return {
    operations: to.done - from.done,
    elapsedMs: Number(to.time - from.time) / 1e6,
    cpuMicros: to.cpu.user - from.cpu.user + to.cpu.system - from.cpu.system
  }
}

/**
 * Times body, which does `operations` operations and reports its progress. Marks the CPU time and
 * clock at each tenth of the operations, so the loop's second half (the steady figure) and its
 * slices are known besides the whole. A body that never reports progress is timed whole only.
 */
export async function timed (operations: number, body: (progress: Progress) => Promise<number | void>): Promise<Timing> {
  const marks = [markNow(0)]
  let next = Math.ceil(operations / SLICES)
  const progress: Progress = (done) => {
    if (done < next || done >= operations) return
    marks.push(markNow(done))
    next = Math.ceil(operations * (Math.floor(done * SLICES / operations) + 1) / SLICES)
  }
  const found = await body(progress)
  marks.push(markNow(operations))
  const timing: Timing = spanBetween(marks[0], marks[marks.length - 1])
  if (found !== undefined) timing.found = found
  if (marks.length > 2) {
    const warmedUp = marks.find((mark) => mark.done * SLICES >= operations * WARM_UP_SLICES) ?? marks[marks.length - 1]
    timing.steady = spanBetween(warmedUp, marks[marks.length - 1])
    timing.slices = marks.slice(1).map((mark, index) => spanBetween(marks[index], mark))
  }
  return timing
}

async function openFresh (context: WorkloadContext): Promise<BenchDb> {
  const db = context.engine.create(context.location, context.shape.encoding)
  await db.open()
  return db
}

async function reopen (db: BenchDb, context: WorkloadContext): Promise<BenchDb> {
  if (!context.engine.persistent) return db
  await db.close()
  return openFresh(context)
}

async function fillInBatches (db: BenchDb, count: number, keyAt: (index: number) => Datum, values: ValueSource, progress?: Progress): Promise<void> {
  for (let start = 0; start < count; start += BATCH_SIZE) {
    const end = Math.min(start + BATCH_SIZE, count)
    const operations = []
    for (let index = start; index < end; index++) {
      operations.push({ type: 'put' as const, key: keyAt(index), value: values.next() })
    }
    await db.batch(operations)
    progress?.(end)
  }
}

/** Keys 0..dbSize-1 written once each in random order in batches, then the database reopened so reads come from table files. */
async function openPopulated (context: WorkloadContext, random: Random): Promise<BenchDb> {
  const codec = new Codec(context.shape.encoding)
  const order = shuffledIndexes(random, context.dbSize)
  const db = await openFresh(context)
  await fillInBatches(db, context.dbSize, (index) => codec.key(decimalKey(order[index])), new ValueSource(random, context.shape))
  return reopen(db, context)
}

/** Keys prepared before timing, so the loop measures the database rather than key formatting. */
function randomKeys (codec: Codec, random: Random, count: number, range: number, keyOf: (index: number) => string = decimalKey): Datum[] {
  return Array.from({ length: count }, () => codec.key(keyOf(random.int(range))))
}

type WriteBody = (db: BenchDb, keys: readonly Datum[], values: ValueSource, progress: Progress) => Promise<void>

/** A workload that times body writing `count` prepared keys (keyAt) into an empty database. */
function writeWorkload (name: string, description: string, counts: [number, number], keyAt: (random: Random, index: number, count: number) => string, body: WriteBody): Workload {
  return {
    name,
    description,
    defaultCount: (valueSize) => valueSize <= 100 ? counts[0] : counts[1],
    async run (context) {
      const random = createRandom(context.seed)
      const codec = new Codec(context.shape.encoding)
      const values = new ValueSource(random, context.shape)
      const keys = Array.from({ length: context.count }, (_, index) => codec.key(keyAt(random, index, context.count)))
      const db = await openFresh(context)
      const timing = await timed(context.count, (progress) => body(db, keys, values, progress))
      await db.close()
      return timing
    }
  }
}

const sequentialKeyAt = (_random: Random, index: number): string => decimalKey(index)
const randomKeyAt = (random: Random, _index: number, count: number): string => decimalKey(random.int(count))
const inBatches: WriteBody = (db, keys, values, progress) => fillInBatches(db, keys.length, (index) => keys[index], values, progress)

type PopulatedBody = (db: BenchDb, context: WorkloadContext, random: Random, codec: Codec) => Promise<Timing>

/** A workload that times body on a populated database (see openPopulated). */
function populated (name: string, description: string, counts: [number, number] | 'whole db', body: PopulatedBody, persistentOnly = false): Workload {
  return {
    name,
    description,
    defaultCount: (valueSize) => counts === 'whole db' ? defaultDbSize(valueSize) : valueSize <= 100 ? counts[0] : counts[1],
    persistentOnly,
    async run (context) {
      const random = createRandom(context.seed)
      const codec = new Codec(context.shape.encoding)
      const db = await openPopulated(context, random)
      const timing = await body(db, context, random, codec)
      await db.close()
      return timing
    }
  }
}

async function scan (db: BenchDb, reverse: boolean, progress?: Progress): Promise<number> {
  const iterator = db.iterator({ reverse })
  let found = 0
  while (true) {
    const entries = await iterator.nextv(SCAN_CHUNK)
    if (entries.length === 0) break
    found += entries.length
    progress?.(found)
  }
  await iterator.close()
  return found
}

export const workloads: readonly Workload[] = [
  writeWorkload('fillseq', 'sequential keys, db.batch of 1000 puts', [200_000, 20_000], sequentialKeyAt, inBatches),
  writeWorkload('fillrandom', 'random keys, db.batch of 1000 puts', [200_000, 20_000], randomKeyAt, inBatches),
  writeWorkload('fillrandom-single', 'random keys, one awaited db.put at a time', [20_000, 10_000], randomKeyAt, async (db, keys, values, progress) => {
    for (let i = 0; i < keys.length; i++) {
      await db.put(keys[i], values.next())
      progress(i + 1)
    }
  }),
  writeWorkload('fillrandom-64', `random keys, db.put ${IN_FLIGHT} in flight at a time`, [50_000, 10_000], randomKeyAt, async (db, keys, values, progress) => {
    for (let start = 0; start < keys.length; start += IN_FLIGHT) {
      const end = Math.min(start + IN_FLIGHT, keys.length)
      const puts = []
      for (let i = start; i < end; i++) puts.push(db.put(keys[i], values.next()))
      await Promise.all(puts)
      progress(end)
    }
  }),
  writeWorkload('fillsync', 'random keys, one awaited db.put with sync: true at a time', [2_000, 1_000], randomKeyAt, async (db, keys, values, progress) => {
    for (let i = 0; i < keys.length; i++) {
      await db.put(keys[i], values.next(), { sync: true })
      progress(i + 1)
    }
  }),
  populated('overwrite', 'random existing keys, db.batch of 1000 puts over the reopened database', [100_000, 20_000], async (db, context, random, codec) => {
    const values = new ValueSource(random, context.shape)
    const keys = randomKeys(codec, random, context.count, context.dbSize)
    return timed(context.count, (progress) => fillInBatches(db, context.count, (index) => keys[index], values, progress))
  }, true),
  populated('readrandom', 'one awaited db.get of an existing key at a time', [30_000, 10_000], async (db, context, random, codec) => {
    const keys = randomKeys(codec, random, context.count, context.dbSize)
    return timed(context.count, async (progress) => {
      let found = 0
      for (let i = 0; i < keys.length; i++) {
        if (await db.get(keys[i]) !== undefined) found++
        progress(i + 1)
      }
      return found
    })
  }),
  populated('readrandom-64', `db.get of existing keys, ${IN_FLIGHT} in flight at a time`, [100_000, 20_000], async (db, context, random, codec) => {
    const keys = randomKeys(codec, random, context.count, context.dbSize)
    return timed(context.count, async (progress) => {
      let found = 0
      for (let start = 0; start < keys.length; start += IN_FLIGHT) {
        const end = Math.min(start + IN_FLIGHT, keys.length)
        const gets = []
        for (let i = start; i < end; i++) gets.push(db.get(keys[i]))
        for (const value of await Promise.all(gets)) if (value !== undefined) found++
        progress(end)
      }
      return found
    })
  }),
  populated('getsync', 'db.getSync of an existing key, one after another', [100_000, 20_000], async (db, context, random, codec) => {
    const keys = randomKeys(codec, random, context.count, context.dbSize)
    return timed(context.count, async (progress) => {
      let found = 0
      for (let i = 0; i < keys.length; i++) {
        if (db.getSync(keys[i]) !== undefined) found++
        progress(i + 1)
      }
      return found
    })
  }),
  populated('readmissing', 'one awaited db.get of an absent key (inside the key range) at a time', [30_000, 10_000], async (db, context, random, codec) => {
    const keys = randomKeys(codec, random, context.count, context.dbSize, absentKey)
    const timing = await timed(context.count, async (progress) => {
      let found = 0
      for (let i = 0; i < keys.length; i++) {
        if (await db.get(keys[i]) !== undefined) found++
        progress(i + 1)
      }
      return found
    })
    if (timing.found !== 0) throw new Error(`absent keys: ${String(timing.found)} found`)
    delete timing.found
    return timing
  }),
  populated('getmany', `db.getMany of ${GET_MANY_SIZE} existing keys (ops = keys)`, [100_000, 20_000], async (db, context, random, codec) => {
    const keys = randomKeys(codec, random, context.count, context.dbSize)
    return timed(context.count, async (progress) => {
      let found = 0
      for (let start = 0; start < keys.length; start += GET_MANY_SIZE) {
        for (const value of await db.getMany(keys.slice(start, start + GET_MANY_SIZE))) if (value !== undefined) found++
        progress(Math.min(start + GET_MANY_SIZE, keys.length))
      }
      return found
    })
  }),
  populated('iterate', 'for await over an iterator of the whole database', 'whole db', async (db, context) => {
    return timed(context.dbSize, async (progress) => {
      let found = 0
      for await (const entry of db.iterator()) {
        if (entry !== undefined) found++
        progress(found)
      }
      return found
    })
  }),
  populated('scan', `iterator over the whole database, nextv(${SCAN_CHUNK})`, 'whole db', (db, context) =>
    timed(context.dbSize, (progress) => scan(db, false, progress))),
  populated('scan-reverse', `reverse iterator over the whole database, nextv(${SCAN_CHUNK})`, 'whole db', (db, context) =>
    timed(context.dbSize, (progress) => scan(db, true, progress))),
  populated('seekrandom', 'iterator.seek to a random existing key, then one next()', [20_000, 10_000], async (db, context, random, codec) => {
    const keys = randomKeys(codec, random, context.count, context.dbSize)
    return timed(context.count, async (progress) => {
      const iterator = db.iterator()
      let found = 0
      for (let i = 0; i < keys.length; i++) {
        iterator.seek(keys[i])
        if (await iterator.next() !== undefined) found++
        progress(i + 1)
      }
      await iterator.close()
      return found
    })
  }),
  {
    name: 'fill2m',
    description: 'random keys, db.batch of 1000 puts; reports event-loop delay, RSS, write and space amplification; then reopens for .scan (nextv(1000) over all) and .get (one awaited db.get at a time of 1 in 20 keys)',
    defaultCount: () => 2_000_000,
    valueSizes: [100],
    run: (context) => fill2m(context, false)
  },
  {
    name: 'fill2m-reads',
    description: 'fill2m with one db.get of a written key every millisecond alongside; reports read latency too',
    defaultCount: () => 2_000_000,
    valueSizes: [100],
    run: (context) => fill2m(context, true)
  },
  {
    name: 'bigvalue',
    description: 'one 50 MB value: put, get, close, reopen, get (ops = round trips); reports peak RSS',
    defaultCount: () => 1,
    valueSizes: [100],
    persistentOnly: true,
    run: bigValueRoundTrip
  }
]

/** 16 random decimal digits: as random as binary keys, and valid in every encoding. */
function randomDecimalKey (random: Random): string {
  return String(random.int(1e8)).padStart(8, '0') + String(random.int(1e8)).padStart(8, '0')
}

// The 2-million-entry fill, instrumented: event-loop delay, read latency during the fill, peak
// RSS, bytes written (write amplification) and the directory size after close (space amplification).
// Keys come from their own generator, so the read-back after reopening can regenerate them instead
// of holding 2 million keys in memory during the fill.
async function fill2m (context: WorkloadContext, withReads: boolean): Promise<Measurement> {
  const keySeed = context.seed + 2
  const keyRandom = createRandom(keySeed)
  const codec = new Codec(context.shape.encoding)
  const values = new ValueSource(createRandom(context.seed), context.shape)
  const rss = new RssSampler()
  rss.start()
  const ioBefore = readIoCounters()
  let db = await openFresh(context)
  const probe = new EventLoopProbe()
  const batchLatency = new LatencyRecorder()
  const readLatency = new LatencyRecorder()
  // One key per batch, already written: the reader's targets.
  const written: Datum[] = []
  let filling = true
  let found = 0
  let readElapsedMs = 0
  let userBytes = 0

  const reader = async (): Promise<void> => {
    if (!withReads) return
    const readRandom = createRandom(context.seed + 1)
    const started = process.hrtime.bigint()
    while (filling) {
      await sleep(1)
      if (written.length === 0) continue
      const key = readRandom.pick(written)
      const t0 = process.hrtime.bigint()
      const value = await db.get(key)
      readLatency.record(Number(process.hrtime.bigint() - t0) / 1e6)
      if (value !== undefined) found++
    }
    readElapsedMs = Number(process.hrtime.bigint() - started) / 1e6
  }

  probe.start()
  const reading = reader()
  const timing = await timed(context.count, async (progress) => {
    for (let start = 0; start < context.count; start += BATCH_SIZE) {
      const end = Math.min(start + BATCH_SIZE, context.count)
      const operations = []
      for (let index = start; index < end; index++) {
        const value = values.next()
        operations.push({ type: 'put' as const, key: codec.key(randomDecimalKey(keyRandom)), value })
        userBytes += KEY_SIZE + byteLength(value)
      }
      const t0 = process.hrtime.bigint()
      await db.batch(operations)
      batchLatency.record(Number(process.hrtime.bigint() - t0) / 1e6)
      written.push(operations[0].key)
      progress(end)
    }
  })
  filling = false
  await reading
  const eventLoop = probe.stop()
  await db.close()
  const peakRssBytes = rss.stop()
  const io = ioDelta(ioBefore, readIoCounters())
  const fill: FillReport = {
    userBytes,
    eventLoop,
    batchLatency: batchLatency.summary(),
    reads: !withReads ? undefined : {
      count: readLatency.count,
      found,
      perSecond: readLatency.count / (readElapsedMs / 1000),
      latency: readLatency.summary()
    },
    io,
    dirBytesAfterClose: directorySize(context.location),
    peakRssBytes
  }
  if (withReads || !context.engine.persistent) return { ...timing, fill }

  db = await openFresh(context)
  const scanTiming = await timed(0, () => scan(db, false))
  // Random keys repeat now and then, so the scan counts the distinct entries it found.
  const phases: NonNullable<Measurement['phases']> = [
    { name: 'scan', operations: scanTiming.found ?? 0, elapsedMs: scanTiming.elapsedMs, cpuMicros: scanTiming.cpuMicros }
  ]

  const readBack: Datum[] = []
  const regenerated = createRandom(keySeed)
  for (let index = 0; index < context.count; index++) {
    const key = randomDecimalKey(regenerated)
    if (index % FILL2M_READ_BACK_STRIDE === 0) readBack.push(codec.key(key))
  }
  const order = shuffledIndexes(createRandom(context.seed + 3), readBack.length)
  const getTiming = await timed(readBack.length, async (progress) => {
    let hits = 0
    for (let i = 0; i < order.length; i++) {
      if (await db.get(readBack[order[i]]) !== undefined) hits++
      progress(i + 1)
    }
    return hits
  })
  phases.push({ name: 'get', ...getTiming })
  await db.close()
  return { ...timing, fill, phases }
}

async function bigValueRoundTrip (context: WorkloadContext): Promise<Measurement> {
  const codec = new Codec(context.shape.encoding)
  const key = codec.key(decimalKey(1))
  const value = codec.value(printableValue(createRandom(context.seed), BIG_VALUE_SIZE))
  const expectedLength = byteLength(value)
  let db = await openFresh(context)
  const check = (read: Datum | undefined): void => {
    if (read === undefined || byteLength(read) !== expectedLength) throw new Error(`50 MB value read back as ${read === undefined ? 'nothing' : `${byteLength(read)} bytes`}`)
  }
  const timing = await timed(context.count, async () => {
    for (let i = 0; i < context.count; i++) {
      await db.put(key, value)
      check(await db.get(key))
      db = await reopen(db, context)
      check(await db.get(key))
    }
  })
  await db.close()
  return timing
}

export function findWorkload (name: string): Workload | undefined {
  return workloads.find((workload) => workload.name === name)
}
