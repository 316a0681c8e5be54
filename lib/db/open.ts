// Opening a database: creating or checking its directory, replaying the MANIFEST, turning every
// log newer than it into a table, and starting a fresh log. Hands back every part the engine is
// built from, fully made, or fails having changed nothing but the tables recovered so far.
//
// A read-only open (options.readOnly) changes nothing on disk: it takes the lock shared (creating
// no LOCK), replays the MANIFEST and replays the logs into the memtable only, starts no log, no
// MANIFEST and no info log, and hands back no log (`wal` is null) and inline job runners that are
// never given a job.
import { path, platform } from '../platform/node'
import type { Env, FileLock } from '../env/env'
import { retryWhileLocked } from '../env/locks/lock-wait'
import type { DBOptions } from './options'
import { tableOptionsOf, withDefaults } from './options'
import { InfoLog } from './info-log'
import { BackgroundError } from './background-error'
import { WriteAheadLog } from './write-ahead-log'
import { MemTables } from './memtables'
import { LevelStats } from './properties'
import type { Block } from '../table/block'
import { FileType, currentFileName, lockFileName, logFileName, parseFileName } from '../format/filenames'
import type { LRUCache } from '../util/lru-cache'
import { BlockCache } from '../table/block-cache'
import { TableCache } from '../cache/table-cache'
import { VersionSet } from '../version/version-set'
import { VersionEdit } from '../version/version-edit'
import { NUM_LEVELS } from '../version/version'
import { logMayHoldUnflushedWrites } from '../version/obsolete-files'
import { replayLog } from '../log/log-replay'
import { InlineJobRunner, type JobRunner } from '../compaction/job-runner'
import { corruption, notOpenable, notSupported } from '../util/errors'

// Everything an open database is built from.
export interface OpenedEngine {
  location: string
  options: DBOptions
  env: Env
  lock: FileLock
  infoLog: InfoLog
  vset: VersionSet
  tableCache: TableCache
  blockCache: LRUCache<Block>
  // Flushes (of memtables, and of logs at open) and sweeps; compactions go to compactionRunner,
  // the same runner when there is one background thread.
  jobRunner: JobRunner
  compactionRunner: JobRunner
  backgroundError: BackgroundError
  // Null in a read-only database, which writes no log.
  wal: WriteAheadLog | null
  // Empty, or holding the logs' writes in a read-only database.
  memtables: MemTables
  // The logs a read-only database's memtable was replayed from, oldest first; empty otherwise.
  replayedLogs: number[]
  // Time and bytes of the tables written so far, per level (recovered logs go to level 0).
  stats: LevelStats[]
}

export async function openEngine (location: string, userOptions: Partial<DBOptions>): Promise<OpenedEngine> {
  const options = withDefaults(userOptions)
  const env = options.env
  const dbname = path.resolve(location)
  const readOnly = options.readOnly
  const mayCreate = options.createIfMissing && !readOnly
  const missing = `${location} does not exist (${readOnly ? 'a read-only open never creates one' : 'createIfMissing is false'})`
  // An Env that loads directories holds each one exclusively, so it cannot share it with readers.
  if (readOnly && env.loadDirectory !== undefined) throw notSupported(`${location} cannot be opened read-only: this Env holds a database directory exclusively`)
  // The lock step: an Env that loads directories takes its lock in loadDirectory, any other in
  // lockFile. Either refuses with LEVEL_LOCKED while another holds the database; with lockTimeout
  // the whole step is tried again until the holder lets go or the time is up.
  const lock = await retryWhileLocked(options.lockTimeout, async () => {
    await env.loadDirectory?.(dbname, mayCreate)
    if (!env.fileExists(dbname)) {
      if (!mayCreate) throw notOpenable(missing)
      env.createDir(dbname)
    }
    return env.lockFile(lockFileName(dbname), readOnly ? 'shared' : 'exclusive')
  })
  let infoLog: InfoLog | null = null
  let tableCache: TableCache | null = null
  let runners: JobRunner[] = []
  try {
    if (!env.fileExists(currentFileName(dbname))) {
      if (!mayCreate) throw notOpenable(missing)
      // Starting afresh here would overwrite the files of a database that lost its CURRENT,
      // except where a creation was cut short (LevelDB then creates again too).
      const orphans = env.getChildren(dbname).filter(name => {
        const type = parseFileName(name)?.type
        return type === FileType.Descriptor || type === FileType.Table || type === FileType.Log
      })
      if (!isInterruptedCreation(orphans)) throw corruption(`CURRENT is missing but ${orphans[0]} exists; run repair() to salvage the database`)
      VersionSet.create(env, dbname)
    } else if (options.errorIfExists) {
      throw notOpenable(`${location} exists (errorIfExists is true)`)
    }
    // Read-only until the MANIFEST has been replayed, so a failed open changes nothing.
    const vset = new VersionSet(env, dbname, options)
    vset.recover()
    const log = infoLog = new InfoLog(env, dbname, readOnly)
    const blockCache = new BlockCache(options.cacheSize)
    tableCache = new TableCache(env, dbname, { verifyChecksums: options.verifyChecksums, paranoidChecks: options.paranoidChecks, blockCache }, options.maxOpenFiles)
    const inWorker = options.backgroundWorker && !readOnly && platform.canRunJobsInWorker(env)
    runners = inWorker
      ? backgroundRunners(options.backgroundThreads, () => platform.newWorkerJobRunner(env, vset.fileNumbers, {
        onIdleExit: err => log.log(`${err.message} while idle; the next job starts a new worker`),
        onInlineFallback: err => log.log(`background worker could not start (${err.message}); flushes and compactions run on the main thread`)
      }))
      : backgroundRunners(1, () => new InlineJobRunner(env, vset.fileNumbers))
    const [jobRunner, compactionRunner] = runners
    const backgroundError = new BackgroundError(infoLog)
    const stats = Array.from({ length: NUM_LEVELS }, () => new LevelStats())
    const memtables = new MemTables(options.writeBufferSize)
    const logs = logsToReplay(dbname, env, vset)
    let wal: WriteAheadLog | null = null
    if (readOnly) replayLogsIntoMemory(dbname, options, vset, logs, memtables, infoLog)
    else wal = await recoverLogs(dbname, options, vset, logs, jobRunner, infoLog, backgroundError, stats)
    return { location: dbname, options, env, lock, infoLog, vset, tableCache, blockCache, jobRunner, compactionRunner, backgroundError, wal, memtables, replayedLogs: readOnly ? logs : [], stats }
  } catch (err) {
    for (const runner of runners) await runner.close()
    tableCache?.close()
    infoLog?.close()
    await env.unlockFile(lock)
    throw err
  }
}

// The logs that may hold writes newer than the MANIFEST's tables, oldest first, after checking
// that every table the MANIFEST names is there.
// VersionSet.create writes MANIFEST-000001 and then CURRENT: a process killed in between leaves
// that MANIFEST alone, holding no data, so creating the database again loses nothing.
function isInterruptedCreation (orphans: readonly string[]): boolean {
  if (orphans.length === 0) return true
  const only = parseFileName(orphans[0])
  return orphans.length === 1 && only?.type === FileType.Descriptor && only.number === 1
}

function logsToReplay (dbname: string, env: Env, vset: VersionSet): number[] {
  const expected = vset.liveFiles()
  const logs: number[] = []
  for (const name of env.getChildren(dbname)) {
    const parsed = parseFileName(name)
    if (parsed === undefined) continue
    if (parsed.type === FileType.Table) expected.delete(parsed.number)
    if (parsed.type === FileType.Log && logMayHoldUnflushedWrites(parsed.number, vset.logNumber, vset.prevLogNumber)) logs.push(parsed.number)
  }
  if (expected.size > 0) {
    throw corruption(`${expected.size} missing table files, e.g. ${[...expected][0]}`)
  }
  logs.sort((a, b) => a - b)
  for (const number of logs) vset.markFileNumberUsed(number)
  return logs
}

// Damage in a log is skipped, as LevelDB does, unless paranoidChecks makes it fatal.
function replayLogsIntoMemory (dbname: string, options: DBOptions, vset: VersionSet, logs: number[], memtables: MemTables, infoLog: InfoLog): void {
  for (const logNumber of logs) {
    replayLog(options.env, logFileName(dbname, logNumber), batch => {
      memtables.mem.addBatch(batch)
      vset.lastSequence = Math.max(vset.lastSequence, batch.sequence + batch.count() - 1)
    }, (bytes, reason) => {
      if (options.paranoidChecks) throw corruption(`log ${logNumber} is damaged: ${reason}`)
      infoLog.log(`log ${logNumber}: dropped ${bytes} bytes: ${reason}`)
    })
  }
}

// Turns every log newer than the MANIFEST into a table, then starts a fresh log. No sweep runs
// before the engine is built, so the recovered tables need no guard against one.
async function recoverLogs (dbname: string, options: DBOptions, vset: VersionSet, logs: number[], runner: JobRunner, infoLog: InfoLog, backgroundError: BackgroundError, stats: LevelStats[]): Promise<WriteAheadLog> {
  const env = options.env
  const edit = new VersionEdit()
  for (const logNumber of logs) {
    const fileNumber = vset.newFileNumber()
    const started = Date.now()
    const result = await runner.recover({
      dbname, fileNumber, logNumber, options: tableOptionsOf(options), tolerateDamage: !options.paranoidChecks
    })
    for (const message of result.damage) infoLog.log(message)
    if (result.meta !== undefined) {
      edit.addFile(0, result.meta)
      stats[0].add(Date.now() - started, 0, result.meta.fileSize)
    }
    vset.lastSequence = Math.max(vset.lastSequence, result.maxSequence)
  }

  const wal = WriteAheadLog.create(env, dbname, vset.newFileNumber(), backgroundError)
  edit.logNumber = wal.fileNumber
  edit.prevLogNumber = 0
  try {
    await vset.logAndApply(edit)
  } catch (err) {
    await wal.close().catch(() => {})
    throw err
  }
  infoLog.log(`opened: ${logs.length} logs replayed, last sequence ${vset.lastSequence}`)
  return wal
}

// The job runner takes flushes (of memtables, and of logs at open) and sweeps; the compaction
// runner takes compactions. With a single thread both are the same runner, whose worker runs
// the jobs in turn.
function backgroundRunners (threads: number, create: () => JobRunner): [JobRunner, JobRunner] {
  const jobRunner = create()
  return [jobRunner, threads >= 2 ? create() : jobRunner]
}
