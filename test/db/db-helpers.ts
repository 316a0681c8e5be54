// Shared helpers for the DB engine tests: a model of the expected contents, writes, checks.
import fs from 'node:fs'
import type test from 'tape'
import { DB } from '../../lib/db/db'
import { WriteBatch } from '../../lib/format/write-batch'
import { createRandom, testSeed, type Random } from '../util/random'
import { scan, scanBackward } from '../util/db'

export type Model = Map<string, string>

export const keyOf = (i: number): string => `key${String(i).padStart(6, '0')}`

export async function put (db: DB, key: string, value: string): Promise<void> {
  const batch = new WriteBatch()
  batch.put(Buffer.from(key), Buffer.from(value))
  await db.write(batch, {})
}

export async function del (db: DB, key: string): Promise<void> {
  const batch = new WriteBatch()
  batch.del(Buffer.from(key))
  await db.write(batch, {})
}

// Random puts (single and batched) and deletes over keyCount keys, mirrored in the model.
export async function writeRandom (db: DB, model: Model, random: Random, ops: number, keyCount: number, label: string): Promise<void> {
  for (let i = 0; i < ops; i++) {
    const key = keyOf(random.int(keyCount))
    const roll = random.next()
    if (roll < 0.15) {
      await del(db, key)
      model.delete(key)
    } else if (roll < 0.25) {
      const batch = new WriteBatch()
      for (let j = 0; j < 5; j++) {
        const k = keyOf(random.int(keyCount))
        const v = `${label}-b${i}-${j}-` + 'v'.repeat(random.int(80))
        batch.put(Buffer.from(k), Buffer.from(v))
        model.set(k, v)
      }
      await db.write(batch, {})
    } else {
      const value = `${label}-${i}-` + 'w'.repeat(random.int(120))
      await put(db, key, value)
      model.set(key, value)
    }
  }
}

export const sorted = (model: Model): Array<[string, string]> => [...model].sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)

// Checks every key of the model (and some absent ones) by get, and the whole contents by iteration.
export function mismatches (db: DB, model: Model, keyCount: number): string[] {
  const problems: string[] = []
  for (let i = 0; i < keyCount; i++) {
    const key = keyOf(i)
    const got = db.get(Buffer.from(key))?.toString()
    if (got !== model.get(key)) problems.push(`get ${key}: ${String(got).slice(0, 30)} != ${String(model.get(key)).slice(0, 30)}`)
  }
  const expected = sorted(model)
  const forward = scan(db)
  if (JSON.stringify(forward) !== JSON.stringify(expected)) problems.push(`forward scan: ${forward.length} entries, expected ${expected.length}`)
  const backward = scanBackward(db)
  if (JSON.stringify(backward) !== JSON.stringify(expected)) problems.push(`backward scan: ${backward.length} entries, expected ${expected.length}`)
  return problems
}

export function checkModel (t: test.Test, db: DB, model: Model, keyCount: number, label: string): void {
  const problems = mismatches(db, model, keyCount)
  t.same(problems.slice(0, 5), [], `${label}: contents match the model (${model.size} keys)`)
}

export function filesAtLevels (db: DB): number[] {
  return Array.from({ length: 7 }, (_, level) => Number(db.getProperty(`aidb.num-files-at-level${level}`)))
}

export function liveTables (db: DB): Set<number> {
  const text = db.getProperty('aidb.sstables') ?? ''
  return new Set([...text.matchAll(/^ (\d+):/gm)].map(m => Number(m[1])))
}

export function filesWithSuffix (dir: string, suffix: string): number[] {
  return fs.readdirSync(dir).filter(n => n.endsWith(suffix)).map(n => Number(n.slice(0, -suffix.length))).sort((a, b) => a - b)
}

// Lets background flushes and compactions run.
export async function settle (): Promise<void> {
  for (let i = 0; i < 200; i++) await new Promise(resolve => setImmediate(resolve))
}

export function seeded (t: test.Test): Random {
  const seed = testSeed(424242)
  t.comment(`seed ${seed} (replay with AIDB_TEST_SEED)`)
  return createRandom(seed)
}

export async function rejectsWith (t: test.Test, promise: Promise<unknown>, check: (err: unknown) => boolean, message: string): Promise<void> {
  try {
    await promise
    t.fail(`${message}: expected an error`)
  } catch (err) {
    t.ok(check(err), `${message} (${(err as Error).message})`)
  }
}

export function scanProblems (db: DB, model: Model): string[] {
  const expected = JSON.stringify(sorted(model))
  const problems: string[] = []
  if (JSON.stringify(scan(db)) !== expected) problems.push('forward scan differs')
  if (JSON.stringify(scanBackward(db)) !== expected) problems.push('backward scan differs')
  return problems
}
