// The package with every optional native piece made unavailable (hide-native.js preloaded): it
// must run on its TypeScript fallbacks (CRC32C from tables, the pid-file lock) and pass the
// abstract-level suite and the persistence round, and a second process must still be kept out.
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import tape from 'tape'

const HIDE_NATIVE = path.join(__dirname, 'hide-native.js')
const PROBE = path.join(__dirname, 'probe.js')

function runWithoutNative (script: string, args: string[]): { status: number | null, stdout: string, stderr: string } {
  const result = spawnSync(process.execPath, ['--require', HIDE_NATIVE, script, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

function jsonLine (stdout: string): Record<string, unknown> {
  const line = stdout.trim().split('\n').reverse().find(l => l.startsWith('{'))
  return line === undefined ? {} : JSON.parse(line) as Record<string, unknown>
}

tape('fallbacks: without native pieces, CRC32C is TypeScript, the lock a pid file, and data round-trips', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-level-fallbacks-'))
  try {
    const written = jsonLine(runWithoutNative(PROBE, ['write', path.join(dir, 'db')]).stdout)
    t.is(written.crc32c, 'typescript', 'CRC32C falls back to TypeScript')
    t.is(written.lock, 'pid-file', 'the lock falls back to the pid file')
    t.is(written.verified, 3000, 'all 3000 keys read back after a reopen')
    t.ok((written.tables as number[]).some(n => n > 0), `tables were written (${String(written.tables)})`)
    const native = jsonLine(spawnSync(process.execPath, [PROBE, 'verify', path.join(dir, 'db')], { encoding: 'utf8' }).stdout)
    t.is(native.crc32c, 'native', 'the same directory with native pieces available')
    t.is(native.verified, 3000, 'reads every key the fallbacks wrote')
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
  t.end()
})

tape('fallbacks: the pid-file lock keeps a second process out, and a killed holder does not block', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-level-fallbacks-lock-'))
  const location = path.join(dir, 'db')
  try {
    const holder = spawn(process.execPath, ['--require', HIDE_NATIVE, PROBE, 'hold', location], { stdio: ['pipe', 'pipe', 'inherit'] })
    const exit = new Promise(resolve => holder.once('exit', resolve))
    const first = await new Promise<Record<string, unknown>>(resolve => {
      readline.createInterface({ input: holder.stdout }).once('line', line => resolve(JSON.parse(line) as Record<string, unknown>))
    })
    t.ok(first.opened === true && first.lock === 'pid-file', 'the holder opened it with the pid-file lock')
    const second = jsonLine(runWithoutNative(PROBE, ['verify', location]).stdout)
    t.is(second.failed, 'LEVEL_DATABASE_NOT_OPEN', 'a second process cannot open it')
    t.is(second.cause, 'LEVEL_LOCKED', 'caused by LEVEL_LOCKED')
    holder.kill('SIGKILL')
    await exit
    t.ok(fs.existsSync(path.join(location, 'LOCK.pid')), 'the killed holder left LOCK.pid behind')
    const after = jsonLine(runWithoutNative(PROBE, ['verify', location]).stdout)
    t.is(after.lock, 'pid-file', 'the next process opens it despite the stale LOCK.pid')
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

tape('fallbacks: the abstract-level suite passes without native pieces', (t) => {
  const result = runWithoutNative(path.join(__dirname, '..', 'level', 'abstract-suite.test.js'), [])
  const passes = Number(/^# pass\s+(\d+)/m.exec(result.stdout)?.[1] ?? 0)
  const failures = result.stdout.split('\n').filter(line => line.startsWith('not ok'))
  t.is(result.status, 0, 'exit code 0')
  t.deepEqual(failures.slice(0, 5), [], 'no failed assertion')
  t.ok(passes > 5000, `${passes} assertions passed`)
  t.end()
})
