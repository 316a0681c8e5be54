// Persistence across page reloads (run.ts reloads the page between steps): 'write' fills a
// database past several memtables so it has tables and a log, and closes it; 'reopen' (a new page
// load, a new worker) finds every entry, changes some and closes; 'verify' finds the changes.
import './harness'
import tape from 'tape'
import { AiLevel } from '../../lib/browser/worker-engine'
import { step } from './harness'

const LOCATION = 'persistence'
const KEYS = 4000
const VALUE_PAD = 'v'.repeat(100)

const key = (i: number): string => `key-${String(i).padStart(6, '0')}`
const value = (i: number, round: number): string => `${round}-${i}-${VALUE_PAD}`

// After 'reopen': even keys rewritten in round 1, every third key deleted.
function expected (afterReopen: boolean): Array<[string, string]> {
  const entries: Array<[string, string]> = []
  for (let i = 0; i < KEYS; i++) {
    if (afterReopen && i % 3 === 0) continue
    entries.push([key(i), value(i, afterReopen && i % 2 === 0 ? 1 : 0)])
  }
  return entries
}

tape(`persistence across reloads: ${step}`, async (t) => {
  const db = new AiLevel<string, string>(LOCATION, { createIfMissing: step === 'write', writeBufferSize: 64 * 1024 })
  await db.open()
  if (step === 'write') {
    for (let i = 0; i < KEYS; i += 100) {
      await db.batch(Array.from({ length: 100 }, (_, j) => ({ type: 'put' as const, key: key(i + j), value: value(i + j, 0) })))
    }
    t.same(await db.iterator().all(), expected(false), 'written')
  } else if (step === 'reopen') {
    t.same(await db.iterator().all(), expected(false), 'every entry written before the reload')
    const ops: Array<{ type: 'put', key: string, value: string } | { type: 'del', key: string }> = []
    for (let i = 0; i < KEYS; i++) {
      if (i % 3 === 0) ops.push({ type: 'del', key: key(i) })
      else if (i % 2 === 0) ops.push({ type: 'put', key: key(i), value: value(i, 1) })
    }
    await db.batch(ops)
  } else {
    t.same(await db.iterator().all(), expected(true), 'every change made before the second reload')
    t.is(await db.get(key(0)), undefined, 'a deleted key stays deleted')
    t.is(await db.get(key(2)), value(2, 1), 'a rewritten key has its new value')
  }
  await db.close()
})
