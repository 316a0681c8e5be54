// Opening a database: creating or checking its directory, replaying the MANIFEST, turning every
// log newer than it into a table, and starting a fresh log. Hands back every part the engine is
// built from, fully made, or fails having changed nothing but the tables recovered so far.
import { path, platform } from '../platform/node'
import type { Env, FileLock } from '../env/env'
import type { DBOptions } from './options'
import { tableOptionsOf, withDefaults } from './options'
import { InfoLog } from './info-log'
import { BackgroundError } from './background-error'
import { WriteAheadLog } from './write-ahead-log'
import { LevelStats } from './properties'
import type { Block } from '../table/block'
import { FileType, currentFileName, lockFileName, parseFileName } from '../format/filenames'
import { LRUCache } from '../util/lru-cache'
import { TableCache } from '../cache/table-cache'
import { VersionSet } from '../version/version-set'
import { VersionEdit } from '../version/version-edit'
import { NUM_LEVELS } from '../version/version'
import { logMayHoldUnflushedWrites } from '../version/obsolete-files'
import { InlineJobRunner, type JobRunner } from '../compaction/job-runner'
import { corruption, notOpenable } from '../util/errors'

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
  wal: WriteAheadLog
  // Time and bytes of the tables written so far, per level (recovered logs go to level 0).
  stats: LevelStats[]
}

export async function openEngine (location: string, userOptions: Partial<DBOptions>): Promise<OpenedEngine> {
  const options = withDefaults(userOptions)
  const env = options.env
  const dbname = path.resolve(location)
  await env.loadDirectory?.(dbname, options.createIfMissing)
  if (!env.fileExists(dbname)) {
    if (!options.createIfMissing) throw notOpenable(`${location} does not exist (createIfMissing is false)`)
    env.createDir(dbname)
  }
  const lock = await env.lockFile(lockFileName(dbname))
  let infoLog: InfoLog | null = null
  let tableCache: TableCache | null = null
  let runners: JobRunner[] = []
  try {
    if (!env.fileExists(currentFileName(dbname))) {
      if (!options.createIfMissing) throw notOpenable(`${location} does not exist (createIfMissing is false)`)
      // Starting afresh here would overwrite the files of a database that lost its CURRENT.
      const orphan = env.getChildren(dbname).find(name => {
        const type = parseFileName(name)?.type
        return type === FileType.Descriptor || type === FileType.Table || type === FileType.Log
      })
      if (orphan !== undefined) throw corruption(`CURRENT is missing but ${orphan} exists; run repair() to salvage the database`)
      VersionSet.create(env, dbname)
    } else if (options.errorIfExists) {
      throw notOpenable(`${location} exists (errorIfExists is true)`)
    }
    // Read-only until the MANIFEST has been replayed, so a failed open changes nothing.
    const vset = new VersionSet(env, dbname, options)
    vset.recover()
    const log = infoLog = new InfoLog(env, dbname)
    const blockCache = new LRUCache<Block>(options.cacheSize)
    tableCache = new TableCache(env, dbname, { verifyChecksums: options.verifyChecksums, blockCache }, options.maxOpenFiles)
    const inWorker = options.backgroundWorker && platform.canRunJobsInWorker(env)
    runners = inWorker
      ? backgroundRunners(options.backgroundThreads, () => platform.newWorkerJobRunner(env, vset.fileNumbers, {
        onIdleExit: err => log.log(`${err.message} while idle; the next job starts a new worker`),
        onInlineFallback: err => log.log(`background worker could not start (${err.message}); flushes and compactions run on the main thread`)
      }))
      : backgroundRunners(1, () => new InlineJobRunner(env, vset.fileNumbers))
    const [jobRunner, compactionRunner] = runners
    const backgroundError = new BackgroundError(infoLog)
    const stats = Array.from({ length: NUM_LEVELS }, () => new LevelStats())
    const wal = await recoverLogs(dbname, options, vset, jobRunner, infoLog, backgroundError, stats)
    return { location: dbname, options, env, lock, infoLog, vset, tableCache, blockCache, jobRunner, compactionRunner, backgroundError, wal, stats }
  } catch (err) {
    for (const runner of runners) await runner.close()
    tableCache?.close()
    infoLog?.close()
    await env.unlockFile(lock)
    throw err
  }
}

// Turns every log newer than the MANIFEST into a table, then starts a fresh log. No sweep runs
// before the engine is built, so the recovered tables need no guard against one.
async function recoverLogs (dbname: string, options: DBOptions, vset: VersionSet, runner: JobRunner, infoLog: InfoLog, backgroundError: BackgroundError, stats: LevelStats[]): Promise<WriteAheadLog> {
  const env = options.env
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
