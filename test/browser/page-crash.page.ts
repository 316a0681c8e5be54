// A page closed mid-write loses nothing it acknowledged (run.ts drives the pages). 'write' opens
// the database through AiLevelWorker, as an application's page would, and writes key after key
// with sync: true, handing the number of each acknowledged write to the runner, which closes the
// page while it keeps writing. 'verify', on a new page of the same origin, reopens the database
// (waiting with lockTimeout until the browser has released the closed page's handles) and checks
// that every write up to the `acknowledged` parameter is there and that the keys present are a
// prefix of the order written.
import './harness'
import tape from 'tape'
import { AiLevelWorker } from '../../lib/browser/worker-client'
import type { PutOptions } from '../../lib/level/options'
import { params, sendData, step } from './harness'
import { startWorker } from './browser-scope'
import { crashKey, crashValue } from './crash-data'

const LOCATION = 'page-crash'
const RELEASE_WAIT_MS = 10_000
// AiLevelWorker hands `sync` to the engine; its put() is typed with abstract-level's options, of which ai-level's are a subtype.
const SYNC: PutOptions<string, string> = { sync: true }

function open (): AiLevelWorker<string, string> {
  // Small memtables, so the log rolls into tables before the page is closed.
  return new AiLevelWorker<string, string>(LOCATION, { worker: () => startWorker('entry-host.worker'), writeBufferSize: 64 * 1024, lockTimeout: RELEASE_WAIT_MS })
}

tape(`page closed mid-write: ${step}`, async (t) => {
  const db = open()
  await db.open()
  if (step === 'write') {
    t.pass('the writing page opened the database')
    // Runs until the runner closes the page; the run ends for the runner when it has seen enough.
    for (let i = 0; ; i++) {
      await db.put(crashKey(i), crashValue(i), SYNC)
      sendData({ acknowledged: i })
    }
  }
  const acknowledged = Number(params.get('acknowledged'))
  const entries = await db.iterator().all()
  let prefix = 0
  while (prefix < entries.length && entries[prefix][0] === crashKey(prefix) && entries[prefix][1] === crashValue(prefix)) prefix++
  t.is(prefix, entries.length, `the ${entries.length} entries after recovery are a prefix of the order written`)
  t.ok(entries.length > acknowledged, `every acknowledged write is there (${entries.length} entries, last acknowledged ${acknowledged})`)
  await db.close()
})
