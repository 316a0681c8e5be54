// Disk faults injected through FaultEnv: a failing write, fsync, rename or file creation (and torn
// writes) during a write, a flush, a compaction or an open. Each must give LEVEL_IO_ERROR to the
// operation it hits, leave the database readable and refusing writes, and lose no acknowledged
// write once the fault clears and the database is reopened. Also a simulated power cut: every
// write acknowledged with sync: true survives it. Every scenario runs twice: with flushes and
// compactions inline, and in the background worker thread (whose FaultEnv shares the rules).
import tape from 'tape'
import { DB } from '../../lib/db/db'
import { WriteBatch } from '../../lib/format/write-batch'
import type { DBOptions } from '../../lib/db/options'
import { FaultEnv, type FaultRule } from '../util/fault-env'
import { defaultEnv } from '../../lib/env/node-env'
import type { JobRunner } from '../../lib/compaction/job-runner'
import { WorkerJobRunner } from '../../lib/compaction/worker-job-runner'
import { TINY } from '../util/options'
import { batchEntries, codeOf, engineBatch, verifyContents } from './workload'
import { scan } from '../util/db'
import { removeDir, tempDir } from '../util/temp-dir'
import { createRandom, testSeed } from '../util/random'

// Tiny memtables and levels: a few hundred batches flush and compact many times.
// Power cuts per mode: each at a random moment of its own workload.
const POWER_CUTS = 16
const SMALL: Partial<DBOptions> = { ...TINY, writeBufferSize: 2048 }

async function settle (): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise(resolve => setImmediate(resolve))
}

interface Scenario {
  name: string
  rule: FaultRule
  sync?: boolean
  // Writers issued at once (group commit).
  parallel?: number
  // The log-file creation fault fails one write but, as in LevelDB, is not a background error.
  refusesWrites?: boolean
  // Writes of LARGE_BATCH_IDS batches at once: over 256 entries, so the log write is made off the
  // main thread (WritableFile.appendAsync).
  large?: boolean
}

const LARGE_BATCH_IDS = 100

const MODES = [{ worker: false, mode: 'inline' }, { worker: true, mode: 'worker' }]

// The engine's job runner is private; this checks the jobs go where the mode says.
function checkRunner (t: tape.Test, db: DB, worker: boolean): void {
  const runner = (db as unknown as { jobRunner: JobRunner }).jobRunner
  t.equal(runner instanceof WorkerJobRunner, worker, worker ? 'jobs run in a worker thread' : 'jobs run inline')
}

// One engine batch holding the entries of batches first .. first + count - 1.
function combinedBatch (first: number, count: number): WriteBatch {
  const batch = new WriteBatch()
  for (let id = first; id < first + count; id++) batch.append(engineBatch(id))
  return batch
}

const WRITE_SCENARIOS: Scenario[] = [
  { name: 'log write fails (EIO)', rule: { op: 'write', kind: 'log', nth: 37 } },
  { name: 'log write is torn', rule: { op: 'write', kind: 'log', nth: 53, torn: true } },
  { name: 'log write fails (ENOSPC, disk stays full)', rule: { op: 'write', kind: 'log', nth: 80, code: 'ENOSPC', sticky: true } },
  { name: 'log write of a large batch fails', rule: { op: 'write', kind: 'log', nth: 5 }, large: true },
  { name: 'log write of a large batch is torn', rule: { op: 'write', kind: 'log', nth: 7, torn: true }, large: true },
  { name: 'log write of a large batch fails under sync writers', rule: { op: 'write', kind: 'log', nth: 4 }, large: true, sync: true, parallel: 3 },
  { name: 'log fdatasync fails under sync writers', rule: { op: 'sync', kind: 'log', nth: 12 }, sync: true, parallel: 8 },
  { name: 'log fdatasync fails, single sync writer', rule: { op: 'sync', kind: 'log', nth: 30 }, sync: true },
  { name: 'log file creation fails at memtable switch', rule: { op: 'create', kind: 'log', nth: 3 }, refusesWrites: false },
  { name: 'table write fails during flush', rule: { op: 'write', kind: 'table', nth: 2 } },
  { name: 'table write torn during flush', rule: { op: 'write', kind: 'table', nth: 9, torn: true } },
  { name: 'table write fails (ENOSPC, disk stays full)', rule: { op: 'write', kind: 'table', nth: 6, code: 'ENOSPC', sticky: true } },
  { name: 'table fdatasync fails', rule: { op: 'sync', kind: 'table', nth: 7 } },
  { name: 'table creation fails', rule: { op: 'create', kind: 'table', nth: 5 } },
  { name: 'MANIFEST write fails', rule: { op: 'write', kind: 'manifest', nth: 6 } },
  { name: 'MANIFEST write torn', rule: { op: 'write', kind: 'manifest', nth: 11, torn: true } },
  { name: 'MANIFEST fdatasync fails', rule: { op: 'sync', kind: 'manifest', nth: 9 } },
  { name: 'everything fails (ENOSPC) from some write on', rule: { op: 'write', nth: 150, code: 'ENOSPC', sticky: true } }
]

const MAX_BATCHES = 1500

async function writeUntilFailure (db: DB, scenario: Scenario, acked: Set<number>, firstId: number): Promise<{ error: unknown, nextId: number }> {
  const parallel = scenario.parallel ?? 1
  const idsPerWrite = scenario.large === true ? LARGE_BATCH_IDS : 1
  let id = firstId
  while (id < firstId + MAX_BATCHES) {
    const firsts = Array.from({ length: parallel }, () => { id += idsPerWrite; return id - idsPerWrite })
    const results = await Promise.allSettled(firsts.map(first => db.write(combinedBatch(first, idsPerWrite), { sync: scenario.sync === true })))
    let error: unknown
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') for (let k = 0; k < idsPerWrite; k++) acked.add(firsts[i] + k)
      else error ??= r.reason
    })
    if (error !== undefined) return { error, nextId: id }
    // Lets the inline flushes and compactions run between writes.
    if (id % 8 === 0) await settle()
  }
  return { error: undefined, nextId: id }
}

for (const { worker, mode } of MODES) for (const scenario of WRITE_SCENARIOS) {
  tape(`disk fault (${mode}): ${scenario.name}`, async (t) => {
    const dir = tempDir('fault')
    const env = new FaultEnv(defaultEnv, { worker })
    const acked = new Set<number>()
    const db = await DB.open(dir, { ...SMALL, env })
    checkRunner(t, db, worker)
    try {
      env.addFault(scenario.rule)
      const { error, nextId } = await writeUntilFailure(db, scenario, acked, 0)
      t.ok(env.injected.length > 0, `fault injected: ${env.injected[0]}`)
      t.is(codeOf(error), 'LEVEL_IO_ERROR', `a write fails with LEVEL_IO_ERROR after ${acked.size} acknowledged (${(error as Error | undefined)?.message})`)
      if (scenario.refusesWrites !== false) {
        env.clearFaults()
        await settle()
        try {
          await db.write(engineBatch(nextId), {})
          t.fail('write after the fault was accepted')
        } catch (err) {
          t.is(codeOf(err), 'LEVEL_IO_ERROR', 'later writes are refused with LEVEL_IO_ERROR even once the disk recovers')
        }
      }
      // Still readable: every acknowledged batch, whole.
      const verdict = verifyContents(scan(db), acked)
      t.same(verdict.problems.slice(0, 5), [], 'still readable with every acknowledged batch')
      const id = [...acked][acked.size >> 1]
      if (id !== undefined) {
        const [key, value] = batchEntries(id)[0]
        t.is(db.get(Buffer.from(key))?.toString(), value, 'point reads work')
      }
    } finally {
      env.clearFaults()
      try {
        await db.close()
      } catch (err) {
        t.comment(`close reported ${(err as Error).message}`)
      }
    }
    // The fault clears: a reopen recovers every acknowledged write, and takes new ones.
    const reopened = await DB.open(dir, { ...SMALL, env: new FaultEnv(defaultEnv, { worker }) })
    try {
      const verdict = verifyContents(scan(reopened), acked)
      t.same(verdict.problems.slice(0, 5), [], `reopened: all ${acked.size} acknowledged batches, no partial batch (${verdict.present.size} present)`)
      await reopened.write(engineBatch(MAX_BATCHES * 2), {})
      await reopened.compactRange(null, null)
      const after = verifyContents(scan(reopened), [...acked, MAX_BATCHES * 2])
      t.same(after.problems.slice(0, 5), [], 'writes and compactions work again')
    } finally {
      await reopened.close()
      removeDir(dir)
    }
  })
}

// Faults aimed at a compaction: the database is filled fault-free, then compactRange hits the fault.
const COMPACTION_RULES: Array<[string, FaultRule]> = [
  ['table write', { op: 'write', kind: 'table', nth: 3 }],
  ['table write torn', { op: 'write', kind: 'table', nth: 2, torn: true }],
  ['table fdatasync', { op: 'sync', kind: 'table', nth: 2 }],
  ['MANIFEST write', { op: 'write', kind: 'manifest', nth: 2 }],
  ['MANIFEST fdatasync', { op: 'sync', kind: 'manifest', nth: 1, code: 'EIO' }]
]

for (const { worker, mode } of MODES) for (const [name, rule] of COMPACTION_RULES) {
  tape(`disk fault during compaction (${mode}): ${name}`, async (t) => {
    const dir = tempDir('fault-compact')
    const env = new FaultEnv(defaultEnv, { worker })
    const acked = new Set<number>()
    const db = await DB.open(dir, { ...SMALL, env })
    try {
      for (let id = 0; id < 300; id++) {
        await db.write(engineBatch(id), {})
        acked.add(id)
        if (id % 16 === 0) await settle()
      }
      await settle()
      env.addFault(rule)
      try {
        await db.compactRange(null, null)
        t.fail('compactRange succeeded')
      } catch (err) {
        t.is(codeOf(err), 'LEVEL_IO_ERROR', `compactRange fails with LEVEL_IO_ERROR (${(err as Error).message})`)
      }
      env.clearFaults()
      try {
        await db.write(engineBatch(1000), {})
        t.fail('write accepted after a failed compaction')
      } catch (err) {
        t.is(codeOf(err), 'LEVEL_IO_ERROR', 'writes are refused')
      }
      t.same(verifyContents(scan(db), acked).problems.slice(0, 5), [], 'still readable')
    } finally {
      await db.close()
    }
    const reopened = await DB.open(dir, { ...SMALL, env: new FaultEnv(defaultEnv, { worker }) })
    try {
      t.same(verifyContents(scan(reopened), acked).problems.slice(0, 5), [], `reopened with all ${acked.size} batches`)
      await reopened.compactRange(null, null)
      t.same(verifyContents(scan(reopened), acked).problems.slice(0, 5), [], 'and compacts cleanly')
    } finally {
      await reopened.close()
      removeDir(dir)
    }
  })
}

// Faults while opening: creating the new MANIFEST and switching CURRENT to it.
const OPEN_RULES: Array<[string, FaultRule]> = [
  ['CURRENT rename fails', { op: 'rename', kind: 'current', nth: 1 }],
  ['CURRENT temp file fdatasync fails', { op: 'sync', kind: 'current', nth: 1 }],
  ['new MANIFEST write fails', { op: 'write', kind: 'manifest', nth: 1 }],
  ['new MANIFEST fdatasync fails', { op: 'sync', kind: 'manifest', nth: 1 }],
  ['table for the recovered log cannot be written', { op: 'write', kind: 'table', nth: 1, code: 'ENOSPC' }],
  ['new log cannot be created', { op: 'create', kind: 'log', nth: 1 }]
]

for (const { worker, mode } of MODES) for (const [name, rule] of OPEN_RULES) {
  tape(`disk fault during open (${mode}): ${name}`, async (t) => {
    const dir = tempDir('fault-open')
    const acked = new Set<number>()
    const db = await DB.open(dir, { ...SMALL, writeBufferSize: 64 * 1024 })
    for (let id = 0; id < 100; id++) {
      await db.write(engineBatch(id), {})
      acked.add(id)
    }
    await db.close()
    const env = new FaultEnv(defaultEnv, { worker })
    env.addFault(rule)
    try {
      const db2 = await DB.open(dir, { ...SMALL, env })
      await db2.close()
      t.fail('open succeeded')
    } catch (err) {
      t.is(codeOf(err), 'LEVEL_IO_ERROR', `open fails with LEVEL_IO_ERROR (${(err as Error).message})`)
    }
    const reopened = await DB.open(dir, { ...SMALL, env: new FaultEnv(defaultEnv, { worker }) })
    try {
      t.same(verifyContents(scan(reopened), acked).problems.slice(0, 5), [], `the next open has all ${acked.size} batches`)
    } finally {
      await reopened.close()
      removeDir(dir)
    }
  })
}

// Power loss: the machine stops at a random moment, with writes, flushes and compactions in
// flight; only fsync'd bytes survive, and only the names (new files, renames) whose directory was
// fsync'd after them (FaultEnv). Every sync: true write acknowledged before must be there, no
// batch may be partial, the open must find no damage at all (paranoidChecks), and the database
// must take writes again.
for (const { worker, mode } of MODES) tape(`power loss keeps every write acknowledged with sync: true (${mode})`, async (t) => {
  const seed = testSeed(271828)
  t.comment(`seed ${seed} (replay with AIDB_TEST_SEED)`)
  const random = createRandom(seed)
  for (let round = 0; round < POWER_CUTS; round++) {
    const dir = tempDir('power')
    const env = new FaultEnv(defaultEnv, { worker })
    const syncAcked = new Set<number>()
    const acked = new Set<number>()
    const db = await DB.open(dir, { ...SMALL, env })
    const stopAt = random.between(20, 600)
    let id = 0
    const inFlight: Array<Promise<void>> = []
    while (id < stopAt) {
      const current = id++
      const sync = random.chance(0.3)
      const write = db.write(engineBatch(current), { sync }).then(() => {
        if (!env.isActive) return
        acked.add(current)
        if (sync) syncAcked.add(current)
      }, () => {})
      inFlight.push(write)
      if (random.chance(0.5)) {
        await write
        if (random.chance(0.2)) await settle()
      }
    }
    // Power off, possibly with writes and background jobs in flight.
    env.deactivate()
    await Promise.all(inFlight)
    try {
      await db.close()
    } catch {
      // Nothing is written after the power cut, so close may fail; it must still release the lock.
    }
    env.dropUnsyncedData()
    const reopened = await DB.open(dir, { ...SMALL, paranoidChecks: true, env: new FaultEnv(defaultEnv, { worker }) })
    try {
      const verdict = verifyContents(scan(reopened), syncAcked)
      t.same(verdict.problems.slice(0, 5), [], `round ${round}: ${syncAcked.size} sync-acknowledged batches of ${acked.size} acknowledged survive, ${verdict.present.size} present, none partial`)
      await reopened.write(engineBatch(stopAt + 1), { sync: true })
      t.same(verifyContents(scan(reopened), new Set([...syncAcked, stopAt + 1])).problems.slice(0, 5), [], `round ${round}: the reopened database takes a write`)
    } finally {
      await reopened.close()
      removeDir(dir)
    }
  }
})
