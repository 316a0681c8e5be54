// db_bench-style workloads. Each opens its own database in the given location and times only its core loop.
import { setTimeout as sleep } from 'node:timers/promises'
import { createRandom, Random } from '../test/util/random'
import { BATCH_SIZE, KEY_SIZE, randomKey, sequentialKey, VALUE_SIZE, ValueSource } from './data'
import { BenchDb, Engine } from './engines'
import { directorySize, EventLoopProbe, ioDelta, LatencyRecorder, readIoCounters, RssSampler, type DelaySummary, type IoCounters } from './probes'

export interface WorkloadContext {
  engine: Engine
  location: string
  count: number
  seed: number
}

export interface Measurement {
  operations: number
  elapsedMs: number
  /** For reads and seeks: how many found an entry (a sanity check that the workload did real work). */
  found?: number
  /** fill2m only: how the process fared while filling. */
  fill?: FillReport
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
  defaultCount: number
  run (context: WorkloadContext): Promise<Measurement>
}

const READS_IN_FLIGHT = 100
const SCAN_CHUNK = 1000

async function timed (operations: number, body: () => Promise<number | void>): Promise<Measurement> {
  const start = process.hrtime.bigint()
  const found = await body()
  const elapsedMs = Number(process.hrtime.bigint() - start) / 1e6
  return found === undefined ? { operations, elapsedMs } : { operations, elapsedMs, found }
}

async function openFresh (context: WorkloadContext): Promise<BenchDb> {
  const db = context.engine.create(context.location)
  await db.open()
  return db
}

async function fillInBatches (db: BenchDb, count: number, keyAt: (index: number) => Buffer, values: ValueSource): Promise<void> {
  for (let start = 0; start < count; start += BATCH_SIZE) {
    const end = Math.min(start + BATCH_SIZE, count)
    const operations = []
    for (let index = start; index < end; index++) {
      operations.push({ type: 'put' as const, key: keyAt(index), value: values.next() })
    }
    await db.batch(operations)
  }
}

/** A database holding keys 0..count-1, reopened so reads come from table files rather than the write buffer. */
async function openPopulated (context: WorkloadContext, random: Random): Promise<BenchDb> {
  const db = await openFresh(context)
  await fillInBatches(db, context.count, sequentialKey, new ValueSource(random))
  if (!context.engine.persistent) return db
  await db.close()
  return openFresh(context)
}

function fillWorkload (name: string, description: string, defaultCount: number, keyAt: (random: Random, index: number, count: number) => Buffer): Workload {
  return {
    name,
    description,
    defaultCount,
    async run (context) {
      const random = createRandom(context.seed)
      const values = new ValueSource(random)
      const db = await openFresh(context)
      const measurement = await timed(context.count, () =>
        fillInBatches(db, context.count, (index) => keyAt(random, index, context.count), values))
      await db.close()
      return measurement
    }
  }
}

/** A workload that times body against a populated database (see openPopulated); body returns how many reads found an entry. */
function populatedWorkload (name: string, description: string, defaultCount: number, body: (db: BenchDb, random: Random, count: number) => Promise<number>): Workload {
  return {
    name,
    description,
    defaultCount,
    async run (context) {
      const random = createRandom(context.seed)
      const db = await openPopulated(context, random)
      const measurement = await timed(context.count, () => body(db, random, context.count))
      await db.close()
      return measurement
    }
  }
}

export const workloads: readonly Workload[] = [
  fillWorkload('fillseq', 'sequential keys, db.batch of 1000 puts', 200_000, (_random, index) => sequentialKey(index)),
  fillWorkload('fillrandom', 'random keys, db.batch of 1000 puts', 200_000, (random, _index, count) => sequentialKey(random.int(count))),
  {
    name: 'fillrandom-single',
    description: 'random keys, one awaited db.put at a time',
    defaultCount: 20_000,
    async run (context) {
      const random = createRandom(context.seed)
      const values = new ValueSource(random)
      const db = await openFresh(context)
      const measurement = await timed(context.count, async () => {
        for (let i = 0; i < context.count; i++) {
          await db.put(sequentialKey(random.int(context.count)), values.next())
        }
      })
      await db.close()
      return measurement
    }
  },
  populatedWorkload('readrandom', 'one awaited db.get of an existing key at a time', 100_000, async (db, random, count) => {
    let found = 0
    for (let i = 0; i < count; i++) {
      if (await db.get(sequentialKey(random.int(count))) !== undefined) found++
    }
    return found
  }),
  populatedWorkload('readrandom-batched', `db.get of existing keys, ${READS_IN_FLIGHT} in flight at a time`, 100_000, async (db, random, count) => {
    let found = 0
    for (let start = 0; start < count; start += READS_IN_FLIGHT) {
      const keys = Array.from({ length: Math.min(READS_IN_FLIGHT, count - start) }, () => sequentialKey(random.int(count)))
      const values = await Promise.all(keys.map((key) => db.get(key)))
      found += values.filter((value) => value !== undefined).length
    }
    return found
  }),
  populatedWorkload('scan', `forward iterator over the whole database, nextv(${SCAN_CHUNK})`, 200_000, async (db) => {
    const iterator = db.iterator()
    let found = 0
    while (true) {
      const entries = await iterator.nextv(SCAN_CHUNK)
      if (entries.length === 0) break
      found += entries.length
    }
    await iterator.close()
    return found
  }),
  populatedWorkload('seekrandom', 'iterator.seek to a random existing key, then one next()', 50_000, async (db, random, count) => {
    const iterator = db.iterator()
    let found = 0
    for (let i = 0; i < count; i++) {
      iterator.seek(sequentialKey(random.int(count)))
      if (await iterator.next() !== undefined) found++
    }
    await iterator.close()
    return found
  }),
  {
    name: 'fill2m',
    description: 'random 16-byte keys, db.batch of 1000 puts; reports event-loop delay, RSS, write and space amplification',
    defaultCount: 2_000_000,
    run: (context) => fill2m(context, false)
  },
  {
    name: 'fill2m-reads',
    description: 'fill2m with one db.get of a written key every millisecond alongside; reports read latency too',
    defaultCount: 2_000_000,
    run: (context) => fill2m(context, true)
  }
]

// The 2-million-entry fill, instrumented: event-loop delay, read latency during the fill, peak
// RSS, bytes written (write amplification) and the directory size after close (space amplification).
async function fill2m (context: WorkloadContext, withReads: boolean): Promise<Measurement> {
  const random = createRandom(context.seed)
  const values = new ValueSource(random)
  const rss = new RssSampler()
  rss.start()
  const ioBefore = readIoCounters()
  const db = await openFresh(context)
  const probe = new EventLoopProbe()
  const batchLatency = new LatencyRecorder()
  const readLatency = new LatencyRecorder()
  // One key per batch, already written: the reader's targets.
  const written: Buffer[] = []
  let filling = true
  let found = 0
  let readElapsedMs = 0

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
  const measurement = await timed(context.count, async () => {
    for (let start = 0; start < context.count; start += BATCH_SIZE) {
      const end = Math.min(start + BATCH_SIZE, context.count)
      const operations = []
      for (let index = start; index < end; index++) {
        operations.push({ type: 'put' as const, key: randomKey(random), value: values.next() })
      }
      const t0 = process.hrtime.bigint()
      await db.batch(operations)
      batchLatency.record(Number(process.hrtime.bigint() - t0) / 1e6)
      written.push(operations[0].key)
    }
  })
  filling = false
  await reading
  const eventLoop = probe.stop()
  await db.close()
  const peakRssBytes = rss.stop()
  const io = ioDelta(ioBefore, readIoCounters())
  return {
    ...measurement,
    fill: {
      userBytes: context.count * (KEY_SIZE + VALUE_SIZE),
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
  }
}

export function findWorkload (name: string): Workload | undefined {
  return workloads.find((workload) => workload.name === name)
}
