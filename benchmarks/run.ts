// Entry point: `npm run bench` or `node dist/benchmarks/run.js [--only a,b] [--engines ai,classic] [--scale 0.1] [--count name=N]`.
import { fork, spawnSync } from 'node:child_process'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { ENGINE_NAMES, EngineName, isEngineName } from './engines'
import { formatProgress, formatResourceTable, formatThroughputTable, WorkloadResults } from './report'
import type { WorkerRequest, WorkerResult } from './worker'
import { findWorkload, Workload, workloads } from './workloads'

const USAGE = `Usage: node dist/benchmarks/run.js [options]

  --only <names>      comma-separated workloads (env BENCH_ONLY); default: all
  --engines <names>   comma-separated engines out of ${ENGINE_NAMES.join(', ')} (env BENCH_ENGINES); default: all
  --scale <factor>    multiply every default count (env BENCH_SCALE); default: 1
  --count <name=N>    set one workload's count, repeatable
  --seed <n>          seed for keys and values (env BENCH_SEED); default: 42
  --list              list workloads and exit
  --help              show this help`

interface Plan {
  runs: Array<{ workload: Workload, count: number }>
  engineNames: EngineName[]
  seed: number
}

function splitList (value: string | undefined): string[] | undefined {
  if (value === undefined || value.trim() === '') return undefined
  return value.split(',').map((item) => item.trim()).filter((item) => item !== '')
}

function parsePositiveNumber (flag: string, raw: string): number {
  const value = Number(raw)
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${flag} must be a positive number, got ${raw}`)
  return value
}

function parsePlan (argv: string[]): Plan | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: 'string' },
      engines: { type: 'string' },
      scale: { type: 'string' },
      count: { type: 'string', multiple: true },
      seed: { type: 'string' },
      list: { type: 'boolean' },
      help: { type: 'boolean' }
    }
  })

  if (values.help === true) {
    console.log(USAGE)
    return undefined
  }
  if (values.list === true) {
    for (const workload of workloads) {
      console.log(`${workload.name.padEnd(20)} ${workload.defaultCount.toLocaleString('en-US').padStart(10)}  ${workload.description}`)
    }
    return undefined
  }

  const workloadNames = splitList(values.only ?? process.env.BENCH_ONLY) ?? workloads.map((workload) => workload.name)
  const selected = workloadNames.map((name) => {
    const workload = findWorkload(name)
    if (workload === undefined) throw new RangeError(`Unknown workload ${name}; try --list`)
    return workload
  })

  const engineNames = splitList(values.engines ?? process.env.BENCH_ENGINES) ?? [...ENGINE_NAMES]
  for (const name of engineNames) {
    if (!isEngineName(name)) throw new RangeError(`Unknown engine ${name}; expected one of ${ENGINE_NAMES.join(', ')}`)
  }

  const rawScale = values.scale ?? process.env.BENCH_SCALE
  const scale = rawScale === undefined ? 1 : parsePositiveNumber('--scale', rawScale)
  const countOverrides = new Map<string, number>()
  for (const assignment of values.count ?? []) {
    const [name, raw] = assignment.split('=')
    if (findWorkload(name) === undefined || raw === undefined) throw new RangeError(`--count expects workload=N, got ${assignment}`)
    countOverrides.set(name, Math.round(parsePositiveNumber('--count', raw)))
  }

  const rawSeed = values.seed ?? process.env.BENCH_SEED
  return {
    runs: selected.map((workload) => ({
      workload,
      count: countOverrides.get(workload.name) ?? Math.max(1, Math.round(workload.defaultCount * scale))
    })),
    engineNames: engineNames.filter(isEngineName),
    seed: rawSeed === undefined ? 42 : Math.round(parsePositiveNumber('--seed', rawSeed))
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

async function main (): Promise<void> {
  const plan = parsePlan(process.argv.slice(2))
  if (plan === undefined) return

  console.error(`Engines: ${plan.engineNames.join(', ')}; seed ${plan.seed}; Node ${process.version}`)
  const results: WorkloadResults[] = []
  for (const { workload, count } of plan.runs) {
    const byEngine = new Map<EngineName, WorkerResult>()
    for (const engine of plan.engineNames) {
      flushFileSystems()
      const result = await runInWorker({ workload: workload.name, engine, count, seed: plan.seed })
      console.error(formatProgress(workload.name, engine, result))
      byEngine.set(engine, result)
    }
    results.push({ workload: workload.name, count, byEngine })
  }

  console.log('\n' + formatThroughputTable(results, plan.engineNames))
  for (const entry of results.filter(({ workload }) => workload.startsWith('fill2m'))) {
    console.log('\n' + formatResourceTable(entry, plan.engineNames))
  }
  const failed = results.some(({ byEngine }) => [...byEngine.values()].some((result) => !result.ok))
  if (failed) process.exitCode = 1
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exitCode = 1
})
