// The ai-level command run as a user runs it: a child process per command, checking what it
// prints, its exit code, and the database's contents afterwards.
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import tape from 'tape'
import { ClassicLevel } from 'classic-level'
import { AiLevel } from '../../index'
import { EXIT } from '../../lib/cli/main'
import { tempLocation } from '../util/temp-dir'

const CLI = path.join(__dirname, '..', '..', 'lib', 'cli', 'main.js')

function run (args: string[], input?: string): { code: number | null, stdout: string, stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8' })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

function jsonLines (text: string): unknown[] {
  return text.split('\n').filter(line => line !== '').map(line => JSON.parse(line) as unknown)
}

tape('cli: put, get, del, load and dump round-trip through the database', async (t) => {
  const location = tempLocation(t)
  t.equal(run(['put', location, 'k1', 'v1']).code, EXIT.ok, 'put exits 0')
  const got = run(['get', location, 'k1'])
  t.same([got.code, got.stdout], [EXIT.ok, 'v1\n'], 'get prints the value')
  t.equal(run(['get', location, 'absent']).code, EXIT.notFound, 'get of an absent key exits 4')

  const input = ['{"key":"a","value":"1"}', '{"key":"b","value":"2"}', '{"type":"del","key":"k1"}', ''].join('\n')
  const loaded = run(['load', location, '-', '--batch-size', '2'], input)
  t.equal(loaded.code, EXIT.ok, 'load exits 0')
  t.match(loaded.stderr, /loaded 3 entries/, 'load says how many it wrote')

  t.same(jsonLines(run(['dump', location]).stdout), [{ key: 'a', value: '1' }, { key: 'b', value: '2' }], 'dump prints every entry as JSON lines')
  t.same(jsonLines(run(['dump', location, '--reverse', '--limit', '1']).stdout), [{ key: 'b', value: '2' }], 'dump --reverse --limit')
  t.same(jsonLines(run(['dump', location, '--gt', 'a']).stdout), [{ key: 'b', value: '2' }], 'dump --gt')
  t.same(jsonLines(run(['dump', location, '--key-encoding', 'hex', '--value-encoding', 'base64', '--lte', '61']).stdout),
    [{ key: '61', value: Buffer.from('1').toString('base64') }], 'dump in hex and base64')

  const output = path.join(path.dirname(location), 'dump.jsonl')
  t.equal(run(['dump', location, '--output', output]).code, EXIT.ok, 'dump --output exits 0')
  t.equal(fs.readFileSync(output, 'utf8'), '{"key":"a","value":"1"}\n{"key":"b","value":"2"}\n', 'dump --output writes the file')

  t.equal(run(['del', location, 'a']).code, EXIT.ok, 'del exits 0')
  const db = new AiLevel(location)
  t.same(await db.iterator().all(), [['b', '2']], 'the database holds what the commands left')
  await db.close()
})

tape('cli: load stops at a bad line, keeps the batches before it, and says where', async (t) => {
  const location = tempLocation(t)
  const input = ['{"key":"a","value":"1"}', '{"key":"b","value":"2"}', '{"key":"c"}', '{"key":"d","value":"4"}'].join('\n')
  const loaded = run(['load', location, '--batch-size', '1'], input)
  t.equal(loaded.code, EXIT.failed, 'exits 1')
  t.match(loaded.stderr, /line 3: a put needs a "value"; the 2 entries before it were written/, 'names the line')
  const db = new AiLevel(location)
  t.same(await db.keys().all(), ['a', 'b'], 'the batches before the bad line were written')
  await db.close()
  const json = run(['load', location, '--value-encoding', 'json'], '{"key":"j","value":{"n":1}}\n')
  t.equal(json.code, EXIT.ok, 'json values load')
  t.same(jsonLines(run(['dump', location, '--gte', 'j', '--value-encoding', 'json']).stdout), [{ key: 'j', value: { n: 1 } }], 'and dump back as JSON')
})

tape('cli: info, sstables and compact describe and reshape the levels', async (t) => {
  const location = tempLocation(t)
  const db = new AiLevel(location, { writeBufferSize: 64 * 1024 })
  for (let i = 0; i < 6; i++) {
    await db.batch(Array.from({ length: 500 }, (_, j) => ({ type: 'put' as const, key: `key${String(i * 500 + j).padStart(6, '0')}`, value: 'x'.repeat(100) })))
  }
  await db.close()

  const info = run(['info', location])
  t.equal(info.code, EXIT.ok, 'info exits 0')
  t.match(info.stdout, /Lock +free/, 'info says the lock is free')
  t.match(info.stdout, /Entries +about [\d,]+ in tables/, 'info estimates the entries')
  const estimate = Number(/about ([\d,]+)/.exec(info.stdout)?.[1].replace(/,/g, ''))
  t.ok(estimate >= 1500 && estimate <= 6000, `the estimate (${estimate}) is near the 3,000 entries written`)
  t.match(info.stdout, /Write amplific\. +\d+\.\d+x/, 'info reports write amplification from the LOG')

  const compacted = run(['compact', location])
  t.equal(compacted.code, EXIT.ok, 'compact exits 0')
  t.match(compacted.stderr, /^compact: [1-9]\d* of [1-9]\d* \(\d+%\) bytes, [\d,]+ bytes\/s$/m, 'and reports its progress as plain lines off a terminal')
  const tables = run(['sstables', location]).stdout.split('\n').slice(1).filter(line => line.trim() !== '')
  t.ok(tables.length > 0 && tables.every(line => !/^ +0 /.test(line)), 'after compact no table is left at level 0')

  const scanned = run(['info', location, '--scan'])
  t.match(scanned.stdout, /Live entries +3,000/, 'info --scan counts the live entries exactly')
  t.match(scanned.stdout, /Space amplific\. +\d+\.\d+x/, 'and reports space amplification')
  const reopened = new AiLevel(location)
  t.equal((await reopened.keys().all()).length, 3000, 'compact lost nothing')
  await reopened.close()
})

tape('cli: verify finds a damaged table and exits 5', async (t) => {
  const location = tempLocation(t)
  const db = new AiLevel(location, { compression: false })
  await db.batch(Array.from({ length: 2000 }, (_, i) => ({ type: 'put' as const, key: `k${String(i).padStart(5, '0')}`, value: 'v'.repeat(50) })))
  await db.compactRange('k', 'l')
  await db.close()
  const clean = run(['verify', location])
  t.same([clean.code, /0 damaged/.test(clean.stdout)], [EXIT.ok, true], 'a clean database verifies')

  const table = fs.readdirSync(location).find(name => name.endsWith('.ldb'))
  if (table === undefined) throw new Error('no table written')
  const file = path.join(location, table)
  const bytes = fs.readFileSync(file)
  bytes[100] ^= 0xff
  fs.writeFileSync(file, bytes)
  const damaged = run(['verify', location])
  t.equal(damaged.code, EXIT.damaged, 'exits 5')
  t.match(damaged.stdout, new RegExp(`DAMAGED ${table}: .*checksum`), 'names the damaged table and the checksum')
})

tape('cli: a database locked by a writer is refused with who holds it, and read-only inspection still works', async (t) => {
  const location = tempLocation(t)
  const db = new AiLevel(location)
  await db.put('k', 'v')
  try {
    const got = run(['get', location, 'k'])
    t.equal(got.code, EXIT.locked, 'get exits 3')
    const holder = fs.existsSync('/proc/locks') ? `process ${process.pid}` : 'another process'
    t.match(got.stderr, new RegExp(`is locked by ${holder}, which has it open for writing`), 'and says who holds the lock')
    const info = run(['info', location])
    t.equal(info.code, EXIT.ok, 'info still reads the files')
    t.match(info.stdout, new RegExp(`Lock +held by ${holder} for writing`), 'and names the writer')
    const verify = run(['verify', location])
    t.equal(verify.code, EXIT.locked, 'verify, which holds the lock shared while it reads, exits 3')
    t.match(verify.stderr, new RegExp(`is locked by ${holder}, which has it open for writing`), 'naming the writer')
    t.equal(run(['dump', location]).code, EXIT.locked, 'so does dump')
  } finally {
    await db.close()
  }
})

// Runs the command without waiting, so several run at once.
function runAsync (args: string[]): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  return new Promise(resolve => child.once('close', code => resolve({ code, stdout, stderr })))
}

tape('cli: reading commands run at once beside each other and beside a read-only AiLevel, which keeps writing commands out', async (t) => {
  const location = tempLocation(t)
  const entries = Array.from({ length: 2000 }, (_, i) => ({ key: `k${String(i).padStart(5, '0')}`, value: `value ${i}` }))
  const writer = new AiLevel(location)
  await writer.batch(entries.map(e => ({ type: 'put' as const, ...e })))
  await writer.close()
  const reader = new AiLevel(location, { readOnly: true })
  await reader.open()
  try {
    const [first, second, verified, got] = await Promise.all([runAsync(['dump', location]), runAsync(['dump', location]), runAsync(['verify', location]), runAsync(['get', location, 'k01234'])])
    t.same([first.code, jsonLines(first.stdout)], [EXIT.ok, entries], 'one dump reads every entry')
    t.same([second.code, jsonLines(second.stdout)], [EXIT.ok, entries], 'and so does a second one at the same time')
    t.equal(verified.code, EXIT.ok, 'verify runs beside them')
    t.same([got.code, got.stdout], [EXIT.ok, 'value 1234\n'], 'get too')
    const info = run(['info', location])
    t.equal(info.code, EXIT.ok, 'info runs beside the read-only AiLevel')
    if (fs.existsSync('/proc/locks')) t.match(info.stdout, new RegExp(`free of writers, shared with this command by the readers ${process.pid}`), 'and names it as a reader')
    const put = run(['put', location, 'k', 'v'])
    t.equal(put.code, EXIT.locked, 'put exits 3 while a reader has it open')
    const readers = fs.existsSync('/proc/locks') ? `process ${process.pid}` : 'another process'
    t.match(put.stderr, new RegExp(`is open read-only by ${readers}; it can be written once they close`), 'naming the reader')
    t.equal(await reader.get('k'), undefined, 'nothing was written')
  } finally {
    await reader.close()
  }
  t.equal(run(['put', location, 'k', 'v']).code, EXIT.ok, 'put works once the reader has closed')
})

tape('cli: works on a directory written by classic-level', async (t) => {
  const location = tempLocation(t)
  const classic = new ClassicLevel(location)
  await classic.batch(Array.from({ length: 100 }, (_, i) => ({ type: 'put' as const, key: `c${String(i).padStart(3, '0')}`, value: `value ${i}` })))
  await classic.close()
  t.equal(run(['verify', location]).code, EXIT.ok, 'verify passes')
  t.equal(jsonLines(run(['dump', location]).stdout).length, 100, 'dump reads every entry')
  t.same(run(['get', location, 'c042']).stdout, 'value 42\n', 'get reads one')
  const reopened = new ClassicLevel(location)
  t.equal(await reopened.get('c099'), 'value 99', 'classic-level still opens it afterwards')
  await reopened.close()
})

tape('cli: checkpoint copies the database into a new directory', async (t) => {
  const location = tempLocation(t)
  const target = path.join(path.dirname(location), 'copy')
  run(['load', location], '{"key":"a","value":"1"}\n{"key":"b","value":"2"}\n')
  const made = run(['checkpoint', location, target])
  t.equal(made.code, EXIT.ok, 'exits 0')
  t.match(made.stderr, /^checkpoint: ([1-9]\d*) of \1 \(100%\) bytes/m, 'reports its progress')
  t.same(jsonLines(run(['dump', target]).stdout), [{ key: 'a', value: '1' }, { key: 'b', value: '2' }], 'the copy holds every entry')
  t.equal(run(['checkpoint', location, target]).code, EXIT.failed, 'an existing target is refused')
})

tape('cli: usage errors and destroy', async (t) => {
  const location = tempLocation(t)
  t.equal(run(['bogus']).code, EXIT.usage, 'an unknown command exits 2')
  t.equal(run(['get']).code, EXIT.usage, 'a missing argument exits 2')
  const help = run(['--help'])
  t.same([help.code, /Exit codes:/.test(help.stdout)], [EXIT.ok, true], '--help documents the exit codes')
  t.equal(run(['dump', '--help']).code, EXIT.ok, 'every command has --help')
  run(['put', location, 'k', 'v'])
  t.equal(run(['destroy', location]).code, EXIT.usage, 'destroy off a terminal without --yes is refused')
  t.ok(fs.existsSync(location), 'and destroys nothing')
  t.equal(run(['destroy', location, '--yes']).code, EXIT.ok, 'destroy --yes exits 0')
  t.notOk(fs.existsSync(location), 'and removes the database')
})

tape('cli: Ctrl-C during compact stops it between compactions, closes the database and keeps every entry', async (t) => {
  const location = tempLocation(t)
  const entries = 3000
  const keyAt = (i: number): string => `k${String(i).padStart(5, '0')}`
  const db = new AiLevel(location)
  // About 3 MB, all in the log: the command's open turns it into a table before compacting.
  for (let i = 0; i < entries; i += 100) {
    await db.batch(Array.from({ length: 100 }, (_, j) => ({ type: 'put' as const, key: keyAt(i + j), value: `${i + j} ${'v'.repeat(1000)}` })))
  }
  await db.close()
  const child = spawn(process.execPath, [CLI, 'compact', location], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const exited = new Promise<number | null>(resolve => child.once('close', code => resolve(code)))
  // The command's open moves the LOG aside first: its SIGINT handler is in place by then.
  while (!fs.existsSync(path.join(location, 'LOG.old')) && child.exitCode === null) await new Promise(resolve => setTimeout(resolve, 2))
  child.kill('SIGINT')
  t.equal(await exited, EXIT.interrupted, 'exits 130')
  t.match(stderr, /stopped with \d+ tables; every step that ran was kept/, 'says it stopped')
  const reopened = new AiLevel(location)
  const all = await reopened.iterator().all()
  t.equal(all.length, entries, 'every entry is there afterwards')
  t.ok(all.every(([key, value], i) => key === keyAt(i) && value === `${i} ${'v'.repeat(1000)}`), 'with its value')
  await reopened.close()
  t.equal(run(['verify', location]).code, EXIT.ok, 'and verify finds no damage')
})

tape('cli: repair rebuilds the MANIFEST, reporting its progress, and keeps every entry', async (t) => {
  const location = tempLocation(t)
  const entries = Array.from({ length: 500 }, (_, i) => ({ key: `r${String(i).padStart(4, '0')}`, value: `value ${i}` }))
  const db = new AiLevel(location)
  await db.batch(entries.map(e => ({ type: 'put' as const, ...e })))
  await db.compactRange('r', 's')
  await db.close()
  for (const name of fs.readdirSync(location).filter(name => name.startsWith('MANIFEST-') || name === 'CURRENT')) fs.rmSync(path.join(location, name))
  const repaired = run(['repair', location])
  t.equal(repaired.code, EXIT.ok, 'exits 0 after MANIFEST and CURRENT were removed')
  t.match(repaired.stderr, /^repair: ([1-9]\d*) of \1 \(100%\) bytes/m, 'reports its progress')
  t.match(repaired.stderr, /repaired in \d+ ms: 1 tables/, 'and what it kept')
  t.same(jsonLines(run(['dump', location]).stdout), entries, 'every entry is back')
})
