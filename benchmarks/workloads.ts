// db_bench-style workloads. Each opens its own database in the given location and times only its core loop.
import { createRandom, Random } from '../test/util/random'
import { BATCH_SIZE, randomKey, sequentialKey, ValueSource } from './data'
import { BenchDb, Engine } from './engines'

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
  {
    name: 'readrandom',
    description: 'one awaited db.get of an existing key at a time',
    defaultCount: 100_000,
    async run (context) {
      const random = createRandom(context.seed)
      const db = await openPopulated(context, random)
      const measurement = await timed(context.count, async () => {
        let found = 0
        for (let i = 0; i < context.count; i++) {
          if (await db.get(sequentialKey(random.int(context.count))) !== undefined) found++
        }
        return found
      })
      await db.close()
      return measurement
    }
  },
  {
    name: 'readrandom-batched',
    description: `db.get of existing keys, ${READS_IN_FLIGHT} in flight at a time`,
    defaultCount: 100_000,
    async run (context) {
      const random = createRandom(context.seed)
      const db = await openPopulated(context, random)
      const measurement = await timed(context.count, async () => {
        let found = 0
        for (let start = 0; start < context.count; start += READS_IN_FLIGHT) {
          const keys = Array.from({ length: Math.min(READS_IN_FLIGHT, context.count - start) }, () => sequentialKey(random.int(context.count)))
          const values = await Promise.all(keys.map((key) => db.get(key)))
          found += values.filter((value) => value !== undefined).length
        }
        return found
      })
      await db.close()
      return measurement
    }
  },
  {
    name: 'scan',
    description: `forward iterator over the whole database, nextv(${SCAN_CHUNK})`,
    defaultCount: 200_000,
    async run (context) {
      const db = await openPopulated(context, createRandom(context.seed))
      const measurement = await timed(context.count, async () => {
        const iterator = db.iterator()
        let found = 0
        while (true) {
          const entries = await iterator.nextv(SCAN_CHUNK)
          if (entries.length === 0) break
          found += entries.length
        }
        await iterator.close()
        return found
      })
      await db.close()
      return measurement
    }
  },
  {
    name: 'seekrandom',
    description: 'iterator.seek to a random existing key, then one next()',
    defaultCount: 50_000,
    async run (context) {
      const random = createRandom(context.seed)
      const db = await openPopulated(context, random)
      const measurement = await timed(context.count, async () => {
        const iterator = db.iterator()
        let found = 0
        for (let i = 0; i < context.count; i++) {
          iterator.seek(sequentialKey(random.int(context.count)))
          if (await iterator.next() !== undefined) found++
        }
        await iterator.close()
        return found
      })
      await db.close()
      return measurement
    }
  },
  fillWorkload('fill2m', 'random 16-byte keys, db.batch of 1000 puts; reports elapsed time and peak RSS', 2_000_000, (random) => randomKey(random))
]

export function findWorkload (name: string): Workload | undefined {
  return workloads.find((workload) => workload.name === name)
}
