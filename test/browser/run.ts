// `npm run test:browser`: the browser tests, in headless Chromium driven by playwright-core, and a
// chosen set of them in headless Firefox driven by puppeteer-core over WebDriver BiDi.
// Uses the Chromium at CHROMIUM_PATH or /usr/bin/chromium and the Firefox at FIREFOX_PATH or
// /usr/bin/firefox-esr (never a downloaded browser); a browser that is missing (or, for Firefox,
// puppeteer-core) is skipped with a message saying so, and with neither it exits 0, so `npm test`
// passes on machines without them (CI installs both). `--browser=chromium` or `--browser=firefox`
// runs one; other arguments select scenarios whose name contains one of them.
// Each test file in test/browser/ is bundled with the project's esbuild helper, served from a local
// http server (cross-origin isolated, as the engine's shared memory needs) and run with tape in a
// dedicated worker or on the page, as the scenario below says; scenarios of several steps (reloads,
// second pages, files handed to or taken from Node) are driven from here. The TAP of every run is
// streamed to stdout renumbered into one TAP stream, with the runner's own checks; exits non-zero
// on any failure, uncaught error or timeout.
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { chromium } from 'playwright-core'
import { buildBrowserBundle } from '../../scripts/build-browser'
import { withTempDir } from '../util/temp-dir'
import { BROWSER_WRITER, NODE_WRITERS } from './files-data'
import type { RunnerMessage } from './harness'
import { readsAll, writeDirectory } from './node-files'

const ROOT = path.resolve(__dirname, '../../..')
const TEST_DIR = path.join(ROOT, 'test', 'browser')
const DEFAULT_CHROMIUM = '/usr/bin/chromium'
const DEFAULT_FIREFOX = '/usr/bin/firefox-esr'
const RUN_TIMEOUT_MS = 10 * 60 * 1000
// After an uncaught error a tape run may never end: how long it gets to end anyway.
const AFTER_ERROR_MS = 5000
const REPORT_BINDING = '__browserTestReport'

type Context = 'worker' | 'page'

// ---- TAP: one stream, renumbered ----

let assertions = 0
let failures = 0

function emit (line: string): void {
  process.stdout.write(line + '\n')
}

function check (ok: boolean, label: string): boolean {
  assertions++
  if (!ok) failures++
  emit(`${ok ? 'ok' : 'not ok'} ${assertions} ${label}`)
  return ok
}

// Forwards a browser run's TAP lines, renumbering assertions and dropping its own header, plan and
// summary (the runner prints one of each for the whole stream).
class TapForwarder {
  private partial = ''
  failed = 0

  write (chunk: string): void {
    const lines = (this.partial + chunk).split('\n')
    this.partial = lines.pop() ?? ''
    for (const line of lines) this.line(line)
  }

  flush (): void {
    if (this.partial !== '') this.line(this.partial)
    this.partial = ''
  }

  private line (line: string): void {
    if (/^TAP version \d+$/.test(line) || /^1\.\.\d+$/.test(line) || /^# (tests|pass|fail|ok|todo|skip)\b/.test(line)) return
    const assertion = /^(not ok|ok) \d+(.*)$/.exec(line)
    if (assertion === null) {
      emit(line)
      return
    }
    const ok = assertion[1] === 'ok' || /#\s*TODO\b/i.test(assertion[2])
    assertions++
    if (!ok) {
      failures++
      this.failed++
    }
    emit(`${assertion[1]} ${assertions}${assertion[2]}`)
  }
}

// ---- Browsers: what the runner needs of one, from playwright-core or puppeteer-core ----

/** A page (Playwright's and Puppeteer's have this shape). */
interface Page {
  exposeFunction (name: string, fn: (message: RunnerMessage) => void): Promise<unknown>
  on (event: 'pageerror', listener: (error: Error) => void): unknown
  goto (url: string): Promise<unknown>
  close (): Promise<void>
}

/** A browser context: its own storage, so its own, empty origin-private file system. */
interface BrowserContext {
  newPage (): Promise<Page>
  close (): Promise<void>
}

interface Browser {
  readonly name: BrowserName
  readonly description: string
  newContext (): Promise<BrowserContext>
  close (): Promise<void>
}

type BrowserName = 'chromium' | 'firefox'

async function launchChromium (executablePath: string): Promise<Browser> {
  // gc() for opfs-gc.worker, which collects garbage between every task.
  const browser = await chromium.launch({ executablePath, headless: true, args: ['--js-flags=--expose-gc'] })
  return {
    name: 'chromium',
    description: `Chromium ${browser.version()} at ${executablePath}`,
    newContext: () => browser.newContext(),
    close: () => browser.close()
  }
}

/** The part of puppeteer-core used here. It is loaded only when Firefox runs, and may be absent. */
interface Puppeteer {
  launch (options: { browser: 'firefox', executablePath: string, protocol: 'webDriverBiDi', headless: boolean, userDataDir: string }): Promise<{
    version (): Promise<string>
    createBrowserContext (): Promise<BrowserContext>
    close (): Promise<void>
  }>
}

function loadPuppeteer (): Puppeteer | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a devDependency needed only for Firefox; absent, Firefox is skipped
    return require('puppeteer-core') as Puppeteer
  } catch {
    return undefined
  }
}

// Firefox keeps the origin-private file system's metadata in a database it syncs to disk on every
// file created, moved or removed: about 30 ms each on this project's CI disk, which made the
// suites ten times slower than in Chromium. Its profile goes to memory (/dev/shm) where there is
// one; the tests kill workers and pages, never the machine, so nothing they check needs the disk.
async function launchFirefox (executablePath: string, puppeteer: Puppeteer): Promise<Browser> {
  const profile = fs.mkdtempSync(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'ai-level-firefox-'))
  try {
    const browser = await puppeteer.launch({ browser: 'firefox', executablePath, protocol: 'webDriverBiDi', headless: true, userDataDir: profile })
    return {
      name: 'firefox',
      description: `Firefox ${(await browser.version()).replace(/^firefox\//, '')} at ${executablePath}, profile in ${path.dirname(profile)}`,
      newContext: () => browser.createBrowserContext(),
      close: async () => {
        try {
          await browser.close()
        } finally {
          fs.rmSync(profile, { recursive: true, force: true })
        }
      }
    }
  } catch (error) {
    fs.rmSync(profile, { recursive: true, force: true })
    throw error
  }
}

// ---- Bundles and the http server ----

const bundles = new Map<string, Promise<string>>()

// tape, which runs the browser tests, needs a few Node modules and globals; the engine needs none.
const TAPE_SHIMS = Object.fromEntries(['path', 'fs', 'stream'].map(name => [name, path.join(TEST_DIR, 'shims', `${name}.ts`)]))

async function buildBundle (name: string): Promise<string> {
  const built = await buildBrowserBundle({
    entryPoints: { [name]: path.join(TEST_DIR, `${name}.ts`) },
    outdir: path.join(ROOT, 'dist', 'browser-tests'),
    write: false,
    // tape reads __dirname to shorten stack traces.
    define: { __dirname: '"/"' },
    alias: TAPE_SHIMS
  })
  return built.outputFiles[0].text
}

/** The bundle of test/browser/<name>.ts, built once. */
function bundle (name: string): Promise<string> {
  let built = bundles.get(name)
  if (built === undefined) {
    built = buildBundle(name)
    bundles.set(name, built)
  }
  return built
}

/** Files served to the page at /files/<set>/<name>, with /files/<set>/ listing the names as JSON. */
const fileSets = new Map<string, Map<string, Buffer>>()

function pageHtml (name: string, context: Context, query: string): string {
  const script = context === 'page'
    ? `<script type="module" src="/bundles/${name}.js${query}"></script>`
    : `<script type="module">
const report = message => window.${REPORT_BINDING}(message)
const worker = new Worker('/bundles/${name}.js${query}', { type: 'module' })
worker.onmessage = event => report(event.data)
// The harness handles the worker's own uncaught errors; what reaches here is a worker that did not load.
worker.onerror = event => {
  report({ kind: 'error', text: 'worker: ' + (event.message || 'failed to load') })
  report({ kind: 'end', text: '' })
}
</script>`
  return `<!doctype html><meta charset="utf-8"><title>${name}</title>${script}`
}

async function serve (request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost')
  const send = (status: number, type: string, body: string | Buffer, cache = false): void => {
    response.writeHead(status, {
      'content-type': type,
      // Bundles do not change during a run (and each run has its own port, so its own origin):
      // cached, a worker started per database does not fetch and compile its bundle again.
      'cache-control': cache ? 'max-age=3600' : 'no-store',
      // Cross-origin isolation: SharedArrayBuffer and Atomics.wait need it.
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp'
    })
    response.end(body)
  }
  let match: RegExpExecArray | null
  if ((match = /^\/run\/([\w.-]+)$/.exec(url.pathname)) !== null) {
    const context = url.searchParams.get('context') === 'page' ? 'page' : 'worker'
    send(200, 'text/html; charset=utf-8', pageHtml(match[1], context, url.search))
  } else if ((match = /^\/bundles\/([\w.-]+)\.js$/.exec(url.pathname)) !== null) {
    send(200, 'text/javascript; charset=utf-8', await bundle(match[1]), true)
  } else if ((match = /^\/files\/([\w.-]+)\/(.*)$/.exec(url.pathname)) !== null) {
    const set = fileSets.get(match[1])
    if (set === undefined) send(404, 'text/plain', 'no such file set')
    else if (match[2] === '') send(200, 'application/json', JSON.stringify([...set.keys()]))
    else if (set.has(match[2])) send(200, 'application/octet-stream', set.get(match[2]) as Buffer)
    else send(404, 'text/plain', 'no such file')
  } else {
    send(404, 'text/plain', 'not found')
  }
}

// ---- Running test files in pages ----

interface RunOptions {
  context: Context
  step?: string
  timeoutMs?: number
  /** More search parameters for the test (harness.ts's `params`). */
  params?: Record<string, string>
  /** Called with each value the test hands over with sendData(), as it comes. */
  onData?: (value: unknown) => void
  /** Ends the run, for the runner, once it returns true for a value handed over (the test may run on). */
  stopWhen?: (value: unknown) => boolean
}

interface RunResult {
  /** True when the run ended, with no failed assertion and no uncaught error. */
  ok: boolean
  /** Values the test handed over with sendData(), in order. */
  data: unknown[]
}

type Listener = (message: RunnerMessage) => void
const pageListeners = new WeakMap<Page, { current: Listener | null }>()

class Session {
  private readonly contexts: BrowserContext[] = []

  constructor (readonly browser: Browser, readonly origin: string) {}

  /** A fresh browser context: its own, empty origin-private file system. */
  async newContext (): Promise<BrowserContext> {
    const context = await this.browser.newContext()
    this.contexts.push(context)
    return context
  }

  async newPage (context: BrowserContext): Promise<Page> {
    const page = await context.newPage()
    const slot: { current: Listener | null } = { current: null }
    pageListeners.set(page, slot)
    await page.exposeFunction(REPORT_BINDING, (message: RunnerMessage) => slot.current?.(message))
    page.on('pageerror', error => slot.current?.({ kind: 'error', text: `page: ${error.message}` }))
    return page
  }

  /** Loads test/browser/<name>.ts into the page (on it or in a worker) and waits for its tape run to end. */
  async run (page: Page, name: string, options: RunOptions): Promise<RunResult> {
    const slot = pageListeners.get(page)
    if (slot === undefined) throw new Error('page not made by Session.newPage')
    const label = `${this.browser.name === 'chromium' ? '' : `${this.browser.name}: `}${name} (${options.context}${options.step === undefined ? '' : `, step ${options.step}`})`
    emit(`# ${label}`)
    const started = Date.now()
    const tap = new TapForwarder()
    const data: unknown[] = []
    let errors = 0
    let timer: NodeJS.Timeout | undefined
    const ended = new Promise<boolean>(resolve => {
      timer = setTimeout(() => resolve(false), options.timeoutMs ?? RUN_TIMEOUT_MS)
      slot.current = message => {
        if (message.kind === 'tap') tap.write(message.text)
        else if (message.kind === 'data') {
          const value: unknown = JSON.parse(message.text)
          data.push(value)
          options.onData?.(value)
          if (options.stopWhen?.(value) === true) resolve(true)
        }
        else if (message.kind === 'error') {
          errors++
          tap.flush()
          check(false, `${label}: uncaught error`)
          emit(message.text.split('\n').map(line => `# ${line}`).join('\n'))
          clearTimeout(timer)
          timer = setTimeout(() => resolve(true), AFTER_ERROR_MS)
        } else {
          resolve(true)
        }
      }
    })
    const query = new URLSearchParams({ ...options.params, context: options.context })
    if (options.step !== undefined) query.set('step', options.step)
    await page.goto(`${this.origin}/run/${name}?${query.toString()}`)
    const finished = await ended
    clearTimeout(timer)
    slot.current = null
    tap.flush()
    if (!finished) check(false, `${label}: ended within ${(options.timeoutMs ?? RUN_TIMEOUT_MS) / 1000} s`)
    emit(`# ${label}: ${((Date.now() - started) / 1000).toFixed(1)} s`)
    return { ok: finished && errors === 0 && tap.failed === 0, data }
  }

  async close (): Promise<void> {
    for (const context of this.contexts) await context.close()
  }
}

// ---- The scenarios ----

interface Scenario {
  name: string
  /** Run in Firefox too (every scenario runs in Chromium). */
  firefox?: boolean
  run (session: Session): Promise<void>
}

function alsoInFirefox (scenario: Scenario): Scenario {
  return { ...scenario, firefox: true }
}

/** One test file, one run in a fresh context. */
function single (name: string, context: Context): Scenario {
  return {
    name: `${name} in the ${context}`,
    async run (session) {
      const page = await session.newPage(await session.newContext())
      await session.run(page, name, { context })
    }
  }
}

/** The steps of one test file on one page, each a new page load (a reload: a new worker, too). */
function reloads (name: string, steps: string[]): Scenario {
  return {
    name: `${name}, reloaded between ${steps.join(', ')}`,
    async run (session) {
      const page = await session.newPage(await session.newContext())
      for (const step of steps) await session.run(page, name, { context: 'worker', step })
    }
  }
}

// How long after the waiting page says it waits the holding page is closed.
const CLOSE_HOLDER_AFTER_MS = 300

const lockScenario: Scenario = {
  name: 'lock.worker: a second page gets LEVEL_LOCKED, or waits with lockTimeout',
  async run (session) {
    const context = await session.newContext()
    const holder = await session.newPage(context)
    await session.run(holder, 'lock.worker', { context: 'worker', step: 'hold' })
    const second = await session.newPage(context)
    await session.run(second, 'lock.worker', { context: 'worker', step: 'second' })
    let closed: Promise<void> | undefined
    await session.run(second, 'lock.worker', {
      context: 'worker',
      step: 'wait',
      onData: () => {
        closed = new Promise(resolve => setTimeout(resolve, CLOSE_HOLDER_AFTER_MS)).then(() => holder.close())
      }
    })
    check(closed !== undefined, 'lock: the holding page was closed while the second one waited')
    await closed
  }
}

// Writes acknowledged before the writing page is closed: enough for the log to have rolled into
// tables (64 KiB memtables, ~90-byte entries).
const ACKNOWLEDGED_BEFORE_CLOSE = 1500

// The page (not only its worker) closed mid-write, twice: the second close lands on a database that
// already recovered once. The writer starts from the first key each time, with the same values.
const pageCrashScenario: Scenario = {
  name: 'page-crash.page: a page closed mid-write, a new page finds every acknowledged write',
  async run (session) {
    const context = await session.newContext()
    for (const round of [1, 2]) {
      const writer = await session.newPage(context)
      let acknowledged = -1
      const written = await session.run(writer, 'page-crash.page', {
        context: 'page',
        step: 'write',
        stopWhen: value => {
          acknowledged = (value as { acknowledged: number }).acknowledged
          return acknowledged + 1 >= round * ACKNOWLEDGED_BEFORE_CLOSE
        }
      })
      await writer.close()
      if (!check(written.ok && acknowledged >= 0, `page-crash: round ${round}, the page was closed after write ${acknowledged} was acknowledged`)) return
      const reader = await session.newPage(context)
      await session.run(reader, 'page-crash.page', { context: 'page', step: 'verify', params: { acknowledged: String(acknowledged) } })
      await reader.close()
    }
  }
}

const filesScenario: Scenario = {
  name: 'files.worker: Node-written directories in the browser, a browser-written one in Node',
  async run (session) {
    await withTempDir('browser-files', async dir => {
      for (const writer of NODE_WRITERS) fileSets.set(writer, await writeDirectory(writer, path.join(dir, writer)))
      const page = await session.newPage(await session.newContext())
      await session.run(page, 'files.worker', { context: 'worker', step: 'import' })
      const exported = await session.run(page, 'files.worker', { context: 'worker', step: 'export' })
      if (!check(exported.ok && exported.data.length > 0, `files: the browser exported its directory (${exported.data.length} files)`)) return
      for (const reader of NODE_WRITERS) {
        // Each reader gets its own copy: opening a database may rewrite its log and manifest.
        const copy = path.join(dir, `exported-for-${reader}`)
        fs.mkdirSync(copy)
        for (const file of exported.data as Array<{ name: string, base64: string }>) fs.writeFileSync(path.join(copy, file.name), Buffer.from(file.base64, 'base64'))
        const read = await readsAll(reader, copy, BROWSER_WRITER)
        check(read.ok, `files: the browser-written directory opens in Node with ${reader}, every entry in order (${read.detail})`)
      }
    })
  }
}

const SCENARIOS: Scenario[] = [
  alsoInFirefox(single('remote.page', 'page')),
  alsoInFirefox(single('suite.worker', 'worker')),
  // Chromium only: it needs gc(), which only Chromium's --js-flags can expose.
  single('opfs-gc.worker', 'worker'),
  // Chromium only: Firefox ESR 140 refuses a second sync access handle on a file even in
  // 'readwrite-unsafe' mode, so there jobs run inline (the fallback, covered by this scenario's other cases).
  single('jobs.worker', 'worker'),
  alsoInFirefox(reloads('persistence.worker', ['write', 'reopen', 'verify'])),
  alsoInFirefox(lockScenario),
  alsoInFirefox(single('crash.page', 'page')),
  alsoInFirefox(pageCrashScenario),
  alsoInFirefox(filesScenario)
]

// ---- Main ----

// The browsers to run, each launched when its turn comes; one that is missing is skipped with a
// message saying why.
interface BrowserChoice {
  name: BrowserName
  launch (): Promise<Browser>
}

function availableBrowsers (wanted: BrowserName[]): BrowserChoice[] {
  const choices: BrowserChoice[] = []
  if (wanted.includes('chromium')) {
    const executablePath = process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM
    if (fs.existsSync(executablePath)) choices.push({ name: 'chromium', launch: () => launchChromium(executablePath) })
    else console.log(`test:browser: Chromium skipped, none found at ${executablePath} (set CHROMIUM_PATH, or install Debian's chromium)`)
  }
  if (wanted.includes('firefox')) {
    const executablePath = process.env.FIREFOX_PATH ?? DEFAULT_FIREFOX
    const puppeteer = loadPuppeteer()
    if (!fs.existsSync(executablePath)) console.log(`test:browser: Firefox skipped, none found at ${executablePath} (set FIREFOX_PATH, or install Debian's firefox-esr)`)
    else if (puppeteer === undefined) console.log('test:browser: Firefox skipped, puppeteer-core (a devDependency) is not installed')
    else choices.push({ name: 'firefox', launch: () => launchFirefox(executablePath, puppeteer) })
  }
  return choices
}

async function runScenarios (browser: Browser, origin: string, scenarios: Scenario[]): Promise<void> {
  const started = Date.now()
  emit(`# ${browser.description}`)
  try {
    for (const scenario of scenarios) {
      const session = new Session(browser, origin)
      try {
        await scenario.run(session)
      } catch (error) {
        check(false, `${browser.name}: ${scenario.name}: ${error instanceof Error ? error.stack ?? error.message : String(error)}`)
      } finally {
        await session.close()
      }
    }
  } finally {
    await browser.close()
  }
  emit(`# ${browser.name}: ${scenarios.length} scenarios in ${((Date.now() - started) / 1000).toFixed(1)} s`)
}

async function main (): Promise<void> {
  const args = process.argv.slice(2)
  const browserArg = args.find(arg => arg.startsWith('--browser='))?.slice('--browser='.length)
  if (browserArg !== undefined && browserArg !== 'chromium' && browserArg !== 'firefox') throw new Error(`--browser must be chromium or firefox, not ${browserArg}`)
  const browsers = availableBrowsers(browserArg === undefined ? ['chromium', 'firefox'] : [browserArg])
  if (browsers.length === 0) {
    console.log('test:browser: skipped, no browser to run')
    return
  }
  const only = args.filter(arg => !arg.startsWith('--'))
  const selected = only.length === 0 ? SCENARIOS : SCENARIOS.filter(s => only.some(o => s.name.includes(o)))
  if (selected.length === 0) throw new Error(`no scenario matches ${only.join(', ')}`)

  const server = http.createServer((request, response) => {
    serve(request, response).catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'text/plain' })
      response.end(String(error instanceof Error ? error.stack : error))
      check(false, `serving ${request.url ?? ''}: ${String(error)}`)
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const started = Date.now()
  let ran = 0
  emit('TAP version 13')
  try {
    for (const choice of browsers) {
      const scenarios = choice.name === 'chromium' ? selected : selected.filter(s => s.firefox === true)
      if (scenarios.length === 0) continue
      let browser: Browser
      try {
        browser = await choice.launch()
      } catch (error) {
        check(false, `${choice.name} starts: ${error instanceof Error ? error.stack ?? error.message : String(error)}`)
        continue
      }
      await runScenarios(browser, origin, scenarios)
      ran += scenarios.length
    }
  } finally {
    server.close()
  }
  emit(`\n1..${assertions}`)
  emit(`# tests ${assertions}`)
  emit(`# pass  ${assertions - failures}`)
  emit(`# fail  ${failures}`)
  emit(`# test:browser: ${ran} scenario runs in ${browsers.map(b => b.name).join(' and ')}, ${((Date.now() - started) / 1000).toFixed(1)} s`)
  if (failures > 0 || assertions === 0) process.exitCode = 1
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
