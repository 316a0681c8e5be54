import tape from 'tape'
import { mergeResults, parseCommand, Plan } from '../../benchmarks/run'
import type { Sample } from '../../benchmarks/summary'
import { workloads } from '../../benchmarks/workloads'

function plan (argv: string[], env: NodeJS.ProcessEnv = {}): Plan {
  const command = parseCommand(argv, env)
  if (command.kind !== 'run') throw new Error(`expected a run, got ${command.kind}`)
  return command.plan
}

tape('by default every workload runs in both encodings and both value sizes against ai-level and classic-level', (t) => {
  const full = plan([])
  t.ok(full.full, 'a full run, written to docs/bench')
  t.same(full.engineNames, ['ai', 'classic'])
  t.is(full.reps, 1)
  t.same(full.extras.map((extra) => extra.name), ['codec', 'transactions', 'fallbacks'], 'and every extra script: the codec, transactions and fallbacks')
  const perSize = (size: number): number => workloads.filter((workload) => workload.valueSizes === undefined || workload.valueSizes.includes(size)).length
  t.is(full.jobs.length, 2 * (perSize(100) + perSize(4096)))
  t.ok(full.jobs.every((job) => job.shape.valueSize === 100 || !['fill2m', 'fill2m-reads', 'bigvalue'].includes(job.workload.name)), 'the 2M fills and the 50 MB value run with 100-byte values only')
  const readrandom4k = full.jobs.find((job) => job.workload.name === 'readrandom' && job.shape.valueSize === 4096)
  t.is(readrandom4k?.dbSize, 20_000)
  t.is(readrandom4k?.count, 10_000)
  t.end()
})

tape('selections narrow the run and send its results elsewhere', (t) => {
  const narrowed = plan(['--only', 'fillseq,codec', '--encodings', 'buffer', '--value-sizes', '4096', '--engines', 'classic,memory,ai', '--reps', '3'])
  t.notOk(narrowed.full)
  t.same(narrowed.jobs.map((job) => `${job.workload.name} ${job.shape.encoding} ${job.shape.valueSize}`), ['fillseq buffer 4096'])
  t.same(narrowed.engineNames, ['classic', 'memory', 'ai'])
  t.is(narrowed.reps, 3)
  t.same(narrowed.extras.map((extra) => extra.name), ['codec'])
  t.same(plan(['--only', 'scan']).extras, [], 'extra scripts run only when named')

  const scaled = plan(['--scale', '0.1', '--count', 'scan=5'])
  t.notOk(scaled.full)
  const readrandom = scaled.jobs.find((job) => job.workload.name === 'readrandom' && job.shape.valueSize === 100)
  t.is(readrandom?.count, 3000)
  t.is(readrandom?.dbSize, 10_000)
  t.ok(scaled.jobs.filter((job) => job.workload.name === 'scan').every((job) => job.count === 5))

  t.same(plan([], { BENCH_ONLY: 'getsync', BENCH_ENGINES: 'ai' }).jobs.map((job) => job.workload.name), ['getsync', 'getsync', 'getsync', 'getsync'])
  t.end()
})

tape('bad options are refused with a clear message', (t) => {
  t.throws(() => parseCommand(['--only', 'nope']), /Unknown workload nope/)
  t.throws(() => parseCommand(['--engines', 'rocks']), /--engines: unknown rocks/)
  t.throws(() => parseCommand(['--value-sizes', '200']), /--value-sizes: unknown 200/)
  t.throws(() => parseCommand(['--reps', '0']), /--reps must be a positive number/)
  t.throws(() => parseCommand(['--count', 'scan']), /--count expects workload=N/)
  t.same(parseCommand(['--render', 'x/results.json']), { kind: 'render', json: 'x/results.json', out: undefined })
  t.end()
})

tape('mergeResults joins the samples of several runs under the first run\'s stamp', (t) => {
  const meta = { date: 'd', commit: 'c', cpuModel: 'm', cores: 2, memoryGiB: 1, os: 'o', node: 'n', packages: {}, reps: 1, scale: 1, seed: 42 }
  const sample = (workload: string): Sample => ({
    workload, shape: { encoding: 'utf8', valueSize: 100 }, count: 1, engine: 'ai', rep: 0, result: { ok: false, error: 'x' }
  })
  const merged = mergeResults([
    { meta: { ...meta, reps: 3 }, engineNames: ['ai', 'classic'], samples: [sample('scan')], extras: [{ name: 'codec', markdown: 'm' }] },
    { meta: { ...meta, date: 'later', reps: 1 }, engineNames: ['ai', 'classic'], samples: [sample('fill2m')], extras: [] }
  ])
  t.is(merged.meta.date, 'd')
  t.is(merged.meta.reps, 3)
  t.same(merged.samples.map((entry) => entry.workload), ['scan', 'fill2m'])
  t.same(merged.extras.map((entry) => entry.name), ['codec'])
  t.throws(() => mergeResults([]), RangeError)
  t.end()
})
