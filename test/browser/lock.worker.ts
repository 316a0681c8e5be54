// A second page gets LEVEL_LOCKED (run.ts drives the pages): 'hold' opens the database and keeps
// it open while its page lives; 'second', on another page of the same origin, must be refused
// with LEVEL_LOCKED, through AiLevel in its worker; 'after' runs once the holding page is closed
// and must open the database and find what the holder wrote.
import './harness'
import tape from 'tape'
import { AiLevel } from '../../lib/browser/worker-engine'
import { step } from './harness'
import { innermostCode, rejection } from './browser-scope'

const LOCATION = 'locked'

tape(`lock: ${step}`, async (t) => {
  const db = new AiLevel<string, string>(LOCATION)
  if (step === 'hold') {
    await db.open()
    await db.put('holder', 'first page')
    t.pass('the first page holds the database open')
    // Left open: the page keeps the worker, and so the lock, until run.ts closes it.
  } else if (step === 'second') {
    const error = await rejection(db.open())
    t.is(innermostCode(error), 'LEVEL_LOCKED', `a second page's open fails with LEVEL_LOCKED (${String((error as Error | undefined)?.message)})`)
    t.is(db.status, 'closed', 'and leaves its database closed')
  } else {
    await db.open()
    t.is(await db.get('holder'), 'first page', 'opens once the holding page is gone, with what it wrote')
    await db.close()
  }
})
