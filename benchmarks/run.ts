// Entry point of `npm run bench`; see USAGE.
import { fork, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { ENCODINGS, Encoding, Shape, VALUE_SIZES } from './data'
import { DEFAULT_ENGINES, ENGINE_NAMES, EngineName, engines } from './engines'
import { describeCommit, packageVersion } from './meta'
import { ExtraSection, formatProgress, formatResultsMarkdown, formatRatioSvg, formatResourceTable, formatThroughputTable, groupByShape, RunMeta } from './report'
import { rotate, Sample, summarizeSamples } from './summary'
import type { WorkerRequest, WorkerResult } from './worker'
import { defaultDbSize, findWorkload, Workload, workloads } from './workloads'

/**
 * Further benchmark scripts (in dist/benchmarks) that `npm run bench` runs after the workloads,
 * each selectable by name with --only. A script takes `--scale <factor>` and prints one Markdown
 * section on stdout, which goes into the results under `title`.
 */
export const EXTRA_SCRIPTS: ReadonlyArray<{ name: string, script: string, title: string }> = [
  { name: 'codec', script: 'codec.js', title: 'Snappy codec (npm run bench:codec)' },
  { name: 'transactions', script: 'transactions.js', title: 'Transactions (npm run bench:transactions)' },
  { name: 'fallbacks', script: 'fallbacks.js', title: 'Native pieces and their fallbacks (npm run bench:fallbacks)' }
]

const USAGE = `Usage: npm run bench -- [options]   (or node dist/benchmarks/run.js [options])

Runs every workload for every encoding and value size against each engine, each measurement in
its own child process, and prints ops/s and CPU µs/op (process.cpuUsage of the child over the timed
loop, all threads) with the ai-level/classic-level ratios of both.

Warm-up: a fresh process pays one-time costs in its first operations (V8 compiling the hot code,
its compile threads included in the CPU time; ai-level's compaction worker starting; the first
block reads). Each loop is therefore timed in tenths of its operations: the first half is the
warm-up (operations of the same kind on the same database; for fills, the first half of the same fill),
and the headline figures (the tables per shape, the chart) are the second half's, the steady state
a long-running process sees. The whole loop, warm-up included, is the first-pass (cold) figure: its
own tables in the results, and "first pass" in the progress lines. results.json keeps every tenth.
fill2m's .scan phase and bigvalue are timed whole only. Both engines are measured the same way, and
the warm-up adds no operations, so the run takes as long as before.

Duration: one repetition starts 132 child processes. On the project's shared 2-core machine a full
default run took 6 minutes at a load average of 3 to 8, and 22 to 35 minutes at 20 to 28.
--reps 3 takes three times as long.

Results (Markdown, SVG chart, raw JSON) go to docs/bench/ for a full run, and to
${path.join(os.tmpdir(), 'ai-level-bench')} when any selection below narrows or scales it (or to --out).

  --only <names>        comma-separated workloads and extra scripts (env BENCH_ONLY); default: all
  --engines <names>     out of ${ENGINE_NAMES.join(', ')} (env BENCH_ENGINES); default: ${DEFAULT_ENGINES.join(',')}
  --encodings <names>   out of ${ENCODINGS.join(', ')}; default: both
  --value-sizes <list>  out of ${VALUE_SIZES.join(', ')}; default: both
  --reps <n>            repetitions, engine order rotated each time, medians reported; default: 1
  --scale <factor>      multiply every default count and database size (env BENCH_SCALE); default: 1
  --count <name=N>      set one workload's count, repeatable
  --seed <n>            seed for keys and values (env BENCH_SEED); default: 42
  --out <dir>           where to write results.md, results.svg and results.json
  --render <json,...>   only render results.md and results.svg from saved results.json files
                        (several are merged into one results.json, stamped as the first)
  --list                list workloads and exit
  --help                show this help

Env BENCH_AI_OPTIONS='{"cacheSize":134217728}' passes further open options to ai-level.`

interface Job {
  workload: Workload
  shape: Shape
  count: number
  dbSize: number
}

export interface Plan {
  jobs: Job[]
  extras: typeof EXTRA_SCRIPTS[number][]
  engineNames: EngineName[]
  reps: number
  scale: number
  seed: number
  /** No option narrowed or scaled the run: its results are the project's published ones. */
  full: boolean
  out: string | undefined
}

export type Command =
  | { kind: 'help' }
  | { kind: 'list' }
  | { kind: 'render', json: string, out: string | undefined }
  | { kind: 'run', plan: Plan }

function splitList (value: string | undefined): string[] | undefined {
  if (value === undefined || value.trim() === '') return undefined
  return value.split(',').map((item) => item.trim()).filter((item) => item !== '')
}

function parsePositiveNumber (flag: string, raw: string): number {
  const value = Number(raw)
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${flag} must be a positive number, got ${raw}`)
  return value
}

function pickFrom<T extends string | number> (flag: string, raw: string[] | undefined, allowed: readonly T[], byDefault: readonly T[] = allowed): T[] {
  if (raw === undefined) return [...byDefault]
  return raw.map((item) => {
    const match = allowed.find((value) => String(value) === item)
    if (match === undefined) throw new RangeError(`${flag}: unknown ${item}; expected one of ${allowed.join(', ')}`)
    return match
  })
}

/** Reads the command line (and the BENCH_* variables in env) into what to do. */
export function parseCommand (argv: string[], env: NodeJS.ProcessEnv = {}): Command {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: 'string' },
      engines: { type: 'string' },
      encodings: { type: 'string' },
      'value-sizes': { type: 'string' },
      reps: { type: 'string' },
      scale: { type: 'string' },
      count: { type: 'string', multiple: true },
      seed: { type: 'string' },
      out: { type: 'string' },
      render: { type: 'string' },
      list: { type: 'boolean' },
      help: { type: 'boolean' }
    }
  })
  if (values.help === true) return { kind: 'help' }
  if (values.list === true) return { kind: 'list' }
  if (values.render !== undefined) return { kind: 'render', json: values.render, out: values.out }

  const only = splitList(values.only ?? env.BENCH_ONLY)
  for (const name of only ?? []) {
    if (findWorkload(name) === undefined && !EXTRA_SCRIPTS.some((extra) => extra.name === name)) {
      throw new RangeError(`Unknown workload ${name}; try --list`)
    }
  }
  const selected = only === undefined ? [...workloads] : workloads.filter((workload) => only.includes(workload.name))
  const extras = only === undefined ? [...EXTRA_SCRIPTS] : EXTRA_SCRIPTS.filter((extra) => only.includes(extra.name))
  const engineNames = pickFrom('--engines', splitList(values.engines ?? env.BENCH_ENGINES), ENGINE_NAMES, DEFAULT_ENGINES)
  const encodings: Encoding[] = pickFrom('--encodings', splitList(values.encodings), ENCODINGS)
  const valueSizes: number[] = pickFrom('--value-sizes', splitList(values['value-sizes']), VALUE_SIZES)
  const rawScale = values.scale ?? env.BENCH_SCALE
  const scale = rawScale === undefined ? 1 : parsePositiveNumber('--scale', rawScale)
  const reps = values.reps === undefined ? 1 : Math.round(parsePositiveNumber('--reps', values.reps))
  const countOverrides = new Map<string, number>()
  for (const assignment of values.count ?? []) {
    const [name, raw] = assignment.split('=')
    if (findWorkload(name) === undefined || raw === undefined) throw new RangeError(`--count expects workload=N, got ${assignment}`)
    countOverrides.set(name, Math.round(parsePositiveNumber('--count', raw)))
  }
  const rawSeed = values.seed ?? env.BENCH_SEED
  const scaled = (n: number): number => Math.max(1, Math.round(n * scale))

  const jobs: Job[] = []
  for (const valueSize of valueSizes) {
    for (const encoding of encodings) {
      for (const workload of selected) {
        if (workload.valueSizes !== undefined && !workload.valueSizes.includes(valueSize)) continue
        jobs.push({
          workload,
          shape: { encoding, valueSize },
          count: countOverrides.get(workload.name) ?? scaled(workload.defaultCount(valueSize)),
          dbSize: scaled(defaultDbSize(valueSize))
        })
      }
    }
  }
  const narrowed = [values.only ?? env.BENCH_ONLY, values.engines ?? env.BENCH_ENGINES, values.encodings, values['value-sizes'], rawScale]
    .some((value) => value !== undefined) || countOverrides.size > 0
  return {
    kind: 'run',
    plan: {
      jobs,
      extras,
      engineNames,
      reps,
      scale,
      seed: rawSeed === undefined ? 42 : Math.round(parsePositiveNumber('--seed', rawSeed)),
      full: !narrowed,
      out: values.out
    }
  }
}

function runInWorker (request: WorkerRequest): Promise<WorkerResult> {
  return new Promise((resolve) => {
    const child = fork(path.join(__dirname, 'worker.js'), [JSON.stringify(request)])
    let result: WorkerResult | undefined
    child.on('message', (message) => { result = message as WorkerResult })
    child.on('error', (error) => resolve({ ok: false, error: error.message }))
    child.on('exit', (code, signal) => {
      resolve(result ?? { ok: false, error: `worker exited with ${signal ?? `code ${String(code)}`}` })
    })
  })
}

// Each run starts with the previous run's dirty pages written out, so the kernel's writeback of
// one engine's files does not slow the next engine down.
function flushFileSystems (): void {
  spawnSync('sync', { stdio: 'ignore' })
}

const REPO_ROOT = path.join(__dirname, '..', '..')

function collectMeta (plan: Plan): RunMeta {
  const cpus = os.cpus()
  const packages: Record<string, string> = {}
  for (const name of plan.engineNames) if (name !== 'ai') packages[engines[name].packageName] = packageVersion(engines[name].packageName)
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    commit: describeCommit(),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown CPU',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    packages,
    reps: plan.reps,
    scale: plan.scale,
    seed: plan.seed
  }
}

function runExtra (extra: typeof EXTRA_SCRIPTS[number], scale: number): ExtraSection {
  const child = spawnSync(process.execPath, [path.join(__dirname, extra.script), '--scale', String(scale)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  const markdown = child.status === 0 ? child.stdout : `${child.stdout}\n\nFAILED: exit ${String(child.status ?? child.signal)}`
  if (child.status !== 0) process.exitCode = 1
  return { name: extra.title, markdown }
}

export interface SavedResults {
  meta: RunMeta
  engineNames: EngineName[]
  samples: Sample[]
  extras: ExtraSection[]
}

/**
 * Several saved runs as one, stamped with the first run's date, commit and machine: for example a
 * run with --reps 3 of most workloads and one of the 2-million-entry fills, which take longest.
 */
export function mergeResults (runs: readonly SavedResults[]): SavedResults {
  if (runs.length === 0) throw new RangeError('nothing to merge')
  return {
    meta: { ...runs[0].meta, reps: Math.max(...runs.map((run) => run.meta.reps)) },
    engineNames: runs[0].engineNames,
    samples: runs.flatMap((run) => run.samples),
    extras: runs.flatMap((run) => run.extras)
  }
}

function writeResults (out: string, saved: SavedResults, writeJson: boolean): void {
  fs.mkdirSync(out, { recursive: true })
  const rows = summarizeSamples(saved.samples)
  if (writeJson) fs.writeFileSync(path.join(out, 'results.json'), JSON.stringify(saved, null, 1) + '\n')
  fs.writeFileSync(path.join(out, 'results.md'), formatResultsMarkdown(saved.meta, rows, saved.engineNames, saved.extras))
  fs.writeFileSync(path.join(out, 'results.svg'), formatRatioSvg(saved.meta, rows))
  console.error(`Results written to ${path.join(out, 'results.md')}, results.svg${writeJson ? ' and results.json' : ''}`)
}

async function run (plan: Plan): Promise<void> {
  const meta = collectMeta(plan)
  const out = plan.out ?? (plan.full ? path.join(REPO_ROOT, 'docs', 'bench') : path.join(os.tmpdir(), 'ai-level-bench'))
  fs.mkdirSync(out, { recursive: true })
  // Saved after every measurement, so an interrupted run can still be rendered with --render.
  const partial = path.join(out, 'results.partial.json')
  console.error(`Engines: ${plan.engineNames.join(', ')}; ${plan.reps} repetition(s); seed ${plan.seed}; Node ${process.version}`)
  const samples: Sample[] = []
  for (let rep = 0; rep < plan.reps; rep++) {
    for (const job of plan.jobs) {
      for (const engine of rotate(plan.engineNames, rep)) {
        if (job.workload.persistentOnly === true && !engines[engine].persistent) continue
        flushFileSystems()
        const result = await runInWorker({ workload: job.workload.name, engine, shape: job.shape, count: job.count, dbSize: job.dbSize, seed: plan.seed })
        const label = `[${rep + 1}/${plan.reps}] ${job.shape.encoding} ${job.shape.valueSize} ${job.workload.name}`
        console.error(formatProgress(label, engine, result))
        samples.push({ workload: job.workload.name, shape: job.shape, count: job.count, engine, rep, result })
        fs.writeFileSync(partial, JSON.stringify({ meta, engineNames: plan.engineNames, samples, extras: [] }) + '\n')
      }
    }
  }
  const extras = plan.extras.map((extra) => runExtra(extra, plan.scale))

  const rows = summarizeSamples(samples)
  for (const group of groupByShape(rows)) console.log(`\n${group.label}\n\n${formatThroughputTable(group.rows, plan.engineNames)}`)
  for (const group of groupByShape(rows, 'cold')) console.log(`\n${group.label}, first pass (cold)\n\n${formatThroughputTable(group.rows, plan.engineNames, 1, 'cold')}`)
  for (const row of rows.filter((candidate) => [...candidate.byEngine.values()].some((summary) => summary.fill !== undefined))) {
    console.log('\n' + formatResourceTable(row, plan.engineNames))
  }
  for (const extra of extras) console.log(`\n${extra.name}\n\n${extra.markdown.trim()}`)

  writeResults(out, { meta, engineNames: plan.engineNames, samples, extras }, true)
  fs.rmSync(partial, { force: true })
  if (samples.some(({ result }) => !result.ok)) process.exitCode = 1
}

async function main (): Promise<void> {
  const command = parseCommand(process.argv.slice(2), process.env)
  switch (command.kind) {
    case 'help':
      console.log(USAGE)
      return
    case 'list':
      for (const workload of workloads) {
        const counts = VALUE_SIZES.map((size) => workload.valueSizes === undefined || workload.valueSizes.includes(size) ? workload.defaultCount(size).toLocaleString('en-US') : '-')
        console.log(`${workload.name.padEnd(18)} ${counts.map((count) => count.padStart(10)).join(' ')}  ${workload.description}`)
      }
      for (const extra of EXTRA_SCRIPTS) console.log(`${extra.name.padEnd(18)} ${'(script)'.padStart(21)}  ${extra.title}`)
      console.log(`\nCounts for ${VALUE_SIZES.join(' / ')}-byte values; read workloads run on ${VALUE_SIZES.map((size) => defaultDbSize(size).toLocaleString('en-US')).join(' / ')} keys.`)
      return
    case 'render': {
      const files = command.json.split(',')
      const saved = mergeResults(files.map((file) => JSON.parse(fs.readFileSync(file, 'utf8')) as SavedResults))
      writeResults(command.out ?? path.dirname(files[0]), saved, files.length > 1)
      return
    }
    case 'run':
      await run(command.plan)
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error)
    process.exitCode = 1
  })
}
