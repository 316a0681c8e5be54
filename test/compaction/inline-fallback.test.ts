// A runtime whose worker_threads cannot load the job worker: the runner says so once and runs
// every job inline from then on, the job that met the failure included, with the same results.
import fs from 'node:fs'
import path from 'node:path'
import test from 'tape'
import { WorkerJobRunner } from '../../lib/compaction/worker-job-runner'
import type { TableOutputOptions } from '../../lib/compaction/table-output'
import { ArenaPool } from '../../lib/memtable/arena-pool'
import { MemTable } from '../../lib/memtable/memtable'
import { makeInternalKey, ValueType } from '../../lib/format/internal-key'
import { FileNumberCounter } from '../../lib/version/file-number-counter'
import { defaultEnv } from '../../lib/env/node-env'
import { removeDir, tempDir } from '../util/temp-dir'

const options: TableOutputOptions = { blockSize: 4096, blockRestartInterval: 16, compression: true, bloomBitsPerKey: 10 }

test('worker: when the worker cannot start, jobs run inline and the fallback is reported once', async (t) => {
  const dir = tempDir('worker-fallback')
  const script = path.join(dir, 'unloadable-worker.js')
  fs.writeFileSync(script, "throw new Error('this runtime cannot run the job worker')\n")
  const counter = new FileNumberCounter()
  counter.value = 1
  const fallbacks: string[] = []
  const runner = new WorkerJobRunner(defaultEnv, counter, () => {}, err => fallbacks.push(err.message), script)
  try {
    for (const name of ['first', 'second']) {
      const mem = new MemTable(new ArenaPool(1 << 16))
      mem.add(1, ValueType.Value, Buffer.from(`${name}-key`), Buffer.from(`${name}-value`))
      const fileNumber = counter.allocate()
      const result = await runner.flush({ dbname: dir, fileNumber, options, arena: mem.arena })
      t.ok(result.meta?.smallest.equals(makeInternalKey(Buffer.from(`${name}-key`), 1, ValueType.Value)), `the ${name} flush wrote its table`)
      t.ok(fs.existsSync(path.join(dir, `${String(fileNumber).padStart(6, '0')}.ldb`)), `the ${name} table file exists`)
    }
    t.is(runner.thread, null, 'no worker is left running')
    t.is(fallbacks.length, 1, 'the fallback was reported once')
    t.ok(/cannot run the job worker/.test(fallbacks[0] ?? ''), `with the worker's error (${fallbacks[0]})`)
  } finally {
    await runner.close()
    removeDir(dir)
  }
})
