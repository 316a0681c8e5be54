// The lock of last resort, for runtimes where no OS lock can be had: LOCK.pid beside LOCK, made
// atomically with its content (written to a private file, then hard-linked into place, which
// fails if the name exists) and holding the owner's process id. It is stale once that process is
// gone: the next opener moves it aside under a name of its own (a rename only one opener can win),
// checks it is still the stale one, and links its own in its place.
//
// Read-only opens share it: each process registers as a reader with a file LOCK.reader.<pid>
// and then checks that no live writer holds LOCK.pid; a writer links LOCK.pid and then checks that
// no live reader is registered, giving LOCK.pid back if one is. Each side makes its own mark
// before looking for the other's, so of a reader and a writer racing at least one sees the other
// and backs off (both may, and fail with LEVEL_LOCKED). A reader that cannot write the directory
// (permissions, a read-only mount) cannot register: it only checks that no writer holds LOCK.pid,
// so a writer with the right to write there could still open beside it.
import fs from 'node:fs'
import nodePath from 'node:path'
import type { AcquiredLock, LockKind } from './lock-kind'

export const PID_FILE_SUFFIX = '.pid'
const READER_INFIX = '.reader.'
// Errors that say the directory cannot be written, as opposed to a failing disk.
const NOT_WRITABLE = new Set(['EACCES', 'EPERM', 'EROFS'])

function readOwner (file: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, 'utf8'), 10)
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}

// This process never holds a pid file it does not know of, so its own pid there is a leftover of
// an earlier process that had the same pid. Signal 0 checks a pid without signalling it; where the
// runtime may not send signals (Deno without --allow-run) /proc answers on Linux if readable, and
// anything that cannot tell counts as alive, so a live holder is never taken over.
function isAlive (pid: number): boolean {
  if (pid === process.pid) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    const code = errorCode(err)
    if (code === 'ESRCH') return false
    if (code === 'EPERM') return true
  }
  try {
    return !fs.existsSync('/proc/self') || fs.existsSync(`/proc/${pid}`)
  } catch {
    return true
  }
}

function errorCode (err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException).code
}

export class PidFileLocker {
  readonly kind: LockKind = 'pid-file'

  // Returns false if a live process holds the lock. `lockPath` is LevelDB's LOCK, created too so
  // the directory looks as LevelDB expects.
  tryLock (lockPath: string): boolean {
    fs.closeSync(fs.openSync(lockPath, 'a'))
    const pidPath = lockPath + PID_FILE_SUFFIX
    const mine = `${pidPath}.${process.pid}`
    fs.writeFileSync(mine, `${process.pid}\n`)
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        if (this.link(mine, pidPath)) {
          if (!this.liveReaderOf(lockPath)) return true
          fs.rmSync(pidPath, { force: true })
          return false
        }
        const owner = readOwner(pidPath)
        if (owner === undefined || isAlive(owner)) return false
        if (!this.moveAsideIfStale(pidPath, owner)) return false
      }
      return false
    } finally {
      fs.rmSync(mine, { force: true })
    }
  }

  release (lockPath: string): void {
    fs.rmSync(lockPath + PID_FILE_SUFFIX, { force: true })
  }

  // A reader's share of the lock, or undefined if a live writer holds it. Changes nothing on disk
  // where the directory cannot be written (see the top of this file).
  tryLockShared (lockPath: string): AcquiredLock | undefined {
    const mine = lockPath + READER_INFIX + String(process.pid)
    let registered = true
    try {
      fs.closeSync(fs.openSync(mine, 'wx'))
    } catch (err) {
      const code = errorCode(err)
      // EEXIST: a leftover of an earlier process that had this pid; this one takes it over.
      if (code !== undefined && NOT_WRITABLE.has(code)) registered = false
      else if (code !== 'EEXIST') throw err
    }
    const release = (): void => {
      if (!registered) return
      try {
        fs.rmSync(mine, { force: true })
      } catch (err) {
        // A leftover taken over in a directory this process cannot write stays; it is stale once this process is gone.
        if (!NOT_WRITABLE.has(errorCode(err) ?? '')) throw err
      }
    }
    const writer = readOwner(lockPath + PID_FILE_SUFFIX)
    if (writer !== undefined && isAlive(writer)) {
      release()
      return undefined
    }
    return { kind: this.kind, release }
  }

  // Whether a live process is registered as a reader; removes the registrations of dead ones.
  private liveReaderOf (lockPath: string): boolean {
    const dir = nodePath.dirname(lockPath)
    const prefix = nodePath.basename(lockPath) + READER_INFIX
    let live = false
    for (const name of fs.readdirSync(dir)) {
      if (!name.startsWith(prefix)) continue
      const file = nodePath.join(dir, name)
      // The name says whose it is: its content may not be written yet.
      const reader = Number(name.slice(prefix.length))
      if (Number.isSafeInteger(reader) && reader > 0 && isAlive(reader)) live = true
      else fs.rmSync(file, { force: true })
    }
    return live
  }

  private link (from: string, to: string): boolean {
    try {
      fs.linkSync(from, to)
      return true
    } catch (err) {
      if (errorCode(err) === 'EEXIST') return false
      throw err
    }
  }

  // Renames the pid file to a name of our own and removes it if it still names the stale owner;
  // if another opener replaced it in between with its own live lock, puts that one back.
  private moveAsideIfStale (pidPath: string, staleOwner: number): boolean {
    const aside = `${pidPath}.stale.${process.pid}`
    try {
      fs.renameSync(pidPath, aside)
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return true
      throw err
    }
    const owner = readOwner(aside)
    if (owner === staleOwner || owner === undefined || !isAlive(owner)) {
      fs.rmSync(aside, { force: true })
      return true
    }
    this.link(aside, pidPath)
    fs.rmSync(aside, { force: true })
    return false
  }
}
