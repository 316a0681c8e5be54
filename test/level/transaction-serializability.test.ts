// Serializability checker: many concurrent transactions with randomly interleaved awaits mix
// point reads, range scans and writes while plain writes run beside them. The order in which
// the engine gave batches their sequences is recorded (through the write path's validate hook);
// replaying every committed transaction's program and every plain write one by one in that order
// on memory-level must reproduce exactly what each transaction read, and the final contents.
import tape from 'tape'
import { MemoryLevel } from 'memory-level'
import { AiLevel } from '../../index'
import { UNCLAMPED_SIZES } from '../../lib/level/options'
import type { IsolationLevel, Transaction } from '../../index'
import { DB } from '../../lib/db/db'
import type { DBWriteOptions } from '../../lib/db/options'
import type { WriteBatch } from '../../lib/format/write-batch'
import { ValueType } from '../../lib/format/internal-key'
import { errorCode } from '../../lib/util/errors'
import { createRandom, testSeed } from '../util/random'
import type { Random } from '../util/random'
import { tempLocation } from '../util/temp-dir'

const KEYS = Array.from({ length: 24 }, (_, i) => `k${String(i).padStart(2, '0')}`)
const MARKER = 'm/'

interface Range { gte?: string, gt?: string, lt?: string, lte?: string, reverse?: boolean, limit?: number }

type Step =
  | { op: 'get', key: string, result: string | undefined }
  | { op: 'has', key: string, result: boolean }
  | { op: 'scan', range: Range, result: Array<[string, string]> }
  | { op: 'put', key: string, value: string }
  | { op: 'del', key: string }
  | { op: 'clear', range: Range }

type Applied = Array<{ type: 'put' | 'del', key: string, value: string }>

// Every batch in the order the engine gave it its sequence, as decoded at that moment.
function recordWriteOrder (): { order: Applied[], restore: () => void } {
  const order: Applied[] = []
  const original = Object.getOwnPropertyDescriptor(DB.prototype, 'write') as PropertyDescriptor
  const write = original.value as (this: DB, batch: WriteBatch, options?: DBWriteOptions) => Promise<void>
  DB.prototype.write = function (batch: WriteBatch, options: DBWriteOptions = {}): Promise<void> {
    const validate = options.validate
    return write.call(this, batch, {
      ...options,
      validate: () => {
        validate?.()
        const ops: Applied = []
        batch.forEach((type, key, value) => ops.push({ type: type === ValueType.Value ? 'put' : 'del', key: key.toString(), value: value.toString() }))
        order.push(ops)
      }
    })
  }
  return { order, restore: () => Object.defineProperty(DB.prototype, 'write', original) }
}

function randomRange (random: Random): Range {
  const a = random.pick(KEYS)
  const b = random.pick(KEYS)
  const [low, high] = a < b ? [a, b] : [b, a]
  const range: Range = {}
  if (random.chance(0.8)) range[random.chance(0.5) ? 'gte' : 'gt'] = low
  else range.gte = 'k'
  if (random.chance(0.8)) range[random.chance(0.5) ? 'lt' : 'lte'] = high
  else range.lt = 'l'
  if (random.chance(0.4)) range.reverse = true
  if (random.chance(0.3)) range.limit = random.between(1, 4)
  return range
}

async function interleave (random: Random): Promise<void> {
  const turns = random.int(4)
  for (let i = 0; i < turns; i++) {
    if (random.chance(0.5)) await new Promise(resolve => setImmediate(resolve))
    else await Promise.resolve()
  }
}

function value (random: Random, tag: string, valueBytes: number): string {
  return `${tag}:${'v'.repeat(random.int(valueBytes))}`
}

async function runProgram (tx: Transaction, random: Random, id: number, valueBytes: number): Promise<Step[]> {
  const steps: Step[] = []
  const length = random.between(1, 6)
  for (let i = 0; i < length; i++) {
    await interleave(random)
    const roll = random.next()
    const key = random.pick(KEYS)
    if (roll < 0.3) {
      steps.push({ op: 'get', key, result: await tx.get(key) })
    } else if (roll < 0.4) {
      steps.push({ op: 'has', key, result: await tx.has(key) })
    } else if (roll < 0.6) {
      const range = randomRange(random)
      const it = tx.iterator(range)
      const result: Array<[string, string]> = []
      // Read in small steps so the scan itself is interleaved with other work.
      while (true) {
        const entries = await it.nextv(random.between(1, 3))
        if (entries.length === 0) break
        result.push(...entries)
        await interleave(random)
      }
      await it.close()
      steps.push({ op: 'scan', range, result })
    } else if (roll < 0.85) {
      const v = value(random, `t${id}.${i}`, valueBytes)
      await tx.put(key, v)
      steps.push({ op: 'put', key, value: v })
    } else if (roll < 0.95) {
      await tx.del(key)
      steps.push({ op: 'del', key })
    } else {
      const range = randomRange(random)
      await tx.clear(range)
      steps.push({ op: 'clear', range })
    }
  }
  // Every committed transaction writes its own marker, so its place in the write order is known.
  await tx.put(`${MARKER}${id}`, 'committed')
  return steps
}

async function plainWrite (db: AiLevel, random: Random, n: number, valueBytes: number): Promise<void> {
  const roll = random.next()
  const key = random.pick(KEYS)
  if (roll < 0.4) await db.put(key, value(random, `p${n}`, valueBytes))
  else if (roll < 0.6) await db.del(key)
  else if (roll < 0.8) await db.batch([{ type: 'put', key, value: value(random, `p${n}`, valueBytes) }, { type: 'del', key: random.pick(KEYS) }])
  else if (roll < 0.9) await db.batch().put(key, value(random, `p${n}`, valueBytes)).write()
  else await db.clear(randomRange(random))
}

// Replays the write order on memory-level; returns a description of each read that differs.
async function replay (order: Applied[], programs: Map<number, Step[]>): Promise<{ mismatches: string[], memory: MemoryLevel<string, string> }> {
  const memory = new MemoryLevel<string, string>()
  const mismatches: string[] = []
  for (const ops of order) {
    const marker = ops.find(op => op.key.startsWith(MARKER))
    if (marker === undefined) {
      await memory.batch(ops.map(op => op.type === 'put' ? op : { type: 'del' as const, key: op.key }))
      continue
    }
    const id = Number(marker.key.slice(MARKER.length))
    for (const step of programs.get(id) ?? []) {
      if (step.op === 'get') {
        const expected = await memory.get(step.key)
        if (expected !== step.result) mismatches.push(`tx ${id} get ${step.key}: read ${step.result}, serial order gives ${expected}`)
      } else if (step.op === 'has') {
        const expected = await memory.has(step.key)
        if (expected !== step.result) mismatches.push(`tx ${id} has ${step.key}: read ${step.result}, serial order gives ${expected}`)
      } else if (step.op === 'scan') {
        const expected = await memory.iterator(step.range).all()
        if (JSON.stringify(expected) !== JSON.stringify(step.result)) {
          mismatches.push(`tx ${id} scan ${JSON.stringify(step.range)}: read ${JSON.stringify(step.result)}, serial order gives ${JSON.stringify(expected)}`)
        }
      } else if (step.op === 'put') {
        await memory.put(step.key, step.value)
      } else if (step.op === 'del') {
        await memory.del(step.key)
      } else {
        await memory.clear(step.range)
      }
    }
    await memory.put(marker.key, marker.value)
  }
  return { mismatches, memory }
}

interface Outcome { committed: number, conflicts: number, plainWrites: number, mismatches: string[], contentsMatch: boolean, tableFiles: number }

async function runChecker (t: tape.Test, seed: number, isolation: IsolationLevel, dbOptions: { writeBufferSize?: number }): Promise<Outcome> {
  const random = createRandom(seed)
  const valueBytes = dbOptions.writeBufferSize !== undefined ? 200 : 20
  const db = new AiLevel(tempLocation(t), { ...dbOptions, maxFileSize: 16 * 1024, [UNCLAMPED_SIZES]: true })
  await db.open()
  const { order, restore } = recordWriteOrder()
  const programs = new Map<number, Step[]>()
  let conflicts = 0
  let plainWrites = 0
  let nextId = 0
  try {
    await db.batch(KEYS.filter((_, i) => i % 2 === 0).map(key => ({ type: 'put' as const, key, value: 'initial' })))
    const worker = async (): Promise<void> => {
      for (let i = 0; i < 40; i++) {
        const id = nextId++
        const tx = db.transaction({ isolation })
        const steps = await runProgram(tx, random, id, valueBytes)
        await interleave(random)
        try {
          await tx.commit()
          programs.set(id, steps)
        } catch (err) {
          if (errorCode(err) !== 'LEVEL_TRANSACTION_CONFLICT') throw err
          conflicts++
        }
      }
    }
    const plainWriter = async (): Promise<void> => {
      for (let n = 0; n < 150; n++) {
        await interleave(random)
        await plainWrite(db, random, n, valueBytes)
        plainWrites++
      }
    }
    await Promise.all([...Array.from({ length: 8 }, worker), plainWriter()])
  } finally {
    restore()
  }
  const { mismatches, memory } = await replay(order, programs)
  const contentsMatch = JSON.stringify(await db.iterator().all()) === JSON.stringify(await memory.iterator().all())
  let tableFiles = 0
  for (let level = 0; level < 7; level++) tableFiles += Number(db.getProperty(`leveldb.num-files-at-level${level}`))
  await db.close()
  return { committed: programs.size, conflicts, plainWrites, mismatches, contentsMatch, tableFiles }
}

for (const [name, dbOptions] of [['default buffers', {}], ['a 4 KiB write buffer (flushes and compactions mid-transaction)', { writeBufferSize: 4 * 1024 }]] as const) {
  tape(`serializability: committed transactions read what a serial replay in commit order reads (${name})`, async (t) => {
    const seed = testSeed(2024)
    t.comment(`seed ${seed} (replay with AIDB_TEST_SEED)`)
    const outcome = await runChecker(t, seed, 'serializable', dbOptions)
    t.comment(`${outcome.committed} committed, ${outcome.conflicts} conflicts, ${outcome.plainWrites} plain writes, ${outcome.tableFiles} table files`)
    t.same(outcome.mismatches.slice(0, 5), [], 'every read of every committed transaction matches the replay')
    t.ok(outcome.contentsMatch, 'the database holds what the replay holds')
    t.ok(outcome.committed >= 100, 'most transactions committed')
    t.ok(outcome.conflicts >= 10, 'and enough conflicted for the check to matter')
    if ('writeBufferSize' in dbOptions) t.ok(outcome.tableFiles > 0, 'memtables were flushed to tables during the run')
  })
}

tape('serializability: the checker catches snapshot isolation\'s anomalies (it can fail)', async (t) => {
  const seed = testSeed(2024)
  t.comment(`seed ${seed} (replay with AIDB_TEST_SEED)`)
  const outcome = await runChecker(t, seed, 'snapshot', {})
  t.comment(`${outcome.committed} committed, ${outcome.conflicts} conflicts, ${outcome.mismatches.length} reads differ from the serial replay`)
  t.ok(outcome.mismatches.length > 0, 'reads that no serial order explains are found')
})
