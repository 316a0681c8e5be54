// `npm run bench:browser`: the issue-22 workloads in headless Chromium, for each engine in the same
// browser, repetitions in rotated engine order, medians; prints a Markdown table of ops/s with each
// engine's ratio to browser-level (IndexedDB, in a dedicated worker as users run it).
//   node dist/benchmarks/browser/run.js [--engines a,b] [--keys N] [--ops N] [--reps N] [--chromium path]
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { chromium, type Page } from 'playwright-core'
import { buildBrowserBundle } from '../../scripts/build-browser'
import { serveDirectory } from '../../test/util/static-server'
import { describeCommit, packageVersion } from '../meta'
import { formatRate, formatRatio, markdownTable } from '../report'
import { median, rotate } from '../summary'
import { ENGINES, type BenchReply, type BenchRequest, type Engine } from './protocol'
import { WORKLOAD_LABELS, WORKLOADS, type BenchConfig, type Workload } from './workloads'

const REPO_ROOT = path.join(__dirname, '..', '..', '..')
const SOURCE_DIR = path.join(REPO_ROOT, 'benchmarks', 'browser')
const BASELINE: Engine = 'browser-level'
const PAGE = '<!doctype html><meta charset="utf-8"><title>ai-level browser benchmark</title><script type="module" src="./page-entry.js"></script>'

interface Plan {
  engines: Engine[]
  config: BenchConfig
  reps: number
  chromiumPath: string
}

function parsePlan (argv: string[]): Plan {
  const { values } = parseArgs({
    args: argv,
    options: {
      engines: { type: 'string', default: ENGINES.join(',') },
      keys: { type: 'string', default: '20000' },
      ops: { type: 'string', default: '5000' },
      reps: { type: 'string', default: '3' },
      seed: { type: 'string', default: '1' },
      chromium: { type: 'string', default: '/usr/bin/chromium' }
    }
  })
  const engines = values.engines.split(',')
  for (const engine of engines) {
    if (!(ENGINES as readonly string[]).includes(engine)) throw new Error(`Unknown engine ${engine}: choose from ${ENGINES.join(', ')}`)
  }
  const positive = (name: string, raw: string): number => {
    const value = Number(raw)
    if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, got ${raw}`)
    return value
  }
  return {
    engines: engines as Engine[],
    config: { keys: positive('keys', values.keys), ops: positive('ops', values.ops), seed: positive('seed', values.seed) },
    reps: positive('reps', values.reps),
    chromiumPath: values.chromium
  }
}

async function runOne (page: Page, request: BenchRequest): Promise<Map<Workload, number>> {
  const reply = await page.evaluate((req) => (globalThis as unknown as { runEngine (r: BenchRequest): Promise<BenchReply> }).runEngine(req), request)
  if ('error' in reply) throw new Error(reply.error)
  return new Map(reply.timings.map(timing => [timing.workload, timing.ops / (timing.millis / 1000)]))
}

async function main (): Promise<void> {
  const plan = parsePlan(process.argv.slice(2))
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-level-bench-browser-'))
  const server = await serveDirectory(outdir)
  const browser = await chromium.launch({ executablePath: plan.chromiumPath, headless: true })
  try {
    await buildBrowserBundle({
      entryPoints: {
        'page-entry': path.join(SOURCE_DIR, 'page-entry.ts'),
        'worker-entry': path.join(SOURCE_DIR, 'worker-entry.ts'),
        'ai-level-worker': path.join(REPO_ROOT, 'lib', 'browser', 'worker-entry.ts')
      },
      outdir,
      minify: true
    })
    fs.writeFileSync(path.join(outdir, 'index.html'), PAGE)
    const page = await browser.newPage()
    await page.goto(`${server.origin}/index.html`)
    await page.waitForFunction(() => 'runEngine' in globalThis)

    const rates = new Map<Engine, Map<Workload, number[]>>(plan.engines.map(engine => [engine, new Map(WORKLOADS.map(w => [w, []]))]))
    for (let rep = 0; rep < plan.reps; rep++) {
      for (const engine of rotate(plan.engines, rep)) {
        const measured = await runOne(page, { engine, name: `bench-${engine}-${rep}`, config: plan.config })
        for (const [workload, rate] of measured) rates.get(engine)?.get(workload)?.push(rate)
        console.error(`rep ${rep + 1}/${plan.reps} ${engine}: ${WORKLOADS.map(w => `${w} ${formatRate(measured.get(w) ?? NaN)}`).join(', ')}`)
      }
    }

    const medianOf = (engine: Engine, workload: Workload): number => median(rates.get(engine)?.get(workload) ?? [])
    const others = plan.engines.filter(engine => engine !== BASELINE)
    const withBaseline = plan.engines.includes(BASELINE)
    const header = ['workload (ops/s)', ...plan.engines, ...(withBaseline ? others.map(engine => `${engine} / ${BASELINE}`) : [])]
    const rows = WORKLOADS.map(workload => [
      WORKLOAD_LABELS[workload],
      ...plan.engines.map(engine => formatRate(medianOf(engine, workload))),
      ...(withBaseline ? others.map(engine => formatRatio(medianOf(engine, workload) / medianOf(BASELINE, workload))) : [])
    ])
    const cpus = os.cpus()
    const packages = plan.engines.filter(engine => engine.endsWith('-level') && engine !== 'ai-level').map(engine => `${engine} ${packageVersion(engine)}`).join(', ')
    console.log(`${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}, commit ${describeCommit()}; ${cpus[0]?.model.trim() ?? 'unknown CPU'} (${cpus.length} cores), ` +
      `${os.type()} ${os.release()}; headless Chromium ${browser.version()}; ${packages}. ` +
      `${plan.config.keys} keys of 16 bytes, 100-byte values, ${plan.config.ops} operations per serial workload; ` +
      `${plan.reps} repetitions in rotated engine order, medians; seed ${plan.config.seed}.\n`)
    console.log(markdownTable(header, rows))
  } finally {
    await browser.close()
    await server.close()
    fs.rmSync(outdir, { recursive: true, force: true })
  }
}

main().catch((err: Error) => {
  console.error(err)
  process.exitCode = 1
})
