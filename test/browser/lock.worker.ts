// A second page gets LEVEL_LOCKED, or waits with lockTimeout (run.ts drives the pages): 'hold'
// opens the database and keeps it open while its page lives; 'second', on another page of the
// same origin, must be refused with LEVEL_LOCKED through AiLevel in its worker, at once without
// lockTimeout and after waiting with a short one; 'wait' tells the runner it is about to wait, opens
// with a long lockTimeout while the runner closes the holding page, and must get in and find what
// the holder wrote.
import './harness'
import tape from 'tape'
import { AiLevel } from '../../lib/browser/worker-engine'
import { sendData, step } from './harness'
import { innermostCode, rejection } from './browser-scope'

const LOCATION = 'locked'
const SHORT_TIMEOUT_MS = 200
// Long enough for the runner to close the holding page and the browser to release its handles.
const LONG_TIMEOUT_MS = 20_000

async function refusal (t: tape.Test, lockTimeout: number): Promise<void> {
  const db = new AiLevel<string, string>(LOCATION, { lockTimeout })
  const started = Date.now()
  const error = await rejection(db.open())
  const waited = Date.now() - started
  t.is(innermostCode(error), 'LEVEL_LOCKED', `with lockTimeout ${lockTimeout}, a second page's open fails with LEVEL_LOCKED after ${waited} ms (${String((error as Error | undefined)?.message)})`)
  if (lockTimeout > 0) t.ok(waited >= lockTimeout - 50, `having waited its ${lockTimeout} ms`)
  t.is(db.status, 'closed', 'and leaves its database closed')
}

tape(`lock: ${step}`, async (t) => {
  if (step === 'hold') {
    const db = new AiLevel<string, string>(LOCATION)
    await db.open()
    await db.put('holder', 'first page')
    t.pass('the first page holds the database open')
    // Left open: the page keeps the worker, and so the lock, until run.ts closes it.
  } else if (step === 'second') {
    await refusal(t, 0)
    await refusal(t, SHORT_TIMEOUT_MS)
  } else {
    const db = new AiLevel<string, string>(LOCATION, { lockTimeout: LONG_TIMEOUT_MS })
    sendData('waiting')
    const started = Date.now()
    await db.open()
    t.pass(`opens with lockTimeout once the holding page is closed (after ${Date.now() - started} ms)`)
    t.is(await db.get('holder'), 'first page', 'and finds what it wrote')
    await db.close()
  }
})
