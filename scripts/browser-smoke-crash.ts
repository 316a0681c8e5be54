// Crash recovery in a dedicated worker on OPFS, for scripts/browser-smoke.ts:
//   node dist/scripts/browser-smoke.js scripts/browser-smoke-crash.ts
// Run 0 writes keys in order and, after ACKNOWLEDGED_BEFORE_KILL acknowledged writes, asks the
// page to terminate it while it keeps writing (the kill lands mid-write). Run 1 reopens: every
// acknowledged key must be there, and the keys present must be a prefix of the order written.
import { AiLevel } from '../lib/browser/worker-engine'

const ACKNOWLEDGED_BEFORE_KILL = 30000

function key (i: number): string {
  return `key-${String(i).padStart(8, '0')}`
}

const scope = globalThis as unknown as { location: { search: string }, postMessage: (message: string) => void, navigator: { storage: { getDirectory: () => Promise<{ removeEntry: (name: string, options: { recursive: boolean }) => Promise<void> }> } } }

async function firstRun (): Promise<void> {
  const root = await scope.navigator.storage.getDirectory()
  await root.removeEntry('crash', { recursive: true }).catch(() => {})
  const db = new AiLevel<string, string>('crash', { writeBufferSize: 256 * 1024 })
  await db.open()
  for (let i = 0; ; i++) {
    await db.put(key(i), `value-${i}-${'y'.repeat(80)}`)
    if (i + 1 === ACKNOWLEDGED_BEFORE_KILL) {
      console.log(`run 0: ${i + 1} writes acknowledged; asking to be killed while writing`)
      scope.postMessage('restart')
    }
  }
}

async function secondRun (): Promise<void> {
  const db = new AiLevel<string, string>('crash')
  await db.open()
  let count = 0
  for await (const k of db.keys()) {
    if (k !== key(count)) throw new Error(`key ${count} is ${k}: not a prefix of what was written`)
    count++
  }
  console.log(`run 1: reopened after the kill with ${count} keys`)
  if (count < ACKNOWLEDGED_BEFORE_KILL) throw new Error(`only ${count} of ${ACKNOWLEDGED_BEFORE_KILL} acknowledged writes survived`)
  console.log(db.getProperty('leveldb.stats'))
  await db.put('after', 'crash')
  await db.close()
  const again = new AiLevel<string, string>('crash')
  await again.open()
  if (await again.get('after') !== 'crash') throw new Error('a write after recovery was lost')
  await again.close()
  console.log('SMOKE DONE every acknowledged write survived the kill')
}

const run = Number(new URLSearchParams(scope.location.search).get('run') ?? 0)
;(run === 0 ? firstRun() : secondRun()).catch(err => console.log(`SMOKE FAIL ${(err as Error).stack ?? String(err)}`))
