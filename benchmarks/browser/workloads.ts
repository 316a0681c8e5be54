// The browser benchmark's workloads, run against any abstract-level database inside Chromium (in a
// dedicated worker, or on the page through AiLevelWorker): the issue-22 set, on one database per
// repetition that the first workload fills. Keys are db_bench's 16-byte decimals, values 100
// printable bytes as utf8 strings.
import { createRandom, Random } from '../../test/util/random'
import { absentKey, BATCH_SIZE, decimalKey, shuffledIndexes } from '../data'

export const WORKLOADS = ['fill', 'put', 'get', 'getAbsent', 'getMany', 'scan', 'seek'] as const
export type Workload = typeof WORKLOADS[number]

/** What each workload's rate counts, for the table. */
export const WORKLOAD_LABELS: Record<Workload, string> = {
  fill: 'batch fill (puts/s)',
  put: 'serial put',
  get: 'serial get',
  getAbsent: 'get of absent keys',
  getMany: 'getMany (keys/s)',
  scan: 'full scan (entries/s)',
  seek: 'seek + next'
}

/** Keys per getMany call. */
export const GET_MANY_SIZE = 100

/** The part of abstract-level the workloads use, written structurally so every engine fits. */
export interface BrowserBenchIterator {
  next (): Promise<[string, string] | undefined>
  seek (target: string): void
  close (): Promise<void>
  [Symbol.asyncIterator] (): AsyncIterator<[string, string]>
}

export interface BrowserBenchDb {
  open (): Promise<void>
  close (): Promise<void>
  put (key: string, value: string): Promise<void>
  get (key: string): Promise<string | undefined>
  getMany (keys: string[]): Promise<Array<string | undefined>>
  batch (operations: Array<{ type: 'put', key: string, value: string }>): Promise<void>
  iterator (): BrowserBenchIterator
}

export interface BenchConfig {
  /** Keys in the database after the fill. */
  keys: number
  /** Operations of each serial workload (put, get, getAbsent, seek) and keys read by getMany. */
  ops: number
  seed: number
}

/** One workload's measurement: operations done, the wall time they took, and the CPU time all of Chromium's processes spent meanwhile. */
export interface WorkloadTiming {
  workload: Workload
  ops: number
  millis: number
  cpuMillis: number
}

/** Clocks the workloads read: wall time, and the CPU time of the whole browser (asked of the driver, outside the timed span). */
export interface Clocks {
  now (): number
  browserCpu (): Promise<number>
}

function printableValue (random: Random, size: number): string {
  let value = ''
  for (let i = 0; i < size; i++) value += String.fromCharCode(0x20 + random.int(95))
  return value
}

function randomKeys (random: Random, count: number, keys: number, keyOf: (index: number) => string): string[] {
  const result: string[] = []
  for (let i = 0; i < count; i++) result.push(keyOf(random.int(keys)))
  return result
}

/** Runs every workload in order on an opened, empty database, with data prepared before each timing. */
export async function runWorkloads (db: BrowserBenchDb, config: BenchConfig, clocks: Clocks): Promise<WorkloadTiming[]> {
  const random = createRandom(config.seed)
  const values: string[] = []
  for (let i = 0; i < 1024; i++) values.push(printableValue(random, 100))
  const valueAt = (i: number): string => values[i % values.length]
  const timings: WorkloadTiming[] = []
  const time = async (workload: Workload, ops: number, body: () => Promise<void>): Promise<void> => {
    const cpuStart = await clocks.browserCpu()
    const start = clocks.now()
    await body()
    const millis = clocks.now() - start
    timings.push({ workload, ops, millis, cpuMillis: await clocks.browserCpu() - cpuStart })
  }

  const order = shuffledIndexes(random, config.keys)
  const batches: Array<Array<{ type: 'put', key: string, value: string }>> = []
  for (let start = 0; start < order.length; start += BATCH_SIZE) {
    batches.push(Array.from(order.subarray(start, start + BATCH_SIZE), (index, i) => ({ type: 'put', key: decimalKey(index), value: valueAt(start + i) })))
  }
  await time('fill', config.keys, async () => {
    for (const batch of batches) await db.batch(batch)
  })

  const putKeys = randomKeys(random, config.ops, config.keys, decimalKey)
  await time('put', config.ops, async () => {
    for (let i = 0; i < putKeys.length; i++) await db.put(putKeys[i], valueAt(i + 7))
  })

  const getKeys = randomKeys(random, config.ops, config.keys, decimalKey)
  let found = 0
  await time('get', config.ops, async () => {
    for (const key of getKeys) if (await db.get(key) !== undefined) found++
  })
  if (found !== getKeys.length) throw new Error(`get found ${found} of ${getKeys.length} keys`)

  const absentKeys = randomKeys(random, config.ops, config.keys, absentKey)
  await time('getAbsent', config.ops, async () => {
    for (const key of absentKeys) if (await db.get(key) !== undefined) throw new Error(`absent key ${key} was found`)
  })

  const manyKeys: string[][] = []
  for (let done = 0; done < config.ops; done += GET_MANY_SIZE) manyKeys.push(randomKeys(random, Math.min(GET_MANY_SIZE, config.ops - done), config.keys, decimalKey))
  await time('getMany', config.ops, async () => {
    for (const keys of manyKeys) {
      const got = await db.getMany(keys)
      if (got.includes(undefined)) throw new Error('getMany missed a key')
    }
  })

  let scanned = 0
  await time('scan', config.keys, async () => {
    for await (const entry of db.iterator()) if (entry[1].length > 0) scanned++
  })
  if (scanned !== config.keys) throw new Error(`the scan saw ${scanned} of ${config.keys} entries`)

  const seekKeys = randomKeys(random, config.ops, config.keys, decimalKey)
  await time('seek', config.ops, async () => {
    const iterator = db.iterator()
    try {
      for (const key of seekKeys) {
        iterator.seek(key)
        const entry = await iterator.next()
        if (entry === undefined || entry[0] !== key) throw new Error(`seek to ${key} landed on ${String(entry?.[0])}`)
      }
    } finally {
      await iterator.close()
    }
  })
  return timings
}
