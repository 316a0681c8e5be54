#!/usr/bin/env node
// The `ai-level` command: inspect, query, load, verify and maintain a LevelDB-format database.
// Loaded only as the package's bin, so the library never pulls in the CLI's dependencies.
import fs from 'node:fs'
import path from 'node:path'
import readline from 'node:readline'
import { Command, CommanderError, Option } from 'commander'
import { AiLevel } from '../../index'
import { errorCode } from '../util/errors'
import { estimateEntries, lockHolder, readDirectory, verifyDirectory, writeAmplificationFromInfoLogs, type DirectoryInfo, type LockHolder } from './inspect'
import { defaultEnv } from '../env/node-env'
import type { FileLock } from '../env/env'
import { lockFileName } from '../format/filenames'
import { startProgress } from './progress'

/** Exit codes, documented in `ai-level --help`. */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  locked: 3,
  notFound: 4,
  damaged: 5,
  interrupted: 130
} as const

const ENCODINGS = ['utf8', 'hex', 'base64', 'json'] as const
type Encoding = typeof ENCODINGS[number]

interface EncodingOptions {
  keyEncoding: Encoding
  valueEncoding: Encoding
}

interface RangeOptions extends EncodingOptions {
  gt?: string
  gte?: string
  lt?: string
  lte?: string
  limit?: number
  reverse?: boolean
}

// A failure the tool explains in one line and an exit code, without a stack trace.
class CliError extends Error {
  constructor (message: string, readonly exitCode: number) {
    super(message)
  }
}

// Set by Ctrl-C; long loops check it between steps, then close the database and exit 130.
let interrupted = false
// Aborted by Ctrl-C too, for work the engine stops between its own steps (compact).
const stopSignal = new AbortController()

const HELP_EXIT_CODES = `
Exit codes:
  0    success
  1    the operation failed
  2    usage error (unknown command or option, missing argument, destroy without --yes off a terminal)
  3    the database is locked: by a writer (every command), or by readers (commands that write)
  4    get: the key is not in the database
  5    verify: damage found
  130  stopped by Ctrl-C (the database was closed; everything written before was kept)`

function encodingOption (flag: string, what: string): Option {
  return new Option(`${flag} <encoding>`, `how ${what} are written on the command line and in JSON lines`).choices(ENCODINGS).default('utf8')
}

function withEncodings (command: Command): Command {
  return command.addOption(encodingOption('--key-encoding', 'keys')).addOption(encodingOption('--value-encoding', 'values'))
}

function withRange (command: Command): Command {
  return withEncodings(command)
    .option('--gt <key>', 'only keys greater than this')
    .option('--gte <key>', 'only keys greater than or equal to this')
    .option('--lt <key>', 'only keys less than this')
    .option('--lte <key>', 'only keys less than or equal to this')
    .option('--limit <n>', 'at most this many entries', parseCount)
    .option('--reverse', 'in reverse key order')
}

function parseCount (raw: string): number {
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 1) throw new CommanderError(EXIT.usage, 'ai-level.invalidArgument', `expected a positive whole number, got ${raw}`)
  return value
}

// A key or value given on the command line, in the chosen encoding.
function decodeArgument (text: string, encoding: Encoding): unknown {
  if (encoding !== 'json') return text
  try {
    return JSON.parse(text)
  } catch {
    throw new CliError(`not valid JSON: ${text}`, EXIT.usage)
  }
}

function rangeOf (options: RangeOptions): Record<string, unknown> {
  const range: Record<string, unknown> = { keyEncoding: options.keyEncoding, valueEncoding: options.valueEncoding, reverse: options.reverse === true }
  for (const bound of ['gt', 'gte', 'lt', 'lte'] as const) {
    const key = options[bound]
    if (key !== undefined) range[bound] = decodeArgument(key, options.keyEncoding)
  }
  if (options.limit !== undefined) range.limit = options.limit
  return range
}

// How a command opens the database: 'read' read-only (beside other readers), 'write' as it is,
// 'create' creating it if missing.
type Access = 'read' | 'write' | 'create'

async function openDatabase (location: string, access: Access): Promise<AiLevel<unknown, unknown>> {
  const db = new AiLevel<unknown, unknown>(location)
  try {
    await db.open({ createIfMissing: access === 'create', readOnly: access === 'read' })
  } catch (err) {
    throw explainOpenFailure(location, err)
  }
  return db
}

function explainOpenFailure (location: string, err: unknown): Error {
  const cause = (err as { cause?: unknown }).cause ?? err
  if (errorCode(cause) === 'LEVEL_LOCKED' || errorCode(err) === 'LEVEL_LOCKED') {
    return new CliError(`${location} ${describeHolder(lockHolder(location))}`, EXIT.locked)
  }
  if (!fs.existsSync(location)) return new CliError(`${location} does not exist`, EXIT.failed)
  return new CliError(`cannot open ${location}: ${(cause as Error).message ?? String(cause)}`, EXIT.failed)
}

function processes (pids: number[]): string {
  return pids.length === 0 ? 'another process' : `${pids.length === 1 ? 'process' : 'processes'} ${pids.join(', ')}`
}

// Why an open was refused: a writer keeps everyone out, readers keep writers out.
function describeHolder (holder: LockHolder | null): string {
  if (holder?.held === true && !holder.writer) return `is open read-only by ${processes(holder.pids)}; it can be written once they close`
  const pids = holder?.held === true ? holder.pids : []
  return `is locked by ${processes(pids)}, which has it open for writing`
}

// Runs body with the database open and closes it whatever happens.
async function withDatabase<T> (location: string, access: Access, body: (db: AiLevel<unknown, unknown>) => Promise<T>): Promise<T> {
  const db = await openDatabase(location, access)
  try {
    return await body(db)
  } finally {
    await db.close()
  }
}

// Runs body holding the lock shared, as a read-only open does, so no writer can change the files
// meanwhile. With `besideWriter`, a database a writer holds is read anyway (body gets false):
// its files are read as they are at that moment.
async function withReadLock<T> (location: string, besideWriter: boolean, body: (locked: boolean) => T | Promise<T>): Promise<T> {
  if (!fs.existsSync(location)) throw new CliError(`${location} does not exist`, EXIT.failed)
  let lock: FileLock
  try {
    lock = await defaultEnv.lockFile(lockFileName(path.resolve(location)), 'shared')
  } catch (err) {
    if (besideWriter && errorCode(err) === 'LEVEL_LOCKED') return await body(false)
    throw explainOpenFailure(location, err)
  }
  try {
    return await body(true)
  } finally {
    await defaultEnv.unlockFile(lock)
  }
}

function formatBytes (bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(1)} ${units[unit]}`
}

// User keys as the tool prints them in listings: text where printable, hex otherwise.
function printableKey (key: Buffer): string {
  const text = key.toString('utf8')
  return /^[\x20-\x7e]*$/.test(text) ? JSON.stringify(text) : `0x${key.toString('hex')}`
}

function describeDirectory (info: DirectoryInfo, location: string, locked: boolean): string[] {
  const lines: string[] = []
  const holder = lockHolder(location)
  const others = holder?.held === true ? holder.pids.filter(pid => pid !== process.pid) : []
  const lock = !locked
    ? `held by ${processes(holder?.held === true ? holder.pids : [])} for writing (read without the lock: files may change meanwhile)`
    : others.length > 0 ? `free of writers, shared with this command by the readers ${others.join(', ')}` : 'free (no writer; this command shares it while reading)'
  lines.push(`Directory        ${info.location}`, `Lock             ${lock}`, `Last sequence    ${info.lastSequence}`)
  lines.push('', 'Level  Files        Bytes  Key range')
  const levels = new Map<number, typeof info.tables>()
  for (const table of info.tables) levels.set(table.level, [...(levels.get(table.level) ?? []), table])
  for (const [level, tables] of [...levels.entries()].sort((a, b) => a[0] - b[0])) {
    const bytes = tables.reduce((sum, t) => sum + t.bytes, 0)
    const smallest = tables.reduce((min, t) => Buffer.compare(t.smallest, min) < 0 ? t.smallest : min, tables[0].smallest)
    const largest = tables.reduce((max, t) => Buffer.compare(t.largest, max) > 0 ? t.largest : max, tables[0].largest)
    lines.push(`${String(level).padStart(5)}  ${String(tables.length).padStart(5)}  ${formatBytes(bytes).padStart(11)}  ${printableKey(smallest)} .. ${printableKey(largest)}`)
  }
  const tableBytes = info.tables.reduce((sum, t) => sum + t.bytes, 0)
  const logBytes = info.logs.reduce((sum, l) => sum + l.bytes, 0)
  lines.push('', `Tables           ${info.tables.length} (${formatBytes(tableBytes)})`)
  lines.push(`Unflushed logs   ${info.logs.length} (${formatBytes(logBytes)}), replayed by the next open`)
  lines.push(`Directory size   ${formatBytes(info.directoryBytes)}`)
  return lines
}

async function info (location: string, options: { scan?: boolean }): Promise<void> {
  await withReadLock(location, options.scan !== true, async (locked) => infoLocked(location, options, locked))
}

async function infoLocked (location: string, options: { scan?: boolean }, locked: boolean): Promise<void> {
  const directory = readDirectory(location)
  const lines = describeDirectory(directory, location, locked)
  let estimate = 0
  for (const table of directory.tables) estimate += estimateEntries(directory.location, table)
  lines.push(`Entries          about ${estimate.toLocaleString('en-US')} in tables (from each table's index and first block; overwritten and deleted keys count until compacted away)`)
  const written = writeAmplificationFromInfoLogs(location)
  lines.push(written === null
    ? 'Write amplific.  unknown (no flush recorded in LOG or LOG.old)'
    : `Write amplific.  ${((written.flushedBytes + written.compactedBytes) / written.flushedBytes).toFixed(2)}x over the sessions LOG and LOG.old cover (${formatBytes(written.flushedBytes)} flushed, ${formatBytes(written.compactedBytes)} written by compactions)`)
  if (options.scan === true) {
    const live = await withDatabase(location, 'read', async (db) => {
      let entries = 0
      let bytes = 0
      for await (const [key, value] of db.iterator({ keyEncoding: 'buffer', valueEncoding: 'buffer' }) as AsyncIterable<[Buffer, Buffer]>) {
        entries++
        bytes += key.length + value.length
        if (interrupted) throw new CliError('interrupted', EXIT.interrupted)
      }
      return { entries, bytes }
    })
    lines.push(`Live entries     ${live.entries.toLocaleString('en-US')} (${formatBytes(live.bytes)} of keys and values)`)
    lines.push(`Space amplific.  ${live.bytes === 0 ? 'n/a' : `${(directory.directoryBytes / live.bytes).toFixed(2)}x (directory size / live keys and values)`}`)
  }
  console.log(lines.join('\n'))
}

async function sstables (location: string): Promise<void> {
  const directory = await withReadLock(location, true, () => readDirectory(location))
  console.log('Level  File          Bytes  Smallest .. largest key')
  for (const table of directory.tables) {
    console.log(`${String(table.level).padStart(5)}  ${table.name.padEnd(12)}  ${String(table.bytes).padStart(5)}  ${printableKey(table.smallest)} .. ${printableKey(table.largest)}`)
  }
}

async function verify (location: string): Promise<void> {
  await withReadLock(location, false, () => verifyLocked(location))
}

function verifyLocked (location: string): void {
  const directory = readDirectory(location)
  const total = directory.directoryBytes
  const progress = startProgress('verify', 'bytes', total)
  let done = 0
  const { damage, files } = verifyDirectory(location, {
    onFile: (_name, bytes) => progress.update(done += bytes),
    stopped: () => interrupted
  })
  progress.stop()
  if (interrupted) throw new CliError(`stopped after ${files} files`, EXIT.interrupted)
  for (const { file, problem } of damage) console.log(`DAMAGED ${file}: ${problem}`)
  const damagedFiles = new Set(damage.map(d => d.file)).size
  console.log(`${files} files checked, ${damagedFiles} damaged`)
  if (damagedFiles > 0) throw new CliError(`${damagedFiles} damaged files`, EXIT.damaged)
}

async function dump (location: string, options: RangeOptions & { output?: string }): Promise<void> {
  const file = options.output === undefined ? null : fs.createWriteStream(options.output)
  const out: NodeJS.WritableStream = file ?? process.stdout
  const progress = options.output === undefined ? null : startProgress('dump', 'entries', options.limit ?? null)
  let count = 0
  await withDatabase(location, 'read', async (db) => {
    const it = db.iterator(rangeOf(options))
    try {
      while (!interrupted) {
        const entries = await it.nextv(1000)
        if (entries.length === 0) break
        let chunk = ''
        for (const [key, value] of entries) chunk += JSON.stringify({ key, value }) + '\n'
        if (!out.write(chunk)) await new Promise<void>(resolve => out.once('drain', () => resolve()))
        count += entries.length
        progress?.update(count)
      }
    } finally {
      await it.close()
    }
  })
  progress?.stop()
  if (file !== null) await new Promise<void>((resolve, reject) => file.end((err?: Error | null) => err == null ? resolve() : reject(err)))
  if (interrupted) throw new CliError(`stopped after ${count} entries`, EXIT.interrupted)
}

interface LoadOptions extends EncodingOptions {
  batchSize: number
}

type LoadOperation = { type: 'put', key: unknown, value: unknown } | { type: 'del', key: unknown }

// One JSON line of `load`'s input: {"key":..,"value":..} puts, {"type":"del","key":..} deletes.
export function parseLoadLine (line: string, lineNumber: number, options: EncodingOptions): LoadOperation {
  let record: unknown
  try {
    record = JSON.parse(line)
  } catch {
    throw new CliError(`line ${lineNumber}: not valid JSON`, EXIT.failed)
  }
  if (typeof record !== 'object' || record === null || !('key' in record)) throw new CliError(`line ${lineNumber}: expected an object with a "key"`, EXIT.failed)
  const { key, value, type } = record as { key: unknown, value?: unknown, type?: unknown }
  const checkText = (what: string, data: unknown, encoding: Encoding): void => {
    if (encoding !== 'json' && typeof data !== 'string') throw new CliError(`line ${lineNumber}: the ${what} must be a string in ${encoding}`, EXIT.failed)
  }
  checkText('key', key, options.keyEncoding)
  if (type === 'del') return { type: 'del', key }
  if (type !== undefined && type !== 'put') throw new CliError(`line ${lineNumber}: type must be "put" or "del"`, EXIT.failed)
  if (value === undefined) throw new CliError(`line ${lineNumber}: a put needs a "value"`, EXIT.failed)
  checkText('value', value, options.valueEncoding)
  return { type: 'put', key, value }
}

async function load (location: string, file: string | undefined, options: LoadOptions): Promise<void> {
  const fromStdin = file === undefined || file === '-'
  const input = fromStdin ? process.stdin : fs.createReadStream(file)
  const total = fromStdin ? null : fs.statSync(file).size
  const progress = startProgress('load', 'bytes', total)
  let written = 0
  let bytes = 0
  let lineNumber = 0
  await withDatabase(location, 'create', async (db) => {
    // Made only now: lines a readline interface reads before its iteration starts are lost.
    const lines = readline.createInterface({ input, crlfDelay: Infinity })
    let batch: LoadOperation[] = []
    const writeBatch = async (): Promise<void> => {
      await db.batch(batch as never, { keyEncoding: options.keyEncoding, valueEncoding: options.valueEncoding })
      written += batch.length
      batch = []
      progress.update(bytes)
    }
    try {
      for await (const line of lines) {
        if (interrupted) break
        lineNumber++
        bytes += Buffer.byteLength(line) + 1
        if (line.trim() === '') continue
        batch.push(parseLoadLine(line, lineNumber, options))
        if (batch.length >= options.batchSize) await writeBatch()
      }
      if (!interrupted && batch.length > 0) await writeBatch()
    } catch (err) {
      throw err instanceof CliError ? new CliError(`${err.message}; the ${written} entries before it were written`, err.exitCode) : err
    } finally {
      lines.close()
      progress.stop()
    }
  })
  if (interrupted) throw new CliError(`stopped after ${written} entries were written`, EXIT.interrupted)
  console.error(`loaded ${written} entries`)
}

async function compact (location: string, options: { start?: string, end?: string, keyEncoding: Encoding }): Promise<void> {
  await withDatabase(location, 'write', async (db) => {
    // Opening turned every log into a table, so the tables' key range covers the whole database.
    const tables = readDirectory(location).tables
    if (tables.length === 0) return
    const smallest = tables.reduce((min, t) => Buffer.compare(t.smallest, min) < 0 ? t.smallest : min, tables[0].smallest)
    const largest = tables.reduce((max, t) => Buffer.compare(t.largest, max) > 0 ? t.largest : max, tables[0].largest)
    const encode = (key: string | undefined, fallback: Buffer): Buffer => key === undefined
      ? fallback
      : db.keyEncoding(options.keyEncoding).encode(decodeArgument(key, options.keyEncoding)) as Buffer
    const progress = startProgress('compact', 'bytes', 0)
    try {
      await db.compactRange(toBuffer(encode(options.start, smallest)), toBuffer(encode(options.end, largest)), {
        keyEncoding: 'buffer',
        signal: stopSignal.signal,
        onProgress: (bytesRead, bytesEstimate) => progress.update(bytesRead, bytesEstimate)
      })
    } catch (err) {
      if (errorCode(err) === 'LEVEL_ABORTED') throw new CliError(`stopped with ${countTables(db)} tables; every step that ran was kept`, EXIT.interrupted)
      throw err
    } finally {
      progress.stop()
    }
    console.error(`compacted: ${tables.length} tables before, ${countTables(db)} after`)
  })
}

function toBuffer (key: Buffer | string): Buffer {
  return typeof key === 'string' ? Buffer.from(key, 'utf8') : key
}

function countTables (db: AiLevel<unknown, unknown>): number {
  let tables = 0
  for (let level = 0; level < 7; level++) tables += Number(db.getProperty(`leveldb.num-files-at-level${level}`))
  return tables
}

async function confirm (question: string): Promise<boolean> {
  const prompt = readline.createInterface({ input: process.stdin, output: process.stderr })
  try {
    const answer = await new Promise<string>(resolve => prompt.question(question, resolve))
    return /^y(es)?$/i.test(answer.trim())
  } finally {
    prompt.close()
  }
}

export function buildProgram (): Command {
  const program = new Command('ai-level')
    .description('Inspect and maintain LevelDB-format databases (ai-level, classic-level, LevelDB)')
    .addHelpText('after', HELP_EXIT_CODES)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) })

  program.command('info').argument('<dir>', 'database directory')
    .description('levels, tables, sizes, entry estimate, write amplification, lock holder; holds the lock shared (beside other readers), or reads the files as they are beside a writer')
    .option('--scan', 'also open the database read-only and count live entries and space amplification (exit code 3 beside a writer)')
    .action(async (dir: string, options: { scan?: boolean }) => info(dir, options))

  program.command('sstables').argument('<dir>', 'database directory')
    .description('every table file by level with its key range; as info, beside readers or a writer')
    .action((dir: string) => sstables(dir))

  withEncodings(program.command('get').argument('<dir>', 'database directory').argument('<key>'))
    .description('print the value of a key (exit code 4 if absent); opens read-only, beside other readers')
    .action(async (dir: string, key: string, options: EncodingOptions) => {
      const value = await withDatabase(dir, 'read', async (db) => db.get(decodeArgument(key, options.keyEncoding), options))
      if (value === undefined) throw new CliError('not found', EXIT.notFound)
      console.log(typeof value === 'string' ? value : JSON.stringify(value))
    })

  withEncodings(program.command('put').argument('<dir>', 'database directory').argument('<key>').argument('<value>'))
    .description('write one entry (creates the database if missing)')
    .action(async (dir: string, key: string, value: string, options: EncodingOptions) => {
      await withDatabase(dir, 'create', async (db) => db.put(decodeArgument(key, options.keyEncoding), decodeArgument(value, options.valueEncoding), { ...options, sync: true }))
    })

  withEncodings(program.command('del').argument('<dir>', 'database directory').argument('<key>'))
    .description('delete one key')
    .action(async (dir: string, key: string, options: EncodingOptions) => {
      await withDatabase(dir, 'write', async (db) => db.del(decodeArgument(key, options.keyEncoding), { ...options, sync: true }))
    })

  withRange(program.command('dump').argument('<dir>', 'database directory'))
    .description('print entries as JSON lines {"key":..,"value":..}; opens read-only, beside other readers')
    .option('-o, --output <file>', 'write to this file (with progress on stderr) instead of stdout')
    .action(async (dir: string, options: RangeOptions & { output?: string }) => dump(dir, options))

  withEncodings(program.command('load').argument('<dir>', 'database directory').argument('[file]', 'JSON lines; - or none for stdin'))
    .description('write JSON lines {"key":..,"value":..} or {"type":"del","key":..} in batches (creates the database if missing)')
    .option('--batch-size <n>', 'entries per batch', parseCount, 1000)
    .action(async (dir: string, file: string | undefined, options: LoadOptions) => load(dir, file, options))

  program.command('verify').argument('<dir>', 'database directory')
    .description('read every table block and every log and MANIFEST record, checking every checksum; exit code 5 on damage. Holds the lock shared: runs beside other readers, not beside a writer')
    .action((dir: string) => verify(dir))

  program.command('compact').argument('<dir>', 'database directory')
    .description('compact a key range (default: everything) down the levels')
    .option('--start <key>', 'first key of the range')
    .option('--end <key>', 'end of the range (exclusive)')
    .addOption(encodingOption('--key-encoding', 'keys'))
    .action(async (dir: string, options: { start?: string, end?: string, keyEncoding: Encoding }) => compact(dir, options))

  program.command('checkpoint').argument('<dir>', 'database directory').argument('<target>', 'a directory that does not exist yet')
    .description('write a consistent copy of the database into <target> (tables hard-linked where possible, logs copied); opens read-only, beside other readers')
    .action(async (dir: string, target: string) => {
      const started = Date.now()
      const progress = startProgress('checkpoint', 'bytes', 0)
      await withDatabase(dir, 'read', async (db) => db.checkpoint(target, { onProgress: (done, total) => progress.update(done, total) }))
        .finally(() => progress.stop())
      console.error(`checkpoint written to ${target} in ${Date.now() - started} ms`)
    })

  program.command('repair').argument('<dir>', 'database directory')
    .description('rebuild the MANIFEST from whatever logs and tables are readable (the database must be closed)')
    .action(async (dir: string) => {
      const started = Date.now()
      console.error(`repairing ${dir} ...`)
      const progress = startProgress('repair', 'bytes', 0)
      const result = await AiLevel.repair(dir, { onProgress: (done, total) => progress.update(done, total) })
        .catch((err: unknown) => { throw explainOpenFailure(dir, err) })
        .finally(() => progress.stop())
      console.error(`repaired in ${Date.now() - started} ms: ${result.tables} tables, ${result.droppedRecords} unreadable records dropped, ${result.droppedFiles} files moved to lost/`)
    })

  program.command('destroy').argument('<dir>', 'database directory')
    .description('delete the database files (asks first unless --yes)')
    .option('-y, --yes', 'do not ask')
    .action(async (dir: string, options: { yes?: boolean }) => {
      if (options.yes !== true) {
        if (process.stdin.isTTY !== true) throw new CliError('refusing to destroy without --yes when not on a terminal', EXIT.usage)
        if (!await confirm(`Destroy the database in ${dir}? [y/N] `)) throw new CliError('not destroyed', EXIT.failed)
      }
      await AiLevel.destroy(dir).catch((err: unknown) => { throw explainOpenFailure(dir, err) })
    })

  return program
}

export async function main (argv: string[]): Promise<number> {
  const onInterrupt = (): void => {
    if (interrupted) process.exit(EXIT.interrupted)
    interrupted = true
    stopSignal.abort()
    process.stderr.write('\nstopping: closing the database (Ctrl-C again to quit at once)\n')
  }
  process.on('SIGINT', onInterrupt)
  try {
    await buildProgram().parseAsync(argv, { from: 'user' })
    return EXIT.ok
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage
    if (err instanceof CliError) {
      process.stderr.write(`ai-level: ${err.message}\n`)
      return err.exitCode
    }
    process.stderr.write(`ai-level: ${(err as Error).message ?? String(err)}\n`)
    return EXIT.failed
  } finally {
    process.off('SIGINT', onInterrupt)
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(code => { process.exitCode = code }, () => { process.exitCode = EXIT.failed })
}
