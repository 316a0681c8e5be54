// Runs every program in examples/ as a user would run it, with require('ai-level') resolving to
// this package (its build in dist/), and compares what it prints with the expected text below,
// so the examples cannot rot. Adding an example without its expected output fails here.
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import test from 'tape'
import { removeDir, tempDir } from './util/temp-dir'

// This file runs from dist/test/.
const ROOT = path.resolve(__dirname, '../..')
const EXAMPLES = path.join(ROOT, 'examples')

const EXPECTED: Record<string, string> = {
  'sublevels.js': [
    'user grace: {"name":"Grace","city":"New York"}',
    'post grace!0001 Compilers',
    'post grace!0002 Nanoseconds',
    'in London: ada',
    'keys in the database: 7',
    ''
  ].join('\n'),
  'stream.js': [
    '2024-05-01T12,12',
    '2024-05-01T13,13',
    '2024-05-01T14,14',
    '2024-05-01T15,15',
    '2024-05-01T16,16',
    '2024-05-01T17,17',
    ''
  ].join('\n'),
  'from-classic-level.js': [
    'config: {"theme":"dark"}',
    'visits: 42',
    'classic-level reads visits: 42',
    ''
  ].join('\n'),
  'snapshots.js': [
    'before the transfer: 70 + 30 = 100',
    'after the transfer: 50 + 50 = 100',
    'total in the snapshot: 100',
    'iterator created before the delete: account!alice, account!bob',
    'a read after it: undefined',
    ''
  ].join('\n')
}

function run (file: string, nodePath: string): Promise<{ code: number | null, stdout: string, stderr: string }> {
  return new Promise(resolve => {
    const env = { ...process.env, NODE_PATH: nodePath }
    execFile(process.execPath, [path.join(EXAMPLES, file)], { cwd: ROOT, env, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : (typeof err.code === 'number' ? err.code : null), stdout, stderr })
    })
  })
}

test('examples: every program in examples/ has its expected output here', (t) => {
  const programs = fs.readdirSync(EXAMPLES).filter(name => name.endsWith('.js')).sort()
  t.same(programs, Object.keys(EXPECTED).sort(), 'the same programs')
  t.end()
})

test('examples: each program runs against the package and prints what it should', async (t) => {
  // A node_modules of one entry, ai-level pointing at this repository, as an installed package would.
  const modules = tempDir('examples')
  t.teardown(() => removeDir(modules))
  fs.mkdirSync(path.join(modules, 'node_modules'))
  fs.symlinkSync(ROOT, path.join(modules, 'node_modules', 'ai-level'), 'junction')

  for (const [file, expected] of Object.entries(EXPECTED)) {
    const result = await run(file, path.join(modules, 'node_modules'))
    t.equal(result.code, 0, `${file} exits with 0` + (result.code === 0 ? '' : `: ${result.stderr}`))
    t.equal(result.stdout, expected, `${file} prints the expected output`)
  }
})
