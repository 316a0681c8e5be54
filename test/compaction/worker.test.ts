// Background work in the worker thread: flushes and compactions really run there, a failing or
// crashing worker becomes a background error without losing acknowledged writes, and neither an
// open-and-closed database nor a never-opened one keeps the process alive.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import test from 'tape'
import { DB } from '../../lib/db/db'
import type { DBOptions } from '../../lib/db/options'
import type { JobRunner } from '../../lib/compaction/job-runner'
import { WorkerJobRunner } from '../../lib/compaction/worker-job-runner'
import { type Model, keyOf, put, writeRandom, checkModel, seeded, filesAtLevels } from '../db/db-helpers'
import { TINY } from '../util/options'
import { removeDir, tempDir } from '../util/temp-dir'
import { defaultEnv } from '../../lib/env/node-env'
import { FaultEnv, type FaultRule } from '../util/fault-env'
import { FileNumberCounter } from '../../lib/version/file-number-counter'
import { TableOutput, type TableOutputOptions } from '../../lib/compaction/table-output'
import type { CompactionResult } from '../../lib/compaction/compaction-job'
import type { FileMetaData } from '../../lib/version/file-metadata'
import { MemTable } from '../../lib/memtable/memtable'
import { ArenaPool } from '../../lib/memtable/arena-pool'
import { makeInternalKey, ValueType } from '../../lib/format/internal-key'

// The engine's runners are private; tests look at them through this view.
function runnersOf (db: DB): { flush: JobRunner, compaction: JobRunner } {
  const view = db as unknown as { jobRunner: JobRunner, compactionRunner: JobRunner }
  return { flush: view.jobRunner, compaction: view.compactionRunner }
}


for (const threads of [1, 2]) {
  test(`worker (${threads} thread${threads > 1 ? 's' : ''}): flushes and compactions run in the worker and agree with a model`, async (t) => {
    const random = seeded(t)
    const dir = tempDir('worker-model')
    const options: Partial<DBOptions> = { ...TINY, backgroundThreads: threads }
    try {
      let db = await DB.open(dir, options)
      const { flush, compaction } = runnersOf(db)
      t.ok(flush instanceof WorkerJobRunner && compaction instanceof WorkerJobRunner, 'jobs go to worker runners by default')
      t.equal(flush === compaction, threads === 1, threads === 1 ? 'one worker serves both queues' : 'flushes and compactions have their own workers')
      const model: Model = new Map()
      await writeRandom(db, model, random, 3000, 500, 'w')
      t.ok((flush as WorkerJobRunner).thread !== null, 'a worker thread was started')
      const log = fs.readFileSync(path.join(dir, 'LOG'), 'utf8')
      t.ok(/flushed table/.test(log), 'memtables were flushed')
      t.ok(/compacted \d+@\d+/.test(log), 'tables were compacted during the writes')
      await db.compactRange(null, null)
      const levels = filesAtLevels(db)
      t.ok(levels[0] === 0 && levels.slice(1).some(n => n > 0), `compactRange moved everything below level 0 (${levels.join(',')})`)
      t.ok(/^\s+[1-6]\s+[1-9]/m.test(db.getProperty('aidb.stats') ?? ''), 'aidb.stats lists tables below level 0')
      checkModel(t, db, model, 500, 'before reopen')
      await db.close()
      t.equal((flush as WorkerJobRunner).thread, null, 'close() terminated the worker')
      db = await DB.open(dir, options)
      checkModel(t, db, model, 500, 'after reopen')
      await db.close()
    } finally {
      removeDir(dir)
    }
  })
}

// The fault is injected through a FaultEnv that crosses into the worker with the jobs.
async function faultRun (t: test.Test, rule: FaultRule): Promise<void> {
  const dir = tempDir('worker-fault')
  const model: Model = new Map()
  const env = new FaultEnv(defaultEnv, { worker: true })
  env.addFault(rule)
  let failure: (Error & { code?: string }) | undefined
  try {
    const db = await DB.open(dir, { ...TINY, env })
    t.ok(runnersOf(db).flush instanceof WorkerJobRunner, 'jobs run in a worker thread')
    // Writes until the injected failure surfaces as a background error on a later write.
    for (let i = 0; i < 20000 && failure === undefined; i++) {
      const key = keyOf(i % 3000)
      const value = `v${i}-` + 'x'.repeat(40)
      try {
        await put(db, key, value)
        model.set(key, value)
      } catch (err) {
        failure = err as Error & { code?: string }
      }
    }
    t.ok(failure !== undefined, 'a later write fails')
    t.equal(failure?.code, 'LEVEL_IO_ERROR', `with LEVEL_IO_ERROR: ${failure?.message}`)
    try {
      await put(db, 'after', 'x')
      t.fail('writes keep failing')
    } catch (err) {
      t.equal((err as { code?: string }).code, 'LEVEL_IO_ERROR', 'writes keep failing with the background error')
    }
    await db.close()
    t.ok(/background error/.test(fs.readFileSync(path.join(dir, 'LOG'), 'utf8')), 'the error is in the LOG file')
    t.ok(env.injected.some(what => what.endsWith('(in a worker)')), `the fault hit the worker: ${env.injected.join(', ')}`)
    const reopened = await DB.open(dir, TINY)
    checkModel(t, reopened, model, 3000, 'every acknowledged write survives a reopen')
    await reopened.close()
  } finally {
    removeDir(dir)
  }
}

// Only compactions open tables in the worker (to read their inputs).
test('worker: a compaction that fails in the worker becomes a background error and loses nothing', async (t) => {
  await faultRun(t, { op: 'open', kind: 'table', nth: 1, thread: 'worker' })
})

test('worker: a worker that dies mid-compaction is detected and loses nothing', async (t) => {
  await faultRun(t, { op: 'open', kind: 'table', nth: 2, thread: 'worker', exitThread: true })
})

// The first table a worker creates is a flush's: a compaction needs four level-0 tables first.
test('worker: a worker that dies during a flush is detected and loses nothing', async (t) => {
  await faultRun(t, { op: 'create', kind: 'table', nth: 1, thread: 'worker', exitThread: true })
})

test('worker: a worker that dies while idle is logged, and the next job starts a new one', async (t) => {
  const random = seeded(t)
  const dir = tempDir('worker-idle-exit')
  const model: Model = new Map()
  try {
    const db = await DB.open(dir, TINY)
    await writeRandom(db, model, random, 600, 300, 'a')
    await db.compactRange(null, null)
    const runner = runnersOf(db).flush as WorkerJobRunner
    const thread = runner.thread
    t.ok(thread !== null, 'a worker ran the flushes')
    if (thread !== null) {
      const exited = new Promise(resolve => thread.once('exit', resolve))
      await thread.terminate()
      await exited
    }
    t.equal(runner.thread, null, 'the runner noticed the exit')
    t.ok(/exited with code \d+ while idle/.test(fs.readFileSync(path.join(dir, 'LOG'), 'utf8')), 'the exit is in the LOG file')
    await writeRandom(db, model, random, 600, 300, 'b')
    await db.compactRange(null, null)
    t.ok(runner.thread !== null && runner.thread !== thread, 'later jobs ran in a new worker')
    checkModel(t, db, model, 300, 'after the new worker\'s jobs')
    await db.close()
  } finally {
    removeDir(dir)
  }
})

// Runs a script in a fresh Node process that counts the worker threads it starts.
function runScript (script: string): { status: number | null, signal: string | null, stdout: string, stderr: string } {
  const indexPath = path.resolve(__dirname, '../../index.js')
  const prelude = `
    const wt = require('node:worker_threads')
    let workers = 0
    const Base = wt.Worker
    wt.Worker = class extends Base { constructor (...args) { super(...args); workers++ } }
    const { AiLevel } = require(${JSON.stringify(indexPath)});
    const { UNCLAMPED_SIZES } = require(${JSON.stringify(path.resolve(__dirname, '../../lib/level/options.js'))});
  `
  const result = spawnSync(process.execPath, ['-e', prelude + script], { encoding: 'utf8', timeout: 30000 })
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr }
}

type ScriptResult = ReturnType<typeof runScript>

// Runs a script (see runScript) given the JSON-quoted path of a database in a fresh temporary directory, removed afterwards.
function runScriptWithDb (name: string, script: (location: string) => string): ScriptResult {
  const dir = tempDir(name)
  try {
    return runScript(script(JSON.stringify(path.join(dir, 'db'))))
  } finally {
    removeDir(dir)
  }
}

function checkExitsWithAWorker (t: test.Test, result: ScriptResult): void {
  t.equal(result.signal, null, 'not killed by the timeout')
  t.equal(result.status, 0, `exit code 0 ${result.stderr}`)
  t.ok(/workers=[1-9]/.test(result.stdout), `a worker did run (${result.stdout.trim()})`)
}

test('worker: a process that opens, fills and closes a database exits by itself', (t) => {
  const result = runScriptWithDb('worker-exit', (location) => `
    (async () => {
      const db = new AiLevel(${location}, { writeBufferSize: 4096, [UNCLAMPED_SIZES]: true })
      await db.open()
      for (let i = 0; i < 200; i++) {
        await db.batch(Array.from({ length: 20 }, (_, j) => ({ type: 'put', key: 'k' + (i * 20 + j), value: 'v'.repeat(50) })))
      }
      await db.close()
      console.log('workers=' + workers)
    })()
  `)
  checkExitsWithAWorker(t, result)
  t.end()
})

test('worker: a process that leaves an idle database open still exits by itself', (t) => {
  const result = runScriptWithDb('worker-idle', (location) => `
    (async () => {
      const db = new AiLevel(${location}, { writeBufferSize: 4096, [UNCLAMPED_SIZES]: true })
      await db.open()
      for (let i = 0; i < 100; i++) await db.put('k' + i, 'v'.repeat(100))
      console.log('workers=' + workers)
    })()
  `)
  checkExitsWithAWorker(t, result)
  t.end()
})

test('worker: a process that loads ai-level but never opens a database starts no worker', (t) => {
  // abstract-level opens a database on construction, so this one only loads the module.
  const result = runScript(`
    setTimeout(() => console.log('workers=' + workers + ' ' + typeof AiLevel), 50)
  `)
  t.equal(result.status, 0, `exit code 0 ${result.stderr}`)
  t.ok(/workers=0 function/.test(result.stdout), `no worker (${result.stdout.trim()})`)
  t.end()
})

test('worker: opening a database starts no worker until there is background work', (t) => {
  const result = runScriptWithDb('worker-lazy', (location) => `
    (async () => {
      const db = new AiLevel(${location})
      await db.open()
      await db.put('a', 'b')
      console.log('workers=' + workers)
      await db.close()
    })()
  `)
  t.equal(result.status, 0, `exit code 0 ${result.stderr}`)
  t.ok(/workers=0/.test(result.stdout), `no worker (${result.stdout.trim()})`)
  t.end()
})

test('worker: a flush handed over during a long compaction finishes before the compaction does', async (t) => {
  const dir = tempDir('worker-preempt')
  const options: TableOutputOptions = { blockSize: 4096, blockRestartInterval: 16, compression: true, bloomBitsPerKey: 10 }
  const counter = new FileNumberCounter()
  counter.value = 1
  const runner = new WorkerJobRunner(defaultEnv, counter)
  try {
    // Two interleaved runs of 100,000 entries: a compaction that takes a while.
    const table = (parity: number): FileMetaData => {
      const output = new TableOutput(defaultEnv, dir, counter.allocate(), options)
      for (let i = parity; i < 200_000; i += 2) {
        output.add(makeInternalKey(Buffer.from(keyOf(i)), i + 1, ValueType.Value), Buffer.alloc(100, i % 251))
      }
      return output.finish()
    }
    const inputs: [FileMetaData[], FileMetaData[]] = [[table(0)], [table(1)]]
    // A memtable in shared memory, as the database's are: the worker reads it in place.
    const mem = new MemTable(new ArenaPool(1 << 16))
    mem.add(300_000, ValueType.Value, Buffer.from('flushed-key'), Buffer.from('flushed-value'))

    const compact = (files: [FileMetaData[], FileMetaData[]]): Promise<CompactionResult> => runner.compact({
      dbname: dir,
      compaction: { level: 1, inputs: files, grandparents: [], deeperLevels: [[], [], [], []], maxOutputFileSize: 64 << 20 },
      smallestSnapshot: 300_000,
      verifyChecksums: true,
      options
    })
    // A first, empty job starts the worker, so the big compaction is surely running when the flush is sent.
    await compact([[], []])
    const finished: string[] = []
    const compaction = compact(inputs).then((result) => { finished.push('compaction'); return result })
    await new Promise(resolve => setTimeout(resolve, 50))
    const flush = runner.flush({ dbname: dir, fileNumber: counter.allocate(), options, arena: mem.arena })
      .then((result) => { finished.push('flush'); return result })
    const [compacted, flushed] = await Promise.all([compaction, flush])
    t.same(finished, ['flush', 'compaction'], 'the flush did not wait for the compaction to end')
    t.ok(flushed.meta !== undefined && flushed.meta.smallest.equals(makeInternalKey(Buffer.from('flushed-key'), 300_000, ValueType.Value)), 'the flushed table holds the memtable\'s key')
    t.equal(compacted.outputs.length, 1, 'the compaction wrote its output')
    t.ok(compacted.outputs[0].smallest.equals(inputs[0][0].smallest) && compacted.outputs[0].largest.equals(inputs[1][0].largest), 'the output spans both inputs')
  } finally {
    await runner.close()
    removeDir(dir)
  }
})
