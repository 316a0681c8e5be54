// `npm run test:package`: packs the package as it would be published, installs the tarball into
// an empty folder with compilers, make and Python hidden from the PATH (only `node` left on it),
// both with install scripts and with --ignore-scripts, and uses it there: open, write, read and
// close from CommonJS and ESM, the README's quick start as pasted in both module systems, the
// licence files present, and internals not importable; and the quick start from the installed
// package under Bun and Deno (their npm packages); and its browser bundles and the browser example
// built against it with esbuild and Vite (browser-package.ts). Prints 'N passed, N failed'.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { checkBrowserPackage } from './browser-package'

const ROOT = path.resolve(__dirname, '../../..')
const NPM_CLI = process.env.npm_execpath !== undefined && process.env.npm_execpath.endsWith('.js')
  ? process.env.npm_execpath
  : path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js')
const HIDDEN_TOOLS = ['cc', 'gcc', 'g++', 'c++', 'clang', 'make', 'python3', 'python']
// The lock the prebuilt addon takes on this platform.
const EXPECTED_LOCK = process.platform === 'linux' ? 'fcntl' : process.platform === 'win32' ? 'lockfileex' : 'flock'

let passed = 0
let failed = 0

function check (ok: boolean, label: string, detail = ''): void {
  if (ok) passed++
  else failed++
  console.log(`${ok ? 'ok' : 'not ok'} ${passed + failed} ${label}${ok || detail === '' ? '' : `\n# ${detail.slice(-3000).replace(/\n/g, '\n# ')}`}`)
}

// A PATH holding nothing but node.
function bareEnv (root: string): NodeJS.ProcessEnv {
  const binDir = path.join(root, 'bin')
  fs.mkdirSync(binDir)
  fs.symlinkSync(process.execPath, path.join(binDir, 'node'))
  const env: NodeJS.ProcessEnv = { HOME: process.env.HOME, PATH: binDir, npm_config_cache: process.env.npm_config_cache }
  for (const [name, value] of Object.entries(process.env)) {
    // Registry and proxy settings stay, so the install reaches the same registry.
    if (/^npm_config_(registry|.*proxy|cafile|strict_ssl)$/i.test(name) || /^(https?_proxy|no_proxy)$/i.test(name)) env[name] = value
  }
  return env
}

function npm (args: string[], cwd: string, env: NodeJS.ProcessEnv): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [NPM_CLI, ...args], { cwd, env, encoding: 'utf8', timeout: 5 * 60 * 1000 })
}

function runNode (file: string, cwd: string, env: NodeJS.ProcessEnv): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [file], { cwd, env, encoding: 'utf8', timeout: 2 * 60 * 1000 })
}

// The README's quick start: its ```js blocks, the ES module one and the CommonJS one.
function quickStart (): { esm: string, cjs: string } {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('\n## ', readme.indexOf('## Quick start') + 1))
  const blocks = [...section.matchAll(/```js\n([\s\S]*?)```/g)].map(m => m[1])
  return {
    esm: blocks.find(code => /^import /m.test(code)) ?? '',
    cjs: blocks.find(code => /require\('ai-level'\)/.test(code)) ?? ''
  }
}

const SMOKE_CJS = `
const { AiLevel } = require('ai-level')
const db = new AiLevel('./smoke-cjs')
db.open()
  .then(() => db.put('key', 'value'))
  .then(() => db.get('key'))
  .then(async (value) => {
    const lock = db.getProperty('aidb.lock')
    await db.close()
    console.log(JSON.stringify({ value, lock }))
  })
`

const SMOKE_ESM = `
import { AiLevel } from 'ai-level'
import * as all from 'ai-level'
const db = new AiLevel('./smoke-esm')
await db.batch([{ type: 'put', key: 'a', value: '1' }, { type: 'put', key: 'b', value: '2' }])
const entries = await db.iterator().all()
await db.close()
let internals = 'importable'
try {
  await import('ai-level/dist/lib/db/db.js')
} catch (err) {
  internals = err.code
}
console.log(JSON.stringify({ entries, internals, exports: Object.keys(all).filter(k => k !== 'default').sort() }))
`

// Bun and Deno print objects in their own layout: compared with whitespace and trailing commas dropped.
function sameOutput (actual: string, expected: string): boolean {
  const normal = (text: string): string => text.replace(/,(\s*\})/g, '$1').replace(/\s+/g, ' ').trim()
  return normal(actual) === normal(expected)
}

const OTHER_RUNTIMES: Array<[string, string[]]> = [
  [path.join(ROOT, 'node_modules', '.bin', 'bun'), []],
  [path.join(ROOT, 'node_modules', '.bin', 'deno'), ['run', '-A']]
]

// otherRuntimes: also under Bun, Deno and in the browser example's builds and Chromium.
async function installAndUse (label: string, tarball: string, root: string, installArgs: string[], otherRuntimes: boolean): Promise<void> {
  const dir = path.join(root, label)
  fs.mkdirSync(dir)
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `pack-test-${label}`, version: '1.0.0', private: true }))
  const env = bareEnv(dir)
  const found = spawnSync('/bin/sh', ['-c', `for t in ${HIDDEN_TOOLS.join(' ')}; do command -v $t; done; true`], { env, encoding: 'utf8' })
  check(found.stdout.trim() === '', `${label}: no compiler, make or Python on the PATH`, found.stdout)
  const install = npm(['install', tarball, '--no-audit', '--no-fund', '--prefer-offline', ...installArgs], dir, env)
  check(install.status === 0, `${label}: npm install ${installArgs.join(' ')} of the tarball succeeds`, install.stderr + install.stdout)
  if (install.status !== 0) return

  const installed = path.join(dir, 'node_modules', 'ai-level')
  for (const file of ['LICENSE-MIT', 'LICENSE-APACHE', 'package.json', 'dist/index.js', 'dist/index.d.ts']) {
    check(fs.existsSync(path.join(installed, file)), `${label}: the package holds ${file}`)
  }

  fs.writeFileSync(path.join(dir, 'smoke.cjs'), SMOKE_CJS)
  const cjs = runNode('smoke.cjs', dir, env)
  check(cjs.status === 0 && cjs.stdout.trim() === JSON.stringify({ value: 'value', lock: EXPECTED_LOCK }), `${label}: CommonJS require, open, write, read, close (${cjs.stdout.trim()})`, cjs.stderr)

  fs.writeFileSync(path.join(dir, 'smoke.mjs'), SMOKE_ESM)
  const esm = runNode('smoke.mjs', dir, env)
  const report = esm.stdout.trim()
  check(esm.status === 0 && report.includes('"entries":[["a","1"],["b","2"]]'), `${label}: ESM import, batch, iterate, close`, esm.stderr + report)
  check(report.includes('"internals":"ERR_PACKAGE_PATH_NOT_EXPORTED"'), `${label}: dist/lib internals are not exported (${report})`)

  const { esm: esmQuickStart, cjs: cjsQuickStart } = quickStart()
  const expected = '{ x: 2 }\nb { x: 2 }\n'
  for (const [name, code] of [['quick-start.mjs', esmQuickStart], ['quick-start.cjs', cjsQuickStart]]) {
    check(code.length > 0, `${label}: the README has the ${name} snippet`)
    fs.writeFileSync(path.join(dir, name), code)
    fs.rmSync(path.join(dir, 'db'), { recursive: true, force: true })
    const result = runNode(name, dir, env)
    check(result.status === 0 && result.stdout === expected, `${label}: the README quick start runs as pasted (${name})`, `${result.stderr}\nstdout: ${result.stdout}`)
    for (const [command, args] of otherRuntimes ? OTHER_RUNTIMES : []) {
      fs.rmSync(path.join(dir, 'db'), { recursive: true, force: true })
      const other = spawnSync(command, [...args, name], { cwd: dir, env, encoding: 'utf8', timeout: 2 * 60 * 1000 })
      check(other.status === 0 && sameOutput(other.stdout, expected), `${label}: the README quick start runs as pasted (${name}) under ${path.basename(command)}`, `${other.stderr}\nstdout: ${other.stdout}`)
    }
  }
  await checkBrowserPackage(dir, env, otherRuntimes, (ok, what, detail) => check(ok, `${label}: ${what}`, detail))
}

async function main (): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-level-pack-'))
  try {
    const pack = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', root], ROOT, { ...process.env })
    check(pack.status === 0, 'npm pack', pack.stderr)
    if (pack.status !== 0) return
    const [{ filename, files }] = JSON.parse(pack.stdout) as Array<{ filename: string, files: Array<{ path: string }> }>
    const paths = files.map(file => file.path)
    check(!paths.some(p => p.startsWith('dist/test/') || p.startsWith('dist/benchmarks/')), `the tarball holds no tests or benchmarks (${paths.length} files)`)
    const tarball = path.join(root, path.basename(filename))
    await installAndUse('with-scripts', tarball, root, [], true)
    await installAndUse('ignore-scripts', tarball, root, ['--ignore-scripts'], false)
  } catch (err) {
    check(false, 'test:package ran to the end', (err as Error).stack)
  } finally {
    fs.rmSync(root, { recursive: true, force: true })
    console.log(`\n${passed} passed, ${failed} failed`)
    if (failed > 0) process.exitCode = 1
  }
}

void main()
