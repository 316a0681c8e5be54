// A worker killed mid-write recovers on reopen with nothing acknowledged lost. A dedicated worker
// (crash-writer.worker.ts) writes with sync: true and tells the page of each acknowledged write;
// the page terminates it while it keeps writing, then reopens the database through AiLevelWorker
// and checks that every acknowledged key is there and that the keys present are a prefix of the
// order written. Twice: the second kill lands on a database that already recovered once.
import './harness'
import tape from 'tape'
import { AiLevelWorker } from '../../lib/browser/worker-client'
import { startWorker } from './browser-scope'
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
// open right after it can find LOCK still held: the reopen waits for that with lockTimeout.
const RELEASE_WAIT_MS = 10_000

for (const round of [1, 2]) {
  tape(`crash: worker terminated mid-write, round ${round}`, async (t) => {
    const last = await killWhileWriting(round * ACKNOWLEDGED_BEFORE_KILL)
    t.pass(`terminated after write ${last} was acknowledged`)
    const db = new AiLevelWorker<string, string>(CRASH_LOCATION, { worker: () => startWorker('entry-host.worker'), lockTimeout: RELEASE_WAIT_MS })
    const started = Date.now()
    await db.open()
    t.pass(`reopened with lockTimeout (in ${Date.now() - started} ms, while the killed worker's handles were released)`)
    const entries = await db.iterator().all()
    let prefix = 0
    while (prefix < entries.length && entries[prefix][0] === crashKey(prefix) && entries[prefix][1] === crashValue(prefix)) prefix++
    t.is(prefix, entries.length, `the ${entries.length} entries after recovery are a prefix of the order written`)
    t.ok(entries.length > last, `every acknowledged write is there (${entries.length} entries, last acknowledged ${last})`)
    await db.close()
  })
}
