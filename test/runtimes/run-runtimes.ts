// `npm run test:runtimes`: runs ai-level under Bun and Deno, from the `bun` and `deno` npm
// packages in devDependencies. For each runtime: the abstract-level compliance suite, a
// persistence round (write with flushes and compactions, close, reopen, verify; then the other
// runtime and Node read what it wrote, and it reads what Node wrote) and the lock checks (a second
// process is kept out, classic-level too where the lock is fcntl, a SIGKILLed holder does not
// block the next open, and an open with lockTimeout waits for its holder). Deno runs twice: with
// -A (FFI allowed: the fcntl lock) and without --allow-ffi (the pid-file lock). Prints a table of
// what each runtime gave and a closing 'N passed, N failed' line; exits non-zero on any failure.
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'

const ROOT = path.resolve(__dirname, '../../..')
const DIST_TEST = path.join(ROOT, 'dist', 'test')
const PROBE = path.join(DIST_TEST, 'runtimes', 'probe.js')
const CHILD_TIMEOUT_MS = 10 * 60 * 1000

interface Runtime {
  name: string
  command: string
  args: string[]
  suite: boolean
}

function bin (name: string): string {
  return path.join(ROOT, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name)
}

const NODE: Runtime = { name: 'node', command: process.execPath, args: [], suite: false }
const RUNTIMES: Runtime[] = [
  { name: 'bun', command: bin('bun'), args: [], suite: true },
  { name: 'deno -A', command: bin('deno'), args: ['run', '-A'], suite: true },
  // --allow-run lets the pid-file lock check whether a holder is alive (process.kill(pid, 0)).
  { name: 'deno without --allow-ffi', command: bin('deno'), args: ['run', '--allow-read', '--allow-write', '--allow-env', '--allow-sys', '--allow-run'], suite: false }
]

type Report = Record<string, unknown>

let passed = 0
let failed = 0

function check (ok: boolean, label: string): boolean {
  if (ok) passed++
  else failed++
  console.log(`${ok ? 'ok' : 'not ok'} ${passed + failed} ${label}`)
  return ok
}

function run (runtime: Runtime, script: string, args: string[]): { status: number | null, stdout: string, stderr: string } {
  const result = spawnSync(runtime.command, [...runtime.args, script, ...args], { encoding: 'utf8', timeout: CHILD_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 })
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' }
}

function lastJson (stdout: string): Report {
  const line = stdout.trim().split('\n').reverse().find(l => l.startsWith('{'))
  try {
    return line === undefined ? {} : JSON.parse(line) as Report
  } catch {
    return {}
  }
}

function probe (runtime: Runtime, mode: 'write' | 'verify', dir: string): Report {
  const result = run(runtime, PROBE, [mode, dir])
  const report = lastJson(result.stdout)
  if (result.status !== 0 || report.error !== undefined) console.log(`# ${runtime.name} ${mode}: exit ${result.status}\n${result.stderr.slice(-2000)}${String(report.error ?? '')}`)
  return report
}

// A probe in 'hold' mode, holding the database until release() closes its stdin (or kill()).
interface Holder {
  report: Report
  release (): Promise<number | null>
  kill (): Promise<void>
}

function hold (runtime: Runtime, dir: string, mode: 'hold' | 'hold-read' = 'hold'): Promise<Holder> {
  const child = spawn(runtime.command, [...runtime.args, PROBE, mode, dir], { stdio: ['pipe', 'pipe', 'inherit'] })
  const exit = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)))
  return new Promise((resolve) => {
    const lines = readline.createInterface({ input: child.stdout })
    let settled = false
    const settle = (report: Report): void => {
      if (settled) return
      settled = true
      resolve({
        report,
        release: async () => { child.stdin.end(); return exit },
        kill: async () => { child.kill('SIGKILL'); await exit }
      })
    }
    lines.on('line', line => { if (line.startsWith('{')) settle(JSON.parse(line) as Report) })
    void exit.then(code => settle({ error: `exited with ${code}` }))
  })
}

// How long after a 'wait' probe says it is waiting its holder lets go.
const RELEASE_AFTER_MS = 300

// A probe in 'wait' mode, started while `holder` holds the database: the holder lets go
// RELEASE_AFTER_MS after the probe says it waits. Resolves with its last report once it exited.
function waitForRelease (runtime: Runtime, dir: string, holder: Holder): Promise<Report> {
  const child = spawn(runtime.command, [...runtime.args, PROBE, 'wait', dir], { stdio: ['ignore', 'pipe', 'inherit'] })
  let last: Report = {}
  const lines = readline.createInterface({ input: child.stdout })
  lines.on('line', line => {
    if (!line.startsWith('{')) return
    last = JSON.parse(line) as Report
    if (last.waiting === true) setTimeout(() => { void holder.release() }, RELEASE_AFTER_MS)
  })
  return new Promise(resolve => child.once('close', code => resolve(code === 0 ? last : { ...last, error: `exited with ${code}` })))
}

function lockedReport (report: Report): boolean {
  return report.failed === 'LEVEL_DATABASE_NOT_OPEN' && report.cause === 'LEVEL_LOCKED'
}

// Asynchronous, so the suites of the runtimes run side by side with the other checks.
function runAsync (runtime: Runtime, script: string): Promise<{ status: number | null, stdout: string, stderr: string }> {
  const child = spawn(runtime.command, [...runtime.args, script], { stdio: ['ignore', 'pipe', 'pipe'], timeout: CHILD_TIMEOUT_MS })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  return new Promise(resolve => child.once('close', status => resolve({ status, stdout, stderr })))
}

async function runSuite (runtime: Runtime): Promise<string> {
  const started = Date.now()
  const result = await runAsync(runtime, path.join(DIST_TEST, 'level', 'abstract-suite.test.js'))
  const passes = /^# pass\s+(\d+)/m.exec(result.stdout)?.[1]
  const fails = /^# fail\s+(\d+)/m.exec(result.stdout)?.[1]
  // Each failed assertion with the name of its test (the last '# ' line before it).
  const notOk: string[] = []
  let testName = ''
  for (const line of result.stdout.split('\n')) {
    if (line.startsWith('# ')) testName = line
    else if (line.startsWith('not ok') && notOk.length < 10) notOk.push(`${testName}: ${line}`)
  }
  const summary = `${passes ?? 0} passed, ${fails ?? 0} failed in ${((Date.now() - started) / 1000).toFixed(0)} s`
  if (!check(result.status === 0 && fails === undefined && Number(passes) > 0, `${runtime.name}: abstract-level suite (${summary})`)) {
    console.log(`# ${notOk.join('\n# ')}\n${result.stderr.slice(0, 4000)}`)
  }
  return summary
}

async function checkLocks (runtime: Runtime, root: string): Promise<void> {
  const dir = path.join(root, `lock-${runtime.name.replace(/\W+/g, '-')}`)
  const holder = await hold(runtime, dir)
  if (!check(holder.report.opened === true, `${runtime.name}: opens and holds a database (${String(holder.report.lock)} lock)`)) {
    await holder.kill()
    return
  }
  const second = await hold(runtime, dir)
  check(lockedReport(second.report), `${runtime.name}: a second ${runtime.name} process is kept out (${String(second.report.cause)})`)
  await second.release()
  if (holder.report.lock === 'fcntl') {
    const nodeOpener = await hold(NODE, dir)
    check(lockedReport(nodeOpener.report), `${runtime.name}: AiLevel under Node is kept out (${String(nodeOpener.report.cause)})`)
    await nodeOpener.release()
    const classic = lastJson(run(NODE, path.join(DIST_TEST, 'runtimes', 'classic-open.js'), [dir]).stdout)
    check(classic.failed === 'LEVEL_DATABASE_NOT_OPEN' && classic.cause === 'LEVEL_LOCKED', `${runtime.name}: classic-level is kept out (${String(classic.cause)})`)
  }
  await holder.kill()
  const next = await hold(runtime, dir)
  check(next.report.opened === true, `${runtime.name}: a SIGKILLed holder does not block the next open`)
  const waiter = await waitForRelease(runtime, dir, next)
  const waited = Number(waiter.waitedMs)
  check(waiter.opened === true && waited >= RELEASE_AFTER_MS - 50, `${runtime.name}: an open with lockTimeout waits for the holder to let go (${String(waiter.lock)} lock, ${waited} ms${waiter.cause === undefined ? '' : `, ${String(waiter.cause)}`})`)
  check(await next.release() === 0, `${runtime.name}: closes cleanly`)
  await checkSharedLocks(runtime, dir)
}

// Read-only opens share the lock and keep writers out.
async function checkSharedLocks (runtime: Runtime, dir: string): Promise<void> {
  const readers = [await hold(runtime, dir, 'hold-read'), await hold(runtime, dir, 'hold-read')]
  check(readers.every(reader => reader.report.opened === true), `${runtime.name}: two read-only processes share the database (${String(readers[0].report.lock)} lock)`)
  const writer = await hold(runtime, dir)
  check(lockedReport(writer.report), `${runtime.name}: a writer is kept out while they read (${String(writer.report.cause)})`)
  await writer.release()
  if (readers[0].report.lock === 'fcntl') {
    const nodeReader = await hold(NODE, dir, 'hold-read')
    check(nodeReader.report.opened === true, `${runtime.name}: a read-only AiLevel under Node reads beside them`)
    await nodeReader.release()
    const classic = lastJson(run(NODE, path.join(DIST_TEST, 'runtimes', 'classic-open.js'), [dir]).stdout)
    check(classic.failed === 'LEVEL_DATABASE_NOT_OPEN' && classic.cause === 'LEVEL_LOCKED', `${runtime.name}: classic-level is kept out of the readers' database (${String(classic.cause)})`)
  }
  for (const reader of readers) check(await reader.release() === 0, `${runtime.name}: a read-only process closes cleanly`)
}

async function main (): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-level-runtimes-'))
  const rows: string[] = []
  try {
    const nodeDir = path.join(root, 'written-by-node')
    const nodeWrite = probe(NODE, 'write', nodeDir)
    check(nodeWrite.verified === 3000, `node: persistence round (${String(nodeWrite.verified)} of 3000 keys)`)
    rows.push(`| ${String(nodeWrite.runtime)} | ${String(nodeWrite.platform)} | ${String(nodeWrite.lock)} | ${String(nodeWrite.crc32c)} | ${String(nodeWrite.background)} | (npm test) |`)
    const suites = RUNTIMES.map(runtime => runtime.suite ? runSuite(runtime) : Promise.resolve('not run'))
    for (const [i, runtime] of RUNTIMES.entries()) {
      const version = spawnSync(runtime.command, ['--version'], { encoding: 'utf8' }).stdout?.split('\n')[0]
      console.log(`# ${runtime.name}: ${version}`)
      const dir = path.join(root, `written-by-${i}`)
      const written = probe(runtime, 'write', dir)
      const tables = (written.tables as number[] | undefined ?? []).reduce((a, b) => a + b, 0)
      check(written.verified === 3000 && tables > 0, `${runtime.name}: persistence round with ${tables} tables (${String(written.verified)} of 3000 keys)`)
      const other = RUNTIMES[(i + 1) % RUNTIMES.length]
      for (const reader of [NODE, other]) {
        check(probe(reader, 'verify', dir).verified === 3000, `${reader.name} reads what ${runtime.name} wrote`)
      }
      check(probe(runtime, 'verify', nodeDir).verified === 3000, `${runtime.name} reads what node wrote`)
      await checkLocks(runtime, root)
      rows.push(`| ${String(written.runtime)} (${runtime.name}) | ${String(written.platform)} | ${String(written.lock)} | ${String(written.crc32c)} | ${String(written.background)} | ${await suites[i]} |`)
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true })
  }
  console.log('\n| runtime | platform | lock | CRC32C | flushes and compactions | abstract-level suite |\n|---|---|---|---|---|---|')
  console.log(rows.join('\n'))
  console.log(`\n${passed} passed, ${failed} failed`)
  if (failed > 0) process.exitCode = 1
}

void main()
