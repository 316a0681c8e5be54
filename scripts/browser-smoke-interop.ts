// The same files both ways, for scripts/browser-smoke.ts with a files directory holding a database
// written in Node (by classic-level, say):
//   node dist/scripts/browser-smoke.js scripts/browser-smoke-interop.ts 120000 <dbDir>
// Imports it into OPFS, opens it with AiLevel, checks and adds entries, closes, exports it and
// uploads the files into <dbDir>/uploaded, for Node to open.
import { AiLevel, exportDirectory, importDirectory } from '../lib/browser/worker-engine'

const scope = globalThis as unknown as { navigator: { storage: { getDirectory: () => Promise<{ removeEntry: (name: string, options: { recursive: boolean }) => Promise<void> }> } } }

async function run (): Promise<void> {
  const root = await scope.navigator.storage.getDirectory()
  await root.removeEntry('interop', { recursive: true }).catch(() => {})
  const names = await (await fetch('/files/')).json() as string[]
  const files = await Promise.all(names.map(async name => ({ name, bytes: new Uint8Array(await (await fetch(`/files/${name}`)).arrayBuffer()) })))
  await importDirectory('interop', files)
  console.log(`imported ${files.length} files: ${names.join(' ')}`)
  const db = new AiLevel<string, string>('interop')
  await db.open()
  const entries = await db.iterator().all()
  console.log(`read ${entries.length} entries written in Node; first ${JSON.stringify(entries[0])}, last ${JSON.stringify(entries[entries.length - 1])}`)
  if (entries.length === 0) throw new Error('nothing read')
  const batch = []
  for (let i = 0; i < 5000; i++) batch.push({ type: 'put' as const, key: `browser-${String(i).padStart(5, '0')}`, value: `from chromium ${i}` })
  await db.batch(batch)
  await db.close()
  const exported = await exportDirectory('interop')
  for (const file of exported) {
    const response = await fetch(`/uploaded/${file.name}`, { method: 'PUT', body: file.bytes })
    if (!response.ok) throw new Error(`upload of ${file.name} failed: ${response.status}`)
  }
  console.log(`SMOKE DONE exported ${exported.length} files: ${exported.map(file => file.name).join(' ')}`)
}

run().catch(err => console.log(`SMOKE FAIL ${(err as Error).stack ?? String(err)}`))
