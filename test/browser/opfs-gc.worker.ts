// The OPFS Env while the worker's garbage collector runs between every task (run.ts starts
// Chromium with --expose-gc): Chromium drops the answer of createSyncAccessHandle() when the
// handle it was called on is collected first, so an Env that let such a handle go would leave
// opening a directory (eight spares, each a new sync access handle) pending for ever.
import './harness'
import tape from 'tape'
import { OpfsEnv } from '../../lib/browser/worker-engine'

const DIRECTORIES = 150
// Far longer than loading a directory takes on a loaded machine; a dropped answer never comes.
const LOAD_LIMIT_MS = 30000

const collect = (globalThis as { gc?: () => void }).gc

function within<T> (promise: Promise<T>, ms: number): Promise<T | 'timed out'> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<'timed out'>(resolve => { timer = setTimeout(() => resolve('timed out'), ms) })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

tape('OPFS Env: loading and releasing directories while the garbage collector runs between tasks', async (t) => {
  if (collect === undefined) {
    t.fail('gc() is not exposed: run.ts must start Chromium with --js-flags=--expose-gc')
    return
  }
  const gc = collect
  const collector = setInterval(() => { gc() }, 0)
  try {
    const env = new OpfsEnv()
    for (let i = 0; i < DIRECTORIES; i++) {
      const path = `gc-${i}`
      const loaded = await within(env.loadDirectory(path, true), LOAD_LIMIT_MS)
      t.notEqual(loaded, 'timed out', `directory ${path} loads within ${LOAD_LIMIT_MS / 1000} s`)
      if (loaded === 'timed out') return
      const lock = await env.lockFile(`${path}/LOCK`)
      t.notEqual(await within(env.unlockFile(lock), LOAD_LIMIT_MS), 'timed out', `and is released within ${LOAD_LIMIT_MS / 1000} s`)
    }
  } finally {
    clearInterval(collector)
  }
})
