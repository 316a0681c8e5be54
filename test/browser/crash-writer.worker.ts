// The writer of crash.page.ts: writes key after key with sync: true and tells the page the number
// of each write once it is acknowledged, until the page terminates it.
import { AiLevel } from '../../lib/browser/worker-engine'
import { browser } from './browser-scope'
import { crashKey, crashValue, CRASH_LOCATION } from './crash-data'

async function write (): Promise<void> {
  const db = new AiLevel<string, string>(CRASH_LOCATION, { writeBufferSize: 64 * 1024 })
  await db.open()
  for (let i = 0; ; i++) {
    await db.put(crashKey(i), crashValue(i), { sync: true })
    browser.postMessage({ acknowledged: i })
  }
}

write().catch((error: unknown) => browser.postMessage({ error: String((error as Error).stack ?? error) }))
