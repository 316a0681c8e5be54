// Locks a database's LOCK file with the best lock this runtime can take, and keeps the table of
// locks this process holds.
// Invariants: `held` has one entry per lock this process holds, keyed on the real path of the
// lock file (so a directory reached through a symlink is the same directory), added before the
// lock is taken and removed when it is released or could not be taken. Every descriptor opened
// for a lock is closed on release or on failure.
import fs from 'node:fs'
import nodePath from 'node:path'
import { loadAddonLock } from './addon-lock'
import { loadFfiLock } from './ffi-lock'
import { LOCK_BUSY_CODES, type DescriptorLock, type LockKind } from './lock-kind'
import { PidFileLocker } from './pid-file-lock'

// One way of taking the lock: `acquire` returns the function that releases it, or undefined if
// another holder has it. Throws on other failures.
export interface LockStrategy {
  readonly kind: LockKind
  acquire (lockPath: string): (() => void) | undefined
}

export function descriptorLockStrategy (lock: DescriptorLock): LockStrategy {
  return {
    kind: lock.kind,
    acquire (lockPath) {
      const fd = fs.openSync(lockPath, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644)
      let locked = false
      try {
        locked = lock.tryLock(fd)
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
      return () => fs.closeSync(fd)
    }
  }
}

export function pidFileLockStrategy (): LockStrategy {
  const locker = new PidFileLocker()
  return {
    kind: locker.kind,
    acquire: (lockPath) => locker.tryLock(lockPath) ? () => locker.release(lockPath) : undefined
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

const held = new Set<string>()

export interface HeldLock {
  readonly path: string
  readonly kind: LockKind
  readonly release: () => void
}

export type LockOutcome = { held: HeldLock } | { busy: 'process' | 'other' }

// The lock file's directory must exist.
export function acquireLock (lockPath: string, strategy: LockStrategy): LockOutcome {
  const key = nodePath.join(fs.realpathSync(nodePath.dirname(lockPath)), nodePath.basename(lockPath))
  if (held.has(key)) return { busy: 'process' }
  held.add(key)
  let release: (() => void) | undefined
  try {
    release = strategy.acquire(key)
  } finally {
    if (release === undefined) held.delete(key)
  }
  if (release === undefined) return { busy: 'other' }
  const releaseOs = release
  return {
    held: {
      path: key,
      kind: strategy.kind,
      release: () => {
        try {
          releaseOs()
        } finally {
          held.delete(key)
        }
      }
    }
  }
}
