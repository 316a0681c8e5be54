// Which files in a database directory no version needs any more, and their removal. Plain data in
// and out, so the sweep (a directory listing plus unlinks) can run on a background thread.
import { path } from '../platform/node'
import type { Env } from '../env/env'
import { FileType, parseFileName } from '../format/filenames'

// What the database still needs, captured on its own thread at one moment.
export interface LiveFiles {
  dbname: string
  // Tables (and table temp files) used by the current or a pinned version, or being written.
  tables: number[]
  // Logs numbered at or above this, and prevLogNumber, may still hold unflushed writes.
  logNumber: number
  prevLogNumber: number
  manifestNumber: number
  // Files numbered at or above this may be created after the capture (a running compaction's outputs).
  firstUnsettledNumber: number
}

export interface SweepResult {
  // Files that could not be removed, with their errors: a later sweep tries again.
  failures: string[]
}

// The one rule for which logs recovery replays and the sweep keeps: they must agree.
export function logMayHoldUnflushedWrites (number: number, logNumber: number, prevLogNumber: number): boolean {
  return number >= logNumber || number === prevLogNumber
}

export function isObsolete (name: string, live: LiveFiles, liveTables: ReadonlySet<number>): boolean {
  const parsed = parseFileName(name)
  if (parsed === undefined) return false
  switch (parsed.type) {
    case FileType.Log: return !logMayHoldUnflushedWrites(parsed.number, live.logNumber, live.prevLogNumber)
    case FileType.Descriptor: return parsed.number < live.manifestNumber
    case FileType.Table:
    case FileType.Temp: return !liveTables.has(parsed.number) && parsed.number < live.firstUnsettledNumber
    default: return false
  }
}

export function sweepObsoleteFiles (env: Env, live: LiveFiles): SweepResult {
  const result: SweepResult = { failures: [] }
  for (const name of obsoleteFiles(env, live)) {
    try {
      env.removeFile(path.join(live.dbname, name))
    } catch (err) {
      result.failures.push(removalFailure(name, err))
    }
  }
  return result
}

// The same, with the unlinks on the Env's thread pool where it has one (Env.removeFileAsync): the
// job worker sweeps between compactions, and the next compaction need not wait for the unlinks.
export async function sweepObsoleteFilesAsync (env: Env, live: LiveFiles): Promise<SweepResult> {
  const removeAsync = env.removeFileAsync?.bind(env)
  if (removeAsync === undefined) return sweepObsoleteFiles(env, live)
  const names = obsoleteFiles(env, live)
  const settled = await Promise.allSettled(names.map(name => removeAsync(path.join(live.dbname, name))))
  const failures: string[] = []
  settled.forEach((outcome, i) => {
    if (outcome.status === 'rejected') failures.push(removalFailure(names[i], outcome.reason))
  })
  return { failures }
}

function obsoleteFiles (env: Env, live: LiveFiles): string[] {
  const liveTables = new Set(live.tables)
  return env.getChildren(live.dbname).filter(name => isObsolete(name, live, liveTables))
}

// How SweepResult.failures names a file that could not be removed.
function removalFailure (name: string, err: unknown): string {
  return `${name}: ${(err as Error).message}`
}
