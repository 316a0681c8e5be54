// How a database directory is locked. The kinds differ in what they keep out:
// - 'fcntl': an fcntl lock on LOCK (Linux open-file-description lock), which LevelDB and
//   classic-level also take, so each keeps the other out. Dies with its process.
// - 'flock' (macOS) and 'lockfileex' (Windows): the operating system's whole-file lock, taken by
//   the prebuilt addon; keeps other AiLevel processes out and dies with its process.
// - 'pid-file': a file LOCK.pid created exclusively and holding the owner's process id; keeps
//   other AiLevel processes on this machine out, and is stale once that process is gone. It does
//   not keep LevelDB or classic-level out.
// - 'opfs': an exclusive sync access handle on LOCK in the browser's Origin Private File System
//   (opfs-env.ts); keeps other tabs and workers out and dies with its worker.
export type LockKind = 'fcntl' | 'flock' | 'lockfileex' | 'pid-file' | 'opfs'

// An operating-system lock held on an open descriptor of the lock file; closing it releases the lock.
export interface DescriptorLock {
  readonly kind: LockKind
  // Takes an exclusive lock without waiting: false if another holder has it.
  tryLock (fd: number): boolean
}

// Codes an OS reports when a lock is held by someone else.
export const LOCK_BUSY_CODES = new Set(['EACCES', 'EAGAIN', 'EBUSY', 'EWOULDBLOCK'])
