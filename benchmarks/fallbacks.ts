// What the fallbacks cost beside the native pieces: CRC32C of a 4 KiB block (the @node-rs/crc32
// addon against the TypeScript tables), and taking and releasing the database lock and a whole
// open/close with each lock kind this runtime can take (the OS lock: the addon under Node, libc
// through FFI under Bun and Deno; and the pid file). CPU time per operation (process.cpuUsage),
// in alternating rounds, median of the rounds. Runs under Node, Bun and Deno:
//   npm run bench:fallbacks [rounds]
//   bun dist/benchmarks/fallbacks.js      deno run -A dist/benchmarks/fallbacks.js
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { DB } from '../lib/db/db'
import { NodeEnv } from '../lib/env/node-env'
import { acquireLock, osLockStrategy, pidFileLockStrategy, type LockStrategy } from '../lib/env/locks/file-lock'
import { crc32cTypeScript, loadNativeCrc32c, type Crc32cFunction } from '../lib/format/crc32c'
import { createRandom } from '../test/util/random'

// `node fallbacks.js [rounds]`; `npm run bench` passes `--scale F`, which scales the rounds (at least 3).
const ROUNDS = roundsFromArgs(process.argv.slice(2))

function roundsFromArgs (args: string[]): number {
  if (args[0] === '--scale') return Math.max(3, Math.round(7 * Number(args[1])))
  const rounds = Number(args[0] ?? 7)
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`rounds must be a positive whole number, got ${args[0]}`)
  return rounds
}
const BLOCK_SIZE = 4096
const BLOCKS = 256
const CRC_PASSES = 40
const LOCKS_PER_ROUND = 300
const OPENS_PER_ROUND = 30

function cpuMicros (): number {
  const { user, system } = process.cpuUsage()
  return user + system
}

function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

// µs of CPU per call of `op`, for each round.
function roundsOf (op: () => void, calls: number): number {
  const start = cpuMicros()
  for (let i = 0; i < calls; i++) op()
  return (cpuMicros() - start) / calls
}

async function asyncRoundsOf (op: () => Promise<void>, calls: number): Promise<number> {
  const start = cpuMicros()
  for (let i = 0; i < calls; i++) await op()
  return (cpuMicros() - start) / calls
}

// Results are folded into `checksums` so the calls cannot be optimised away.
let checksums = 0

function crcRow (crc: Crc32cFunction, blocks: Uint8Array[]): () => number {
  return () => roundsOf(() => {
    for (const block of blocks) checksums = (checksums + crc(block, 0)) >>> 0
  }, CRC_PASSES) / blocks.length
}

function runtimeName (): string {
  const g = globalThis as { Bun?: { version: string }, Deno?: { version: { deno: string } } }
  if (g.Bun !== undefined) return `Bun ${g.Bun.version}`
  if (g.Deno !== undefined) return `Deno ${g.Deno.version.deno}`
  return `Node ${process.versions.node}`
}

async function main (): Promise<void> {
  const random = createRandom(42)
  const blocks = Array.from({ length: BLOCKS }, () => random.fill(new Uint8Array(BLOCK_SIZE)))
  const rows: Array<[string, () => number | Promise<number>]> = []
  const native = loadNativeCrc32c()
  if (native !== undefined) rows.push(['CRC32C of a 4 KiB block, native (@node-rs/crc32)', crcRow(native, blocks)])
  rows.push(['CRC32C of a 4 KiB block, TypeScript', crcRow(crc32cTypeScript, blocks)])

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-level-fallbacks-bench-'))
  const strategies: LockStrategy[] = [osLockStrategy(), pidFileLockStrategy()].filter((s): s is LockStrategy => s !== undefined)
  for (const strategy of strategies) {
    const lockDir = path.join(dir, `lock-${strategy.kind}`)
    fs.mkdirSync(lockDir)
    const lockPath = path.join(lockDir, 'LOCK')
    rows.push([`take and release the lock, ${strategy.kind}`, () => roundsOf(() => {
      const outcome = acquireLock(lockPath, strategy)
      if (!('held' in outcome)) throw new Error('lock busy')
      outcome.held.release()
    }, LOCKS_PER_ROUND)])
    const location = path.join(dir, `db-${strategy.kind}`)
    const options = { env: new NodeEnv(() => strategy), backgroundWorker: false }
    await (await DB.open(location, options)).close()
    rows.push([`open and close an empty database, ${strategy.kind} lock`, () => asyncRoundsOf(async () => {
      await (await DB.open(location, options)).close()
    }, OPENS_PER_ROUND)])
  }

  const results = rows.map(() => [] as number[])
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, [, measure]] of rows.entries()) results[i].push(await measure())
  }
  fs.rmSync(dir, { recursive: true, force: true })

  console.log(`${runtimeName()}, ${process.platform}-${process.arch}: CPU µs per operation, median of ${ROUNDS} alternating rounds (checksum fold ${checksums >>> 0})\n`)
  console.log('| operation | µs (median) | min | max |\n|---|--:|--:|--:|')
  for (const [i, [name]] of rows.entries()) {
    const values = results[i]
    console.log(`| ${name} | ${median(values).toFixed(2)} | ${Math.min(...values).toFixed(2)} | ${Math.max(...values).toFixed(2)} |`)
  }
}

void main()
