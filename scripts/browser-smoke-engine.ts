// A smoke test of the engine in a dedicated worker on OPFS, for scripts/browser-smoke.ts:
//   node dist/scripts/browser-smoke.js scripts/browser-smoke-engine.ts
// Prints each check; ends with "SMOKE DONE" when all passed, "SMOKE FAIL ..." at the first failure.
import { AiLevel } from '../lib/browser/worker-engine'

function check (ok: boolean, what: string): void {
  if (!ok) throw new Error(`check failed: ${what}`)
  console.log(`ok ${what}`)
}

function key (i: number): string {
  return `key-${String(i).padStart(8, '0')}`
}

async function run (): Promise<void> {
  const root = await ((globalThis as unknown as { navigator: { storage: unknown } }).navigator.storage as { getDirectory: () => Promise<{ removeEntry: (name: string, options: { recursive: boolean }) => Promise<void> }> }).getDirectory()
  await root.removeEntry('smoke', { recursive: true }).catch(() => {})

  const db = new AiLevel<string, string>('smoke', { writeBufferSize: 256 * 1024 })
  await db.open()
  await db.put('a', '1')
  check(await db.get('a') === '1', 'put then get')
  check(db.getSync('a') === '1', 'getSync')
  const batch = []
  for (let i = 0; i < 20000; i++) batch.push({ type: 'put' as const, key: key(i), value: `value-${i}-${'x'.repeat(100)}` })
  for (let i = 0; i < batch.length; i += 500) await db.batch(batch.slice(i, i + 500))
  const stats = db.getProperty('leveldb.stats')
  console.log(stats)
  check(/^\s+0\s/m.test(stats) || stats.includes('Level'), 'stats readable')
  let count = 0
  for await (const [k] of db.iterator({ gte: 'key-', lt: 'key.' })) { if (k !== key(count)) throw new Error(`iterator order at ${count}: ${k}`); count++ }
  check(count === 20000, `iterated ${count} entries in order`)

  const second = new AiLevel('smoke')
  const locked = await second.open().then(() => 'opened', (err: { code?: string, cause?: { code?: string } }) => err.cause?.code ?? err.code)
  check(locked === 'LEVEL_LOCKED', `second open fails with LEVEL_LOCKED (${locked})`)

  await db.compactRange?.('key-', 'key.')
  await db.close()
  const again = new AiLevel<string, string>('smoke')
  await again.open()
  check(await again.get(key(12345)) === `value-12345-${'x'.repeat(100)}`, 'reopened with data intact')
  check(await again.get('a') === '1', 'first put survived')
  let after = 0
  for await (const _ of again.keys()) after++
  check(after === 20001, `reopened holds ${after} keys`)
  console.log(again.getProperty('leveldb.stats'))
  await again.close()
  console.log('SMOKE DONE')
}

function describe (err: unknown): string {
  const e = err as { stack?: string, code?: string, cause?: unknown }
  return `${e.code ?? ''} ${e.stack ?? String(err)}` + (e.cause === undefined ? '' : `\ncaused by: ${describe(e.cause)}`)
}

run().catch(err => console.log(`SMOKE FAIL ${describe(err)}`))
