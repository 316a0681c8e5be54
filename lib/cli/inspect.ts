// What the command-line tool learns from a database directory's files alone: the MANIFEST's view
// of levels and tables, who holds LOCK, and the checksums of every table block and log record.
// Nothing here takes a lock or writes; the command takes the lock shared around it (main.ts).
import fs from 'node:fs'
import path from 'node:path'
import type { Env } from '../env/env'
import { defaultEnv } from '../env/node-env'
import { extractUserKey } from '../format/internal-key'
import { FileType, lockFileName, parseFileName } from '../format/filenames'
import { PID_FILE_SUFFIX } from '../env/locks/pid-file-lock'
import { errorCode } from '../util/errors'
import { LogReader } from '../log/log-reader'
import { Block } from '../table/block'
import { decodeBlockHandle } from '../table/block-handle'
import { readBlockContents } from '../table/block-reader'
import { readTableIndex } from '../table/table'
import { TableScanner } from '../table/table-scanner'
import { NUM_LEVELS } from '../version/version'
import { VersionSet } from '../version/version-set'
import { DEFAULT_OPTIONS } from '../db/options'
import { compareInternalKeySlices } from '../format/internal-key'

export interface TableInfo {
  level: number
  number: number
  name: string
  bytes: number
  smallest: Buffer
  largest: Buffer
}

export interface DirectoryInfo {
  location: string
  lastSequence: number
  nextFileNumber: number
  tables: TableInfo[]
  // Logs newer than the MANIFEST's: writes not yet in any table, replayed on the next open.
  logs: Array<{ name: string, bytes: number }>
  // Bytes of every file in the directory.
  directoryBytes: number
}

// Reads the MANIFEST that CURRENT names, as an open would, without changing anything.
export function readDirectory (location: string, env: Env = defaultEnv): DirectoryInfo {
  const dbname = path.resolve(location)
  const vset = new VersionSet(env, dbname, DEFAULT_OPTIONS)
  vset.recover()
  const names = env.getChildren(dbname)
  const tables: TableInfo[] = []
  for (let level = 0; level < NUM_LEVELS; level++) {
    for (const file of vset.current.files[level]) {
      const name = names.find(candidate => {
        const parsed = parseFileName(candidate)
        return parsed?.type === FileType.Table && parsed.number === file.number
      }) ?? `${String(file.number).padStart(6, '0')}.ldb (missing)`
      tables.push({ level, number: file.number, name, bytes: file.fileSize, smallest: extractUserKey(file.smallest), largest: extractUserKey(file.largest) })
    }
  }
  const logs: DirectoryInfo['logs'] = []
  let directoryBytes = 0
  for (const name of names.sort()) {
    const bytes = fileSize(path.join(dbname, name))
    directoryBytes += bytes
    const parsed = parseFileName(name)
    if (parsed?.type === FileType.Log && parsed.number >= vset.logNumber) logs.push({ name, bytes })
  }
  return { location: dbname, lastSequence: vset.lastSequence, nextFileNumber: vset.nextFileNumber, tables, logs, directoryBytes }
}

function fileSize (file: string): number {
  try {
    return fs.statSync(file).size
  } catch {
    return 0 // Removed by a writer since the listing.
  }
}

// About how many entries a table holds: its data blocks times the entries of its first one.
export function estimateEntries (location: string, table: TableInfo, env: Env = defaultEnv): number {
  const file = env.newRandomAccessFile(path.join(location, table.name))
  try {
    const index = readTableIndex(file, table.bytes, false).indexBlock.newIterator(compareInternalKeySlices)
    let blocks = 0
    let firstHandle: Buffer | null = null
    for (index.seekToFirst(); index.valid(); index.next()) {
      if (firstHandle === null) firstHandle = Buffer.from(index.value())
      blocks++
    }
    if (firstHandle === null) return 0
    const first = new Block(readBlockContents(file, decodeBlockHandle(firstHandle), false)).newIterator(compareInternalKeySlices)
    let entries = 0
    for (first.seekToFirst(); first.valid(); first.next()) entries++
    return blocks * entries
  } finally {
    file.close()
  }
}

// Who holds LOCK: a writer (exclusively), or readers sharing it; `pids` are the holders' process
// ids where they can be told (empty when they cannot).
export type LockHolder = { held: false } | { held: true, writer: boolean, pids: number[] }

// Who holds LOCK, where Linux's /proc tells: /proc/locks names the process of a classic fcntl
// lock; an open-file-description lock (what ai-level takes under Node) shows there with pid -1,
// and /proc/<pid>/fdinfo names the processes whose descriptors carry it. The pid-file lock names
// its writer in LOCK.pid and its readers in LOCK.reader.<pid>. Elsewhere only an open attempt can
// tell, so this returns null.
export function lockHolder (location: string): LockHolder | null {
  const lockFile = lockFileName(path.resolve(location))
  let inode: number
  let table: string
  try {
    inode = fs.statSync(lockFile).ino
    table = fs.readFileSync('/proc/locks', 'latin1')
  } catch {
    return pidFileHolder(lockFile)
  }
  const locks = table.split('\n').map(line => parseLockLine(line, inode)).filter(lock => lock !== null)
  if (locks.length === 0) return pidFileHolder(lockFile) ?? { held: false }
  const writer = locks.some(lock => lock.write)
  const pids: number[] = []
  let descriptors: Array<{ pid: number, write: boolean }> | null = null
  for (const lock of locks) {
    if (lock.write !== writer) continue
    if (lock.pid > 0) pids.push(lock.pid)
    else pids.push(...(descriptors ??= descriptorHolders(inode)).filter(holder => holder.write === writer).map(holder => holder.pid))
  }
  return { held: true, writer, pids: [...new Set(pids)] }
}

// A /proc/locks line ("1: POSIX  ADVISORY  WRITE 1234 08:01:5678 0 EOF") of a lock granted on the
// file with this inode; waiters ("1: -> POSIX ...") are left out.
function parseLockLine (line: string, inode: number): { pid: number, write: boolean } | null {
  const fields = line.trim().split(/\s+/)
  if (fields.length < 6 || fields[1] === '->') return null
  const device = fields[5].split(':')
  if (device.length !== 3 || Number(device[2]) !== inode) return null
  return { pid: Number(fields[4]), write: fields[3] === 'WRITE' }
}

function descriptorHolders (inode: number): Array<{ pid: number, write: boolean }> {
  const holders: Array<{ pid: number, write: boolean }> = []
  for (const pid of fs.readdirSync('/proc').filter(name => /^\d+$/.test(name))) {
    let descriptors: string[]
    try {
      descriptors = fs.readdirSync(`/proc/${pid}/fdinfo`)
    } catch {
      continue // Gone, or not ours to read.
    }
    for (const fd of descriptors) {
      try {
        const info = fs.readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'latin1')
        for (const line of info.split('\n')) {
          const lock = line.startsWith('lock:') ? parseLockLine(line.slice(5), inode) : null
          if (lock !== null) holders.push({ pid: Number(pid), write: lock.write })
        }
      } catch {
        // Closed since the listing.
      }
    }
  }
  return holders
}

// A LOCK.pid or LOCK.reader.<pid> whose process is gone is stale: it holds nothing.
function pidFileHolder (lockFile: string): LockHolder | null {
  let pid: number | undefined
  try {
    pid = Number(fs.readFileSync(lockFile + PID_FILE_SUFFIX, 'latin1').trim())
  } catch {
    pid = undefined
  }
  if (pid !== undefined && Number.isInteger(pid) && pid > 0 && isRunning(pid)) return { held: true, writer: true, pids: [pid] }
  const prefix = path.basename(lockFile) + '.reader.'
  let names: string[]
  try {
    names = fs.readdirSync(path.dirname(lockFile))
  } catch {
    return null
  }
  const readers = names.filter(name => name.startsWith(prefix)).map(name => Number(name.slice(prefix.length))).filter(reader => Number.isInteger(reader) && reader > 0 && isRunning(reader))
  if (readers.length > 0) return { held: true, writer: false, pids: readers }
  return pid === undefined ? null : { held: false }
}

function isRunning (pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (err) {
    if (errorCode(err) === 'ESRCH') return false
  }
  return true
}

export interface Damage {
  file: string
  problem: string
}

export interface VerifyProgress {
  // Called after each file with the bytes it had, so a caller can show progress.
  onFile (name: string, bytes: number): void
  // Checked between files: true stops the walk.
  stopped (): boolean
}

// Reads every block of every table (checksums on) and every record of every log and MANIFEST.
export function verifyDirectory (location: string, progress: VerifyProgress, env: Env = defaultEnv): { damage: Damage[], files: number } {
  const dbname = path.resolve(location)
  const damage: Damage[] = []
  let files = 0
  for (const name of env.getChildren(dbname).sort()) {
    if (progress.stopped()) break
    const parsed = parseFileName(name)
    if (parsed === undefined) continue
    const file = path.join(dbname, name)
    if (!env.fileExists(file)) continue // Removed by a writer since the listing.
    const bytes = env.getFileSize(file)
    const report = (problem: string): void => { damage.push({ file: name, problem }) }
    if (parsed.type === FileType.Table) verifyTable(env, file, bytes, report)
    else if (parsed.type === FileType.Log || parsed.type === FileType.Descriptor) verifyLog(env, file, report)
    else continue
    files++
    progress.onFile(name, bytes)
  }
  return { damage, files }
}

function verifyTable (env: Env, file: string, bytes: number, report: (problem: string) => void): void {
  try {
    const scanner = new TableScanner(env.newRandomAccessFile(file), bytes, true)
    try {
      let previous: Buffer | null = null
      for (; scanner.valid(); scanner.next()) {
        const key = scanner.keyBytes.subarray(scanner.keyStart, scanner.keyEnd)
        if (previous !== null && compareInternalKeySlices(previous, 0, previous.length, key, 0, key.length) >= 0) {
          report('keys out of order')
          return
        }
        previous = Buffer.from(key)
      }
    } finally {
      scanner.close()
    }
  } catch (err) {
    report((err as Error).message)
  }
}

function verifyLog (env: Env, file: string, report: (problem: string) => void): void {
  let source
  try {
    source = env.newRandomAccessFile(file)
  } catch (err) {
    report((err as Error).message)
    return
  }
  try {
    const reader = new LogReader(source, { checksum: true, reporter: (dropped, reason) => report(`${reason} (${dropped} bytes dropped)`) })
    while (reader.readRecord() !== null) { /* every record is read for its checksum */ }
  } catch (err) {
    report((err as Error).message)
  } finally {
    source.close()
  }
}

export interface WriteAmplification {
  flushedBytes: number
  compactedBytes: number
}

// Bytes flushed and compacted as the info logs (LOG and LOG.old) record them: the sessions they
// cover are all that is known about write amplification without a writer running.
export function writeAmplificationFromInfoLogs (location: string): WriteAmplification | null {
  let flushedBytes = 0
  let compactedBytes = 0
  for (const name of ['LOG.old', 'LOG']) {
    let text: string
    try {
      text = fs.readFileSync(path.join(path.resolve(location), name), 'utf8')
    } catch {
      continue
    }
    for (const match of text.matchAll(/flushed table #\d+ to level \d+: (\d+) bytes/g)) flushedBytes += Number(match[1])
    for (const match of text.matchAll(/compacted .* files into \d+ \((\d+) bytes\)/g)) compactedBytes += Number(match[1])
  }
  return flushedBytes === 0 ? null : { flushedBytes, compactedBytes }
}
