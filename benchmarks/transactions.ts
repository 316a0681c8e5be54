// Transactions against the unsafe read-modify-write they replace, on ai-level and classic-level:
// - rmw: get a key, put it back changed, one key per op, one op in flight (uncontended);
// - contended: 64 increments in flight over 100 hot keys, each waiting one event-loop turn
//   between its read and its write (transactions: commits/s and conflict rate; unsafe: how many
//   increments were lost);
// - range: read 10 consecutive keys, write one key from what was read.
// Each row is the median of alternating rounds (engines and forms take turns), with CPU time per
// op (process.cpuUsage, steadier than wall time on a shared machine) beside ops/s.
// Run: npm run bench:transactions [-- --ops N --rounds R --scale F]; npm run bench runs it too.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ClassicLevel } from 'classic-level'
import { AiLevel } from '../index'
import { createRandom } from '../test/util/random'

interface Options { ops: number, rounds: number }

const DEFAULT_OPS = 20000

// --scale multiplies the default operation count, as for every script `npm run bench` runs.
function parseArgs (argv: string[]): Options {
  const options: Options = { ops: DEFAULT_OPS, rounds: 3 }
  for (let i = 0; i < argv.length; i += 2) {
    const value = Number(argv[i + 1])
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${argv[i]} needs a positive number, got ${argv[i + 1]}`)
    if (argv[i] === '--ops') options.ops = Math.round(value)
    else if (argv[i] === '--rounds') options.rounds = Math.round(value)
    else if (argv[i] === '--scale') options.ops = Math.max(1, Math.round(DEFAULT_OPS * value))
    else throw new Error(`unknown argument ${argv[i]}`)
  }
  return options
}

const KEYS = 10000
const HOT_KEYS = 100
const IN_FLIGHT = 64
const RANGE = 10

type Engine = 'ai-level' | 'classic-level'
type Db = AiLevel | ClassicLevel<string, string>
// What both engines' values() have in common (their overloads do not unite).
interface RangeReader { values (options: { gte: string, limit: number }): { all (): Promise<string[]> } }

interface Sample { opsPerSecond: number, cpuMicrosPerOp: number, conflictRate?: number, lost?: number }

interface Workload {
  name: string
  engine: Engine
  // Runs `ops` operations; may report conflicts or lost updates.
  run: (db: Db, ops: number) => Promise<{ conflicts?: number, lost?: number }>
}

function keyOf (n: number): string {
  return `key${String(n).padStart(6, '0')}`
}

async function fill (db: Db): Promise<void> {
  for (let start = 0; start < KEYS; start += 1000) {
    await db.batch(Array.from({ length: 1000 }, (_, i) => ({ type: 'put' as const, key: keyOf(start + i), value: '0' })))
  }
}

function asAi (db: Db): AiLevel {
  return db as AiLevel
}

async function unsafeRmw (db: Db, ops: number): Promise<Record<string, number>> {
  const random = createRandom(1)
  for (let i = 0; i < ops; i++) {
    const key = keyOf(random.int(KEYS))
    await db.put(key, String(Number(await db.get(key)) + 1))
  }
  return {}
}

async function transactionRmw (db: Db, ops: number): Promise<Record<string, number>> {
  const random = createRandom(1)
  for (let i = 0; i < ops; i++) {
    const key = keyOf(random.int(KEYS))
    await asAi(db).transaction(async (tx) => { await tx.put(key, String(Number(await tx.get(key)) + 1)) })
  }
  return {}
}

async function sumOfHotKeys (db: Db): Promise<number> {
  const values = await db.getMany(Array.from({ length: HOT_KEYS }, (_, i) => keyOf(i)))
  return values.reduce((sum, value) => sum + Number(value), 0)
}

// Between the read and the write of a contended increment, as any real work there would take.
function nextTurn (): Promise<void> {
  return new Promise(resolve => setImmediate(resolve))
}

// IN_FLIGHT workers share `ops` increments of random hot keys.
async function contended (db: Db, ops: number, increment: (key: string) => Promise<void>): Promise<void> {
  const random = createRandom(2)
  let started = 0
  const worker = async (): Promise<void> => {
    while (started < ops) {
      started++
      await increment(keyOf(random.int(HOT_KEYS)))
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
}

async function unsafeContended (db: Db, ops: number): Promise<Record<string, number>> {
  const before = await sumOfHotKeys(db)
  await contended(db, ops, async (key) => {
    const value = await db.get(key)
    await nextTurn()
    await db.put(key, String(Number(value) + 1))
  })
  return { lost: before + ops - await sumOfHotKeys(db) }
}

async function transactionContended (db: Db, ops: number): Promise<Record<string, number>> {
  let attempts = 0
  await contended(db, ops, (key) => asAi(db).transaction(async (tx) => {
    attempts++
    const value = await tx.get(key)
    await nextTurn()
    await tx.put(key, String(Number(value) + 1))
  }, { retries: 1000 }))
  return { conflicts: attempts - ops }
}

// Reads RANGE consecutive keys from a random start and writes their sum under a key of its own.
async function unsafeRange (db: Db, ops: number): Promise<Record<string, number>> {
  const random = createRandom(3)
  for (let i = 0; i < ops; i++) {
    const start = random.int(KEYS - RANGE)
    const values = await (db as RangeReader).values({ gte: keyOf(start), limit: RANGE }).all()
    await db.put(`sum${start}`, String(values.reduce((sum, value) => sum + Number(value), 0)))
  }
  return {}
}

async function transactionRange (db: Db, ops: number): Promise<Record<string, number>> {
  const random = createRandom(3)
  for (let i = 0; i < ops; i++) {
    const start = random.int(KEYS - RANGE)
    await asAi(db).transaction(async (tx) => {
      const values = await tx.values({ gte: keyOf(start), limit: RANGE }).all()
      await tx.put(`sum${start}`, String(values.reduce((sum, value) => sum + Number(value), 0)))
    })
  }
  return {}
}

const WORKLOADS: Workload[] = [
  { name: 'rmw unsafe (get then put)', engine: 'classic-level', run: unsafeRmw },
  { name: 'rmw unsafe (get then put)', engine: 'ai-level', run: unsafeRmw },
  { name: 'rmw transaction', engine: 'ai-level', run: transactionRmw },
  { name: `contended unsafe (${IN_FLIGHT} in flight, ${HOT_KEYS} keys)`, engine: 'classic-level', run: unsafeContended },
  { name: `contended unsafe (${IN_FLIGHT} in flight, ${HOT_KEYS} keys)`, engine: 'ai-level', run: unsafeContended },
  { name: `contended transaction (${IN_FLIGHT} in flight, ${HOT_KEYS} keys)`, engine: 'ai-level', run: transactionContended },
  { name: `range unsafe (${RANGE} keys, then put)`, engine: 'classic-level', run: unsafeRange },
  { name: `range unsafe (${RANGE} keys, then put)`, engine: 'ai-level', run: unsafeRange },
  { name: `range transaction (${RANGE} keys, then put)`, engine: 'ai-level', run: transactionRange }
]

async function measure (workload: Workload, ops: number): Promise<Sample> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-transactions-'))
  const location = path.join(dir, 'db')
  const db: Db = workload.engine === 'ai-level' ? new AiLevel(location) : new ClassicLevel<string, string>(location)
  try {
    await db.open()
    await fill(db)
    // Warm-up, so both forms run compiled code.
    await workload.run(db, Math.min(2000, ops))
    const cpu = process.cpuUsage()
    const started = process.hrtime.bigint()
    const result = await workload.run(db, ops)
    const seconds = Number(process.hrtime.bigint() - started) / 1e9
    const used = process.cpuUsage(cpu)
    const sample: Sample = { opsPerSecond: ops / seconds, cpuMicrosPerOp: (used.user + used.system) / ops }
    if (result.conflicts !== undefined) sample.conflictRate = result.conflicts / (result.conflicts + ops)
    if (result.lost !== undefined) sample.lost = result.lost
    return sample
  } finally {
    await db.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

async function main (): Promise<void> {
  const options = parseArgs(process.argv.slice(2))
  console.log(`${options.ops} ops per measurement, median of ${options.rounds} alternating rounds, node ${process.version}, ${os.cpus().length} CPUs (shared machine: compare within one run)`)
  const samples = WORKLOADS.map((): Sample[] => [])
  for (let round = 0; round < options.rounds; round++) {
    for (let i = 0; i < WORKLOADS.length; i++) samples[i].push(await measure(WORKLOADS[i], options.ops))
  }
  console.log('\n| workload | engine | ops/s | CPU µs/op | notes |\n|---|---|--:|--:|---|')
  for (let i = 0; i < WORKLOADS.length; i++) {
    const { name, engine } = WORKLOADS[i]
    const rows = samples[i]
    const notes: string[] = []
    const conflictRates = rows.flatMap(row => row.conflictRate === undefined ? [] : [row.conflictRate])
    if (conflictRates.length > 0) notes.push(`conflict rate ${(median(conflictRates) * 100).toFixed(1)}% (commits/s = ops/s)`)
    const lost = rows.flatMap(row => row.lost === undefined ? [] : [row.lost])
    if (lost.length > 0) notes.push(`lost updates ${lost.join('/')} of ${options.ops}`)
    console.log(`| ${name} | ${engine} | ${median(rows.map(row => row.opsPerSecond)).toFixed(0)} | ${median(rows.map(row => row.cpuMicrosPerOp)).toFixed(1)} | ${notes.join('; ')} |`)
  }
}

main().catch((err: Error) => {
  console.error(err)
  process.exitCode = 1
})
