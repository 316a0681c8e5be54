// A worker killed mid-write recovers on reopen with nothing acknowledged lost. A dedicated worker
// (crash-writer.worker.ts) writes with sync: true and tells the page of each acknowledged write;
// the page terminates it while it keeps writing, then reopens the database through AiLevelWorker
// and checks that every acknowledged key is there and that the keys present are a prefix of the
// order written. Twice: the second kill lands on a database that already recovered once.
import './harness'
import tape from 'tape'
import { AiLevelWorker } from '../../lib/browser/worker-client'
import { innermostCode, rejection, startWorker } from './browser-scope'
import { crashKey, crashValue, CRASH_LOCATION } from './crash-data'

// Enough for the log to have rolled into tables (64 KiB memtables, ~90-byte entries).
const ACKNOWLEDGED_BEFORE_KILL = 1500

function killWhileWriting (minimum: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const writer = startWorker('crash-writer.worker')
    let acknowledged = -1
    writer.addEventListener('message', event => {
      const message = event.data as { acknowledged?: number, error?: string }
      if (message.error !== undefined) reject(new Error(message.error))
      if (message.acknowledged === undefined) return
      acknowledged = message.acknowledged
      if (acknowledged + 1 === minimum) {
        writer.terminate()
        resolve(acknowledged)
      }
    })
    writer.addEventListener('error', event => reject(new Error(`writer failed: ${String(event.message)}`)))
  })
}

// terminate() returns before the browser releases the killed worker's sync access handles, so an
// open right after it can find LOCK still held: retry that (only that) for a bounded time.
const RELEASE_WAIT_MS = 10_000

async function openOnceReleased (db: AiLevelWorker<string, string>): Promise<number> {
  const deadline = Date.now() + RELEASE_WAIT_MS
  for (let refusals = 0; ; refusals++) {
    const error = await rejection(db.open())
    if (error === undefined) return refusals
    if (innermostCode(error) !== 'LEVEL_LOCKED' || Date.now() > deadline) throw error
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

for (const round of [1, 2]) {
  tape(`crash: worker terminated mid-write, round ${round}`, async (t) => {
    const last = await killWhileWriting(round * ACKNOWLEDGED_BEFORE_KILL)
    t.pass(`terminated after write ${last} was acknowledged`)
    const db = new AiLevelWorker<string, string>(CRASH_LOCATION, { worker: () => startWorker('entry-host.worker') })
    const refusals = await openOnceReleased(db)
    t.pass(`reopened (${refusals} LEVEL_LOCKED refusals while the killed worker's handles were released)`)
    const entries = await db.iterator().all()
    let prefix = 0
    while (prefix < entries.length && entries[prefix][0] === crashKey(prefix) && entries[prefix][1] === crashValue(prefix)) prefix++
    t.is(prefix, entries.length, `the ${entries.length} entries after recovery are a prefix of the order written`)
    t.ok(entries.length > last, `every acknowledged write is there (${entries.length} entries, last acknowledged ${last})`)
    await db.close()
  })
}
