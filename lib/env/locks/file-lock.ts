// Locks a database's LOCK file with the best lock this runtime can take, and keeps the table of
// locks this process holds.
// Invariants: `held` has one entry per lock file this process holds a lock on, keyed on its real
// path (so a directory reached through a symlink is the same directory), added before the lock is
// taken and removed when its last holder releases it or it could not be taken. An exclusive entry
// has one holder; a shared one counts its holders, who share one lock taken from the operating
// system. Every descriptor opened for a lock is closed on release or on failure.
import fs from 'node:fs'
import nodePath from 'node:path'
import { loadAddonLock } from './addon-lock'
import { loadFfiLock } from './ffi-lock'
import { LOCK_BUSY_CODES, type AcquiredLock, type DescriptorLock, type LockKind, type LockMode } from './lock-kind'
import { PidFileLocker } from './pid-file-lock'

// One way of taking the lock: `acquire` returns the lock, or undefined if another holder has it.
// Throws on other failures.
export interface LockStrategy {
  readonly kind: LockKind
  acquire (lockPath: string, mode: LockMode): AcquiredLock | undefined
}

const NO_LOCK: AcquiredLock = { kind: 'none', release: () => {} }

// An exclusive lock creates LOCK if missing, as LevelDB does. A shared one opens LOCK read-only
// and creates nothing; where there is no LOCK it holds no lock at all ('none'): every writer
// (LevelDB, classic-level, AiLevel) creates LOCK and none removes it, so a directory without one
// has never had a writer open, and the read-only open that finds it so must not change that.
export function descriptorLockStrategy (lock: DescriptorLock): LockStrategy {
  return {
    kind: lock.kind,
    acquire (lockPath, mode) {
      let fd: number
      try {
        fd = mode === 'shared' ? fs.openSync(lockPath, fs.constants.O_RDONLY) : fs.openSync(lockPath, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644)
      } catch (err) {
        if (mode === 'shared' && (err as NodeJS.ErrnoException).code === 'ENOENT') return NO_LOCK
        throw err
      }
      let locked = false
      try {
        locked = lock.tryLock(fd, mode)
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code
        if (code === undefined || !LOCK_BUSY_CODES.has(code)) {
          fs.closeSync(fd)
          throw err
        }
      }
      if (!locked) {
        fs.closeSync(fd)
        return undefined
      }
      // Closing the descriptor releases the lock.
      return { kind: lock.kind, release: () => fs.closeSync(fd) }
    }
  }
}

export function pidFileLockStrategy (): LockStrategy {
  const locker = new PidFileLocker()
  return {
    kind: locker.kind,
    acquire (lockPath, mode) {
      if (mode === 'shared') return locker.tryLockShared(lockPath)
      return locker.tryLock(lockPath) ? { kind: locker.kind, release: () => locker.release(lockPath) } : undefined
    }
  }
}

// The operating system's lock if this runtime can take one: the prebuilt addon under Node, libc
// through FFI under Bun and Deno.
export function osLockStrategy (): LockStrategy | undefined {
  const runtime = globalThis as { Bun?: unknown, Deno?: unknown }
  const lock = runtime.Bun === undefined && runtime.Deno === undefined ? loadAddonLock() : loadFfiLock()
  return lock === undefined ? undefined : descriptorLockStrategy(lock)
}

let bestStrategy: LockStrategy | undefined

// Chosen once per process, on the first lock.
export function bestLockStrategy (): LockStrategy {
  bestStrategy ??= osLockStrategy() ?? pidFileLockStrategy()
  return bestStrategy
}

interface HeldEntry {
  readonly mode: LockMode
  holders: number
  acquired: AcquiredLock
}

const held = new Map<string, HeldEntry>()

export interface HeldLock {
  readonly path: string
  readonly kind: LockKind
  readonly mode: LockMode
  readonly release: () => void
}

export type LockOutcome = { held: HeldLock } | { busy: 'process' | 'other' }

// The lock file's directory must exist. Shared locks of this process share one entry; any other
// pair of locks on one file in one process conflict.
export function acquireLock (lockPath: string, strategy: LockStrategy, mode: LockMode = 'exclusive'): LockOutcome {
  const key = nodePath.join(fs.realpathSync(nodePath.dirname(lockPath)), nodePath.basename(lockPath))
  const existing = held.get(key)
  if (existing !== undefined) {
    if (mode !== 'shared' || existing.mode !== 'shared') return { busy: 'process' }
    existing.holders++
    return { held: heldLock(key, existing) }
  }
  const entry: HeldEntry = { mode, holders: 1, acquired: NO_LOCK }
  held.set(key, entry)
  let acquired: AcquiredLock | undefined
  try {
    acquired = strategy.acquire(key, mode)
  } finally {
    if (acquired === undefined) held.delete(key)
  }
  if (acquired === undefined) return { busy: 'other' }
  entry.acquired = acquired
  return { held: heldLock(key, entry) }
}

// Each holder releases once; the last one releases the operating system's lock.
function heldLock (key: string, entry: HeldEntry): HeldLock {
  let released = false
  return {
    path: key,
    kind: entry.acquired.kind,
    mode: entry.mode,
    release: () => {
      if (released) return
      released = true
      if (--entry.holders > 0) return
      try {
        entry.acquired.release()
      } finally {
        held.delete(key)
      }
    }
  }
}
