// Run under Node, Bun or Deno by run-runtimes and fallbacks.test: reports what the runtime gave
// ai-level (lock kind, CRC32C implementation, background jobs in a worker or inline) as one JSON
// line, and does one of:
//   write <dir>   write keys with tiny memtables (so flushes and compactions run), close, reopen, verify
//   verify <dir>  open a directory another runtime wrote and verify every key
//   hold <dir>    open and hold it until stdin closes; prints {"opened":true} or the error codes
//   hold-read <dir>  as hold, opened with readOnly: true
//   wait <dir>    prints {"waiting":true}, opens with a lockTimeout (another process holds it),
//                 prints {"opened":true,"waitedMs":...} and closes
import fs from 'node:fs'
import path from 'node:path'
import { AiLevel } from '../../index'
import { crc32cImplementation } from '../../lib/format/crc32c'
import { UNCLAMPED_SIZES } from '../../lib/level/options'

const KEYS = 3000

function runtimeName (): string {
  const g = globalThis as { Bun?: { version: string }, Deno?: { version: { deno: string } } }
  if (g.Bun !== undefined) return `bun ${g.Bun.version}`
  if (g.Deno !== undefined) return `deno ${g.Deno.version.deno}`
  return `node ${process.versions.node}`
}

function keyAt (i: number): string {
  return `key-${String(i).padStart(6, '0')}`
}

function valueAt (i: number): string {
  return `value-${i}-` + 'x'.repeat(i % 200)
}

async function verify (db: AiLevel): Promise<number> {
  const entries = await db.iterator().all()
  let good = 0
  for (const [i, [key, value]] of entries.entries()) {
    if (key === keyAt(i) && value === valueAt(i)) good++
  }
  return entries.length === KEYS ? good : -entries.length
}

// Where this run's flushes and compactions ran (the reopen moved the first LOG to LOG.old).
function background (dir: string): string {
  const logs = ['LOG', 'LOG.old'].map(name => path.join(dir, name)).filter(file => fs.existsSync(file))
  const fellBack = logs.some(file => fs.readFileSync(file, 'utf8').includes('background worker could not start'))
  return fellBack ? 'inline' : 'worker'
}

async function main (): Promise<void> {
  const [mode, dir] = process.argv.slice(2)
  const report: Record<string, unknown> = { runtime: runtimeName(), platform: `${process.platform}-${process.arch}`, crc32c: crc32cImplementation }
  const db = new AiLevel(dir, { writeBufferSize: 16 * 1024, maxFileSize: 32 * 1024, readOnly: mode === 'hold-read', lockTimeout: mode === 'wait' ? 10_000 : 0, [UNCLAMPED_SIZES]: true })
  if (mode === 'wait') console.log(JSON.stringify({ waiting: true }))
  const started = Date.now()
  try {
    await db.open()
  } catch (err) {
    const e = err as { code?: string, cause?: { code?: string, message?: string } }
    console.log(JSON.stringify({ ...report, failed: e.code, cause: e.cause?.code, message: e.cause?.message }))
    return
  }
  report.lock = db.getProperty('aidb.lock')
  if (mode === 'wait') {
    console.log(JSON.stringify({ ...report, opened: true, waitedMs: Date.now() - started }))
    await db.close()
    return
  }
  if (mode === 'hold' || mode === 'hold-read') {
    console.log(JSON.stringify({ ...report, opened: true }))
    process.stdin.resume()
    await new Promise(resolve => process.stdin.once('end', resolve))
    await db.close()
    return
  }
  if (mode === 'write') {
    for (let start = 0; start < KEYS; start += 100) {
      await db.batch(Array.from({ length: 100 }, (_, j) => ({ type: 'put' as const, key: keyAt(start + j), value: valueAt(start + j) })))
    }
    report.tables = [0, 1, 2].map(level => Number(db.getProperty(`aidb.num-files-at-level${level}`)))
    await db.close()
    report.background = background(dir)
    await db.open()
  }
  report.verified = await verify(db)
  await db.close()
  console.log(JSON.stringify(report))
}

main().catch(err => {
  console.log(JSON.stringify({ error: String((err as Error).stack ?? err) }))
  process.exitCode = 1
})
