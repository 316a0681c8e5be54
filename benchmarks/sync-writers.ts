// Group commit: ops/s of sync: true puts from 1 writer and from 64 writers in parallel, for
// ai-level and classic-level. Concurrent sync writers should share fdatasyncs, so 64 writers get
// far more than one writer's rate. Run: npm run build && node dist/benchmarks/sync-writers.js [seconds]
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ClassicLevel } from 'classic-level'
import { AiLevel } from '../index'

interface Db {
  open (): Promise<void>
  close (): Promise<void>
  put (key: string, value: string, options: { sync: boolean }): Promise<void>
}

const SECONDS = Number(process.argv[2] ?? 2)
const VALUE = 'v'.repeat(100)

async function measure (make: (location: string) => Db, writers: number): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sync-writers-'))
  const db = make(path.join(dir, 'db'))
  await db.open()
  let ops = 0
  const deadline = Date.now() + SECONDS * 1000
  const writer = async (w: number): Promise<void> => {
    for (let i = 0; Date.now() < deadline; i++) {
      await db.put(`w${w}-${i}`, VALUE, { sync: true })
      ops++
    }
  }
  const started = process.hrtime.bigint()
  await Promise.all(Array.from({ length: writers }, (_, w) => writer(w)))
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  await db.close()
  fs.rmSync(dir, { recursive: true, force: true })
  return ops / seconds
}

async function main (): Promise<void> {
  const engines: Array<[string, (location: string) => Db]> = [
    ['ai-level', (location) => new AiLevel(location)],
    ['classic-level', (location) => new ClassicLevel(location)]
  ]
  console.log(`sync: true puts, ${SECONDS} s each, in ${os.tmpdir()}`)
  for (const [name, make] of engines) {
    const one = await measure(make, 1)
    const many = await measure(make, 64)
    console.log(`${name.padEnd(14)} 1 writer: ${one.toFixed(0).padStart(8)} ops/s   64 writers: ${many.toFixed(0).padStart(8)} ops/s   (${(many / one).toFixed(1)}x)`)
  }
}

main().catch((err: Error) => {
  console.error(err)
  process.exitCode = 1
})
