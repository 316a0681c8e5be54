// The browser side of `npm run test:package`, on the tarball installed by pack-install.ts: the
// browser bundles import no Node built-in, and examples/browser/ builds against the installed
// package with esbuild and with Vite (so the `browser` export condition is what they resolve) and,
// when a Chromium is found, each build, and the app under Vite's dev server, shows the expected
// result when loaded into it. The example has no bundler configuration: none is needed.
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { builtinModules } from 'node:module'
import path from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import { serveDirectory, type StaticServer } from '../util/static-server'

export type Check = (ok: boolean, label: string, detail?: string) => void

const ROOT = path.resolve(__dirname, '../../..')
const EXAMPLE = path.join(ROOT, 'examples', 'browser')
const DEFAULT_CHROMIUM = '/usr/bin/chromium'
/** Tools the example's builds use, linked into the install from this checkout's dev dependencies. */
const BUILD_TOOLS = ['esbuild', 'vite']

/** What examples/browser/ shows once it has run. */
export const EXPECTED_EXAMPLE_RESULT = [
  'page: get fruit!apple = {"colour":"red"}',
  'page: fruit!apple red',
  'page: fruit!banana yellow',
  'page: fruit!cherry dark red',
  'worker: get b = 2',
  'worker: entries: [["a","1"],["b","2"],["c","3"]]',
  'done'
].join('\n')

/** Module specifiers a bundle imports or requires that name a Node built-in. */
export function nodeBuiltinImports (code: string): string[] {
  const builtins = new Set(builtinModules)
  const found = new Set<string>()
  for (const match of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["']([^"']+)["']/g)) {
    const specifier = match[1]
    if (specifier.startsWith('node:') || specifier.startsWith('bun:') || builtins.has(specifier.split('/')[0])) found.add(specifier)
  }
  return [...found].sort()
}

/** Checks the installed package's browser bundles and, if asked, builds and runs the browser example against it. */
export async function checkBrowserPackage (dir: string, env: NodeJS.ProcessEnv, buildExample: boolean, check: Check): Promise<void> {
  const bundleDir = path.join(dir, 'node_modules', 'ai-level', 'dist', 'browser')
  const bundles = fs.existsSync(bundleDir) ? fs.readdirSync(bundleDir).filter(name => name.endsWith('.js')) : []
  check(bundles.length > 0, `the package holds browser bundles in dist/browser (${bundles.join(', ')})`)
  for (const name of bundles) {
    const imported = nodeBuiltinImports(fs.readFileSync(path.join(bundleDir, name), 'utf8'))
    check(imported.length === 0, `dist/browser/${name} imports no Node built-in`, imported.join(', '))
  }
  if (!buildExample) return

  const app = path.join(dir, 'browser-example')
  fs.cpSync(EXAMPLE, app, { recursive: true, filter: source => !/node_modules|dist-/.test(path.relative(EXAMPLE, source)) })
  for (const tool of BUILD_TOOLS) fs.symlinkSync(path.join(ROOT, 'node_modules', tool), path.join(dir, 'node_modules', tool))
  const builds: Array<[string, string[], string]> = [
    ['esbuild', ['build-esbuild.mjs'], 'dist-esbuild'],
    ['Vite', [path.join(dir, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--outDir', 'dist-vite'], 'dist-vite']
  ]
  const built: Array<[string, string]> = []
  for (const [tool, args, outDir] of builds) {
    const result = spawnSync(process.execPath, args, { cwd: app, env, encoding: 'utf8', timeout: 5 * 60 * 1000 })
    const ok = result.status === 0 && fs.existsSync(path.join(app, outDir, 'index.html'))
    check(ok, `examples/browser builds with ${tool} against the installed package`, result.stderr + result.stdout)
    if (ok) built.push([tool, path.join(app, outDir)])
  }

  const chromiumPath = process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM
  if (!fs.existsSync(chromiumPath)) {
    console.log(`# skipped loading the browser example: no Chromium at ${chromiumPath} (set CHROMIUM_PATH)`)
    return
  }
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true })
  try {
    for (const [tool, outDir] of built) {
      const server = await serveDirectory(outDir)
      try {
        await checkPage(browser, server.origin, `the ${tool} build of examples/browser`, check)
      } finally {
        await server.close()
      }
    }
    const dev = await startViteDevServer(app, env).catch((err: Error) => err)
    check(!(dev instanceof Error), "Vite's dev server starts on examples/browser", dev instanceof Error ? dev.message : '')
    if (dev instanceof Error) return
    try {
      await checkPage(browser, dev.origin, "examples/browser under Vite's dev server", check)
    } finally {
      await dev.close()
    }
  } finally {
    await browser.close()
  }
}

/** Loads the example's page in a fresh browser context (an empty OPFS) and compares what it shows. */
async function checkPage (browser: Browser, origin: string, label: string, check: Check): Promise<void> {
  const context = await browser.newContext()
  try {
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', error => errors.push(error.message))
    await page.goto(`${origin}/index.html`)
    await page.waitForFunction("/^(done|error:)/m.test(document.getElementById('result').textContent)", undefined, { timeout: 60_000 })
      .catch((err: Error) => errors.push(err.message))
    const shown = await page.locator('#result').textContent()
    check(shown === EXPECTED_EXAMPLE_RESULT && errors.length === 0, `${label} shows the expected result in Chromium`, `shown:\n${shown ?? ''}\n${errors.join('\n')}`)
  } finally {
    await context.close()
  }
}

/** `vite` (the dev server) in the app's folder, on a free port. */
function startViteDevServer (app: string, env: NodeJS.ProcessEnv): Promise<StaticServer> {
  const vite = path.join(app, '..', 'node_modules', 'vite', 'bin', 'vite.js')
  const child = spawn(process.execPath, [vite, '--port', '0', '--host', 'localhost'], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
  const close = async (): Promise<void> => {
    child.kill()
    await exited
  }
  return new Promise((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => fail(new Error(`no address from vite within 60 s:\n${output}`)), 60_000)
    const fail = (err: Error): void => {
      clearTimeout(timer)
      close().then(() => reject(err), reject)
    }
    const read = (chunk: Buffer): void => {
      output += chunk.toString()
      // eslint-disable-next-line no-control-regex
      const address = /Local:\s+(http:\/\/[^/\s]+)/.exec(output.replace(/\u001b\[[0-9;]*m/g, ''))
      if (address === null) return
      clearTimeout(timer)
      resolve({ origin: address[1], close })
    }
    child.stdout.on('data', read)
    child.stderr.on('data', read)
    child.once('exit', code => fail(new Error(`vite exited with ${String(code)}:\n${output}`)))
  })
}
