// An fcntl lock taken by calling libc through the runtime's foreign-function interface, for Bun
// (bun:ffi) and Deno (Deno.dlopen, with --allow-ffi), where the Node addon cannot load. Linux on
// x64 and arm64 only: there `struct flock` and F_OFD_SETLK are the same on both, and fcntl's
// variadic third argument is passed like a fixed one, which an FFI call without varargs needs.
// F_OFD_SETLK conflicts with LevelDB's F_SETLK, so classic-level and AiLevel keep each other out;
// a shared lock (F_RDLCK) keeps out only exclusive ones.
import type { DescriptorLock } from './lock-kind'

const F_OFD_SETLK = 37
const F_RDLCK = 0
const F_WRLCK = 1
// short l_type, short l_whence, off_t l_start, off_t l_len, pid_t l_pid (must be 0 for OFD locks).
const STRUCT_FLOCK_SIZE = 32
const EAGAIN = 11
const EACCES = 13
const LIBC_NAMES = ['libc.so.6', `libc.musl-${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}.so.1`, 'libc.so']

// What the lock needs from libc: fcntl, and errno when it fails.
interface LibcCalls {
  fcntl (fd: number, cmd: number, arg: Uint8Array): number
  errno (): number
}

interface BunFFI {
  dlopen (name: string, symbols: Record<string, { args: string[], returns: string }>): {
    symbols: { fcntl (fd: number, cmd: number, arg: Uint8Array): number, __errno_location (): unknown }
  }
  read: { i32 (pointer: unknown, offset: number): number }
}

interface DenoFFI {
  dlopen (name: string, symbols: Record<string, { parameters: string[], result: string }>): {
    symbols: { fcntl (fd: number, cmd: number, arg: Uint8Array): number, __errno_location (): unknown }
  }
  UnsafePointerView: new (pointer: unknown) => { getInt32 (offset: number): number }
  permissions: { querySync (descriptor: { name: string }): { state: string } }
}

function firstLibc<T> (open: (name: string) => T): T | undefined {
  for (const name of LIBC_NAMES) {
    try {
      return open(name)
    } catch {
      // Not this libc's name; try the next.
    }
  }
  return undefined
}

function bunLibc (): LibcCalls | undefined {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- only resolvable under Bun
  const ffi = require('bun:ffi') as BunFFI
  const lib = firstLibc(name => ffi.dlopen(name, {
    fcntl: { args: ['i32', 'i32', 'ptr'], returns: 'i32' },
    __errno_location: { args: [], returns: 'ptr' }
  }))
  if (lib === undefined) return undefined
  return {
    fcntl: (fd, cmd, arg) => lib.symbols.fcntl(fd, cmd, arg),
    errno: () => ffi.read.i32(lib.symbols.__errno_location(), 0)
  }
}

function denoLibc (deno: DenoFFI): LibcCalls | undefined {
  // Asking for a permission not granted would prompt, or throw; check first.
  if (deno.permissions.querySync({ name: 'ffi' }).state !== 'granted') return undefined
  const lib = firstLibc(name => deno.dlopen(name, {
    fcntl: { parameters: ['i32', 'i32', 'buffer'], result: 'i32' },
    __errno_location: { parameters: [], result: 'pointer' }
  }))
  if (lib === undefined) return undefined
  return {
    fcntl: (fd, cmd, arg) => lib.symbols.fcntl(fd, cmd, arg),
    errno: () => new deno.UnsafePointerView(lib.symbols.__errno_location()).getInt32(0)
  }
}

function lockWith (libc: LibcCalls): DescriptorLock {
  return {
    kind: 'fcntl',
    tryLock (fd, mode) {
      const request = new Uint8Array(STRUCT_FLOCK_SIZE)
      new DataView(request.buffer).setInt16(0, mode === 'shared' ? F_RDLCK : F_WRLCK, true)
      if (libc.fcntl(fd, F_OFD_SETLK, request) === 0) return true
      const errno = libc.errno()
      if (errno === EAGAIN || errno === EACCES) return false
      throw Object.assign(new Error(`fcntl(F_OFD_SETLK) failed with errno ${errno}`), { errno })
    }
  }
}

// Undefined when this runtime, platform or permission set offers no FFI fcntl.
export function loadFfiLock (): DescriptorLock | undefined {
  if (process.platform !== 'linux' || (process.arch !== 'x64' && process.arch !== 'arm64')) return undefined
  const runtime = globalThis as { Bun?: unknown, Deno?: DenoFFI }
  try {
    const libc = runtime.Bun !== undefined ? bunLibc() : runtime.Deno !== undefined ? denoLibc(runtime.Deno) : undefined
    return libc === undefined ? undefined : lockWith(libc)
  } catch {
    return undefined
  }
}
