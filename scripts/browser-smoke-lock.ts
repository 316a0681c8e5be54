// LOCK across workers, for scripts/browser-smoke.ts:
//   node dist/scripts/browser-smoke.js scripts/browser-smoke-lock.ts
// Run 0 opens a database and starts a second worker beside it (run 1), which must get
// LEVEL_LOCKED; run 0 then closes it and run 1 opens it.
import { AiLevel } from '../lib/browser/worker-engine'

const scope = globalThis as unknown as { location: { search: string }, postMessage: (message: string) => void, addEventListener: (type: string, listener: (event: { data: unknown }) => void) => void }
const channel = new BroadcastChannel('smoke-lock')

async function holder (): Promise<void> {
  const db = new AiLevel<string, string>('locked')
  await db.open()
  await db.put('held', 'by run 0')
  channel.onmessage = async event => {
    if (event.data !== 'refused') return
    await db.close()
    console.log('run 0: closed')
    channel.postMessage('closed')
  }
  scope.postMessage('another')
}

async function second (): Promise<void> {
  const refused = await new AiLevel('locked').open().then(() => 'opened', (err: { code?: string, cause?: { code?: string, message?: string } }) => `${err.cause?.code ?? err.code}: ${err.cause?.message}`)
  console.log(`run 1: open while run 0 holds it: ${refused}`)
  if (!refused.startsWith('LEVEL_LOCKED')) throw new Error('a second worker opened a held database')
  channel.onmessage = async event => {
    if (event.data !== 'closed') return
    const db = new AiLevel<string, string>('locked')
    await db.open()
    const value = await db.get('held')
    await db.close()
    if (value !== 'by run 0') throw new Error(`read ${value}`)
    console.log('SMOKE DONE the second worker got LEVEL_LOCKED, then opened the database once the first closed it')
  }
  channel.postMessage('refused')
}

const run = Number(new URLSearchParams(scope.location.search).get('run') ?? 0)
;(run === 0 ? holder() : second()).catch(err => console.log(`SMOKE FAIL ${(err as Error).stack ?? String(err)}`))
