// Node's lock through the optional prebuilt addon `fs-native-extensions` (F_OFD_SETLK on Linux,
// flock on macOS, LockFileEx on Windows), exclusive or shared (F_RDLCK, LOCK_SH, a shared
// LockFileEx). Its binding calls libuv, which Bun and Deno do not provide, so it is only loaded
// under Node.
import type { DescriptorLock, LockKind } from './lock-kind'

interface NativeExtensions {
  tryLock (fd: number, offset: number, length: number, options: { shared: boolean }): boolean
}

function platformKind (): LockKind {
  if (process.platform === 'win32') return 'lockfileex'
  if (process.platform === 'linux' || process.platform === 'android') return 'fcntl'
  return 'flock'
}

// Undefined when the addon is not installed or has no prebuilt binary for this platform.
export function loadAddonLock (): DescriptorLock | undefined {
  let native: NativeExtensions
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- an optional dependency, loaded only if present
    native = require('fs-native-extensions') as NativeExtensions
  } catch {
    return undefined
  }
  return {
    kind: platformKind(),
    tryLock: (fd, mode) => native.tryLock(fd, 0, 0, { shared: mode === 'shared' })
  }
}
