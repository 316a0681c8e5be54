// The platform in a browser (see platform.ts): replaces ./node in bundles built with
// scripts/build-browser.ts. The default Env is the Origin Private File System (opfs-env.ts), which
// works in a dedicated worker. Flushes and compactions of a database on an OpfsEnv run in a job
// worker started from that worker (compaction/browser-job-runner.ts) where the browser allows it,
// else on the calling thread in time slices, with the reason in the database's LOG.
import { OpfsEnv } from '../env/opfs-env'
import { BrowserJobRunner } from '../compaction/browser-job-runner'
import type { PathOps, Platform } from './platform'
import { copyToView, utf8Slice } from './browser-text'

// Database locations are paths of directory names under the OPFS root: 'a/b' and '/a/b' are the
// same directory, and there is no current directory but the root.
function normalize (path: string): string {
  const parts: string[] = []
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..') parts.pop()
    else parts.push(part)
  }
  return parts.join('/')
}

const posixPath: PathOps = {
  sep: '/',
  resolve: (...paths) => {
    let resolved = ''
    for (const p of paths) resolved = p.startsWith('/') ? p : `${resolved}/${p}`
    return '/' + normalize(resolved)
  },
  join: (...paths) => {
    const joined = normalize(paths.filter(p => p !== '').join('/'))
    return paths[0]?.startsWith('/') === true ? '/' + joined : joined === '' ? '.' : joined
  },
  basename: path => normalize(path).split('/').pop() ?? '',
  dirname: path => {
    const parts = normalize(path).split('/')
    parts.pop()
    const dir = parts.join('/')
    return path.startsWith('/') ? '/' + dir : dir === '' ? '.' : dir
  }
}

// A task queued behind everything already queued, without setTimeout's minimum delay.
function setImmediateViaChannel (): (fn: () => void) => void {
  const waiting: Array<() => void> = []
  // The DOM's MessageChannel (the project compiles with Node's types).
  const channel = new MessageChannel() as unknown as { port1: { onmessage: () => void }, port2: { postMessage: (message: null) => void } }
  channel.port1.onmessage = () => { waiting.shift()?.() }
  return fn => {
    waiting.push(fn)
    channel.port2.postMessage(null)
  }
}

const setImmediateTask = setImmediateViaChannel()

export const platform: Platform = {
  path: posixPath,
  defaultEnv: new OpfsEnv(),
  setImmediate: setImmediateTask,
  nextTick: fn => { queueMicrotask(fn) },
  nextMacrotask: () => new Promise(resolve => setImmediateTask(() => resolve())),
  newSharedMemory: size => typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(size) : new ArrayBuffer(size),
  // Only an OpfsEnv's files can be opened from the job worker; the runner itself falls back to the
  // calling thread (and says why) where the job worker cannot run.
  canRunJobsInWorker: env => env instanceof OpfsEnv,
  newWorkerJobRunner: (env, fileNumbers, hooks) => new BrowserJobRunner(env as OpfsEnv, fileNumbers, hooks),
  // Native decoding and copies (browser-text.ts): the `buffer` shim's are JavaScript.
  utf8Slice,
  copyToBuffer: (bytes, start, end) => {
    const copy = copyToView(bytes, start, end)
    return Buffer.from(copy.buffer, 0, copy.length)
  },
  copyToView
}

export const path = platform.path
