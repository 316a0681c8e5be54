// `npm run bench:browser`: the issue-22 workloads in headless Chromium, for each engine in the same
// browser, repetitions in rotated engine order, medians; prints Markdown tables of ops/s and of
// CPU time per operation (all of Chromium's processes, read from /proc: steadier than wall time on
// a shared machine), with each engine's ratio to browser-level (IndexedDB, in a dedicated worker as
// users run it).
//   node dist/benchmarks/browser/run.js [--engines a,b] [--keys N] [--ops N] [--reps N] [--chromium path]
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { chromium, type Page } from 'playwright-core'
import { buildBrowserBundle } from '../../scripts/build-browser'
import { serveDirectory } from '../../test/util/static-server'
import { describeCommit, packageVersion } from '../meta'
import { formatMicros, formatRate, formatRatio, markdownTable } from '../report'
import { median, rotate } from '../summary'
import { ENGINES, PAGE_ENGINES, type BenchReply, type BenchRequest, type EchoReply, type Engine } from './protocol'
import { WORKLOAD_LABELS, WORKLOADS, type BenchConfig, type Workload } from './workloads'

const REPO_ROOT = path.join(__dirname, '..', '..', '..')
const SOURCE_DIR = path.join(REPO_ROOT, 'benchmarks', 'browser')
const BASELINE: Engine = 'browser-level'
// Round trips in each echo measurement (see page-entry.ts, echo()).
const ECHO_TRIPS = 5000
const PAGE = '<!doctype html><meta charset="utf-8"><title>ai-level browser benchmark</title><script type="module" src="./page-entry.js"></script>'

const USAGE = `Usage: npm run bench:browser -- [options]   (or node dist/benchmarks/browser/run.js)

Runs issue 22's workloads in headless Chromium for each engine and prints ops/s and CPU µs/op
(all of Chromium's processes) with each engine's ratio to browser-level.

  --engines <names>  out of ${ENGINES.join(', ')}; default: all
  --keys <n>         keys in the database; default: 20000
  --ops <n>          operations per serial workload; default: 5000
  --reps <n>         repetitions, engine order rotated, medians; default: 3
  --seed <n>         seed for keys and values; default: 1
  --chromium <path>  the Chromium to drive; default: /usr/bin/chromium
  --help             show this help`

interface Plan {
  engines: Engine[]
  config: BenchConfig
  reps: number
  chromiumPath: string
}

function parsePlan (argv: string[]): Plan | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      help: { type: 'boolean' },
      engines: { type: 'string', default: ENGINES.join(',') },
      keys: { type: 'string', default: '20000' },
      ops: { type: 'string', default: '5000' },
      reps: { type: 'string', default: '3' },
      seed: { type: 'string', default: '1' },
      chromium: { type: 'string', default: '/usr/bin/chromium' }
    }
  })
  if (values.help === true) return null
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

/** Per workload: ops/s, and CPU microseconds per operation summed over all of Chromium's processes. */
interface Measured {
  rate: number
  cpuMicrosPerOp: number
}

async function runOne (page: Page, request: BenchRequest): Promise<Map<Workload, Measured>> {
  const reply = await page.evaluate((req) => (globalThis as unknown as { runEngine (r: BenchRequest): Promise<BenchReply> }).runEngine(req), request)
  if ('error' in reply) throw new Error(reply.error)
  return new Map(reply.timings.map(timing => [timing.workload, { rate: timing.ops / (timing.millis / 1000), cpuMicrosPerOp: timing.cpuMillis * 1000 / timing.ops }]))
}

// /proc/<pid>/stat counts CPU in USER_HZ ticks, 100 per second on Linux.
const MILLIS_PER_TICK = 10

/**
 * CPU milliseconds (user and system) used so far by the processes descending from this one:
 * Chromium's browser, renderer, GPU and utility processes, where OPFS and IndexedDB do their work.
 */
function browserCpuMillis (): number {
  const children = new Map<number, number[]>()
  const ticks = new Map<number, number>()
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    let stat: string
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8')
    } catch {
      continue // exited meanwhile
    }
    // Fields after the command name (which may hold spaces), from field 3 on.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const pid = Number(entry)
    const parent = Number(fields[1])
    children.set(parent, [...(children.get(parent) ?? []), pid])
    ticks.set(pid, Number(fields[11]) + Number(fields[12]))
  }
  let total = 0
  const pending = [...(children.get(process.pid) ?? [])]
  for (let pid = pending.pop(); pid !== undefined; pid = pending.pop()) {
    total += ticks.get(pid) ?? 0
    pending.push(...(children.get(pid) ?? []))
  }
  return total * MILLIS_PER_TICK
}

async function main (): Promise<void> {
  const plan = parsePlan(process.argv.slice(2))
  if (plan === null) {
    console.log(USAGE)
    return
  }
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-level-bench-browser-'))
  const server = await serveDirectory(outdir)
  const isolatedServer = await serveDirectory(outdir, { isolated: true })
  // A persistent profile, as users have: in an off-the-record one (Playwright's default contexts)
  // each OPFS sync-access-handle call costs about a millisecond more.
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-level-bench-profile-'))
  const context = await chromium.launchPersistentContext(profile, { executablePath: plan.chromiumPath, headless: true })
  try {
    await buildBrowserBundle({
      entryPoints: {
        'page-entry': path.join(SOURCE_DIR, 'page-entry.ts'),
        'worker-entry': path.join(SOURCE_DIR, 'worker-entry.ts'),
        'ai-level-worker': path.join(REPO_ROOT, 'lib', 'browser', 'worker-entry.ts'),
        'echo-worker': path.join(SOURCE_DIR, 'echo-worker.ts'),
        'lane-echo-worker': path.join(SOURCE_DIR, 'lane-echo-worker.ts')
      },
      outdir,
      minify: true
    })
    fs.writeFileSync(path.join(outdir, 'index.html'), PAGE)
    // AiLevelWorker-isolated runs on a cross-origin isolated page, everything else on a page that is not.
    const openPage = async (origin: string, isolated: boolean): Promise<Page> => {
      const page = await context.newPage()
      await page.exposeFunction('browserCpuMillis', browserCpuMillis)
      page.on('console', message => console.error(`browser: ${message.text()}`))
      await page.goto(`${origin}/index.html`)
      await page.waitForFunction(() => 'runEngine' in globalThis)
      if (await page.evaluate(() => (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true) !== isolated) {
        throw new Error(`The page at ${origin} should ${isolated ? '' : 'not '}be cross-origin isolated`)
      }
      return page
    }
    const page = await openPage(server.origin, false)
    const isolatedPage = plan.engines.includes('AiLevelWorker-isolated') ? await openPage(isolatedServer.origin, true) : null
    const pageOf = (engine: Engine): Page => engine === 'AiLevelWorker-isolated' && isolatedPage !== null ? isolatedPage : page

    const samples = new Map<Engine, Map<Workload, Measured[]>>(plan.engines.map(engine => [engine, new Map(WORKLOADS.map(w => [w, []]))]))
    // The floor under AiLevelWorker's serial calls: a bare postMessage() echo on the engine's page,
    // timed right before each of its runs, so at about the load the run sees.
    const echoes = new Map<Engine, EchoReply[]>()
    // And on a cross-origin isolated page the same through a bare shared-memory lane.
    const laneEchoes = new Map<Engine, EchoReply[]>()
    for (let rep = 0; rep < plan.reps; rep++) {
      for (const engine of rotate(plan.engines, rep)) {
        if ((PAGE_ENGINES as readonly string[]).includes(engine)) {
          const echo = await pageOf(engine).evaluate((count) => (globalThis as unknown as { echo (n: number): Promise<EchoReply> }).echo(count), ECHO_TRIPS)
          echoes.set(engine, [...(echoes.get(engine) ?? []), echo])
          const laneEcho = await pageOf(engine).evaluate((count) => (globalThis as unknown as { laneEcho (n: number): Promise<EchoReply | null> }).laneEcho(count), ECHO_TRIPS)
          if (laneEcho !== null) laneEchoes.set(engine, [...(laneEchoes.get(engine) ?? []), laneEcho])
        }
        const measured = await runOne(pageOf(engine), { engine, name: `bench-${engine}-${rep}`, config: plan.config })
        for (const [workload, sample] of measured) samples.get(engine)?.get(workload)?.push(sample)
        console.error(`rep ${rep + 1}/${plan.reps} ${engine}: ${WORKLOADS.map(w => `${w} ${formatRate(measured.get(w)?.rate ?? NaN)}`).join(', ')}`)
      }
    }

    const medianOf = (engine: Engine, workload: Workload, pick: (sample: Measured) => number): number => median((samples.get(engine)?.get(workload) ?? []).map(pick))
    const others = plan.engines.filter(engine => engine !== BASELINE)
    const withBaseline = plan.engines.includes(BASELINE)
    const table = (title: string, pick: (sample: Measured) => number, format: (value: number) => string, ratioOf: (engine: Engine, workload: Workload) => number): string => markdownTable(
      [title, ...plan.engines, ...(withBaseline ? others.map(engine => `${engine} / ${BASELINE}`) : [])],
      WORKLOADS.map(workload => [
        WORKLOAD_LABELS[workload],
        ...plan.engines.map(engine => format(medianOf(engine, workload, pick))),
        ...(withBaseline ? others.map(engine => formatRatio(finite(ratioOf(engine, workload)))) : [])
      ]))
    // A ratio over a zero (CPU below the 10 ms tick in a whole workload) is not a figure.
    const finite = (value: number): number | undefined => Number.isFinite(value) && value > 0 ? value : undefined
    const rate = (sample: Measured): number => sample.rate
    const cpu = (sample: Measured): number => sample.cpuMicrosPerOp
    const cpus = os.cpus()
    const packages = plan.engines.filter(engine => engine.endsWith('-level') && engine !== 'ai-level').map(engine => `${engine} ${packageVersion(engine)}`).join(', ')
    console.log(`${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}, commit ${describeCommit()}; ${cpus[0]?.model.trim() ?? 'unknown CPU'} (${cpus.length} cores), ` +
      `${os.type()} ${os.release()}; headless Chromium ${context.browser()?.version() ?? 'unknown version'} (persistent profile); ${packages}. ` +
      `${plan.config.keys} keys of 16 bytes, 100-byte values, ${plan.config.ops} operations per serial workload; ` +
      `${plan.reps} repetitions in rotated engine order, medians; seed ${plan.config.seed}.\n`)
    console.log(table('workload (ops/s)', rate, formatRate, (engine, workload) => medianOf(engine, workload, rate) / medianOf(BASELINE, workload, rate)))
    const floors = [...echoes].map(([engine, trips]) => {
      const echoOf = (pick: (echo: EchoReply) => number, of = trips): string => formatMicros(median(of.map(pick)))
      const laneTrips = laneEchoes.get(engine)
      const lane = laneTrips === undefined ? '' : `lane echo ${echoOf(echo => echo.micros, laneTrips)} µs (${echoOf(echo => echo.cpuMicros, laneTrips)} µs of CPU), `
      return `${engine}: echo ${echoOf(echo => echo.micros)} µs (${echoOf(echo => echo.cpuMicros)} µs of CPU), ${lane}` +
        `serial get ${formatMicros(1e6 / medianOf(engine, 'get', rate))} µs (${formatMicros(medianOf(engine, 'get', cpu))} µs of CPU)`
    })
    if (floors.length > 0) {
      console.log(`\nThe floor under a serial call: a bare postMessage() round trip between the page and a dedicated worker (${ECHO_TRIPS} awaited echoes of a get's answer, on each page right before its engine's runs; wall time and the CPU time of all Chromium processes per round trip, medians), on a cross-origin isolated page also a bare round trip through the shared-memory lane (lane echo), against a serial get through that engine: ${floors.join('; ')}.`)
    }
    console.log(`\nCPU time of all Chromium processes per operation (µs)${withBaseline ? `; ratios are ${BASELINE}'s divided by each engine's (above 1: less CPU)` : ''}:\n`)
    console.log(table('workload (CPU µs/op)', cpu, formatMicros, (engine, workload) => medianOf(BASELINE, workload, cpu) / medianOf(engine, workload, cpu)))
  } finally {
    await context.close()
    await server.close()
    await isolatedServer.close()
    fs.rmSync(outdir, { recursive: true, force: true })
    fs.rmSync(profile, { recursive: true, force: true })
  }
}

main().catch((err: Error) => {
  console.error(err)
  process.exitCode = 1
})
