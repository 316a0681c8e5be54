// The same files both ways (run.ts drives it). 'import': the directories Node wrote with ai-level
// and with classic-level (served at /files/<writer>/) go into OPFS with importDirectory, and
// AiLevel reads every entry. 'export': AiLevel writes a database in OPFS, exportDirectory takes
// its files, and they go to run.ts, which opens them in Node with ai-level and classic-level.
import './harness'
import tape from 'tape'
import { AiLevel, exportDirectory, importDirectory } from '../../lib/browser/worker-engine'
import { sendData, step } from './harness'
import { BROWSER_WRITER, fileBatches, fileEntries, NODE_WRITERS } from './files-data'

async function fetchFiles (writer: string): Promise<Array<{ name: string, bytes: Uint8Array }>> {
  const names = await (await fetch(`/files/${writer}/`)).json() as string[]
  return Promise.all(names.map(async name => ({ name, bytes: new Uint8Array(await (await fetch(`/files/${writer}/${name}`)).arrayBuffer()) })))
}

if (step === 'import') {
  for (const writer of NODE_WRITERS) {
    tape(`files: a directory written in Node by ${writer} opens in the browser`, async (t) => {
      const files = await fetchFiles(writer)
      t.ok(files.some(file => file.name.endsWith('.ldb')), `it has tables (${files.map(file => file.name).join(' ')})`)
      await importDirectory(`from-${writer}`, files)
      const db = new AiLevel<string, string>(`from-${writer}`, { createIfMissing: false })
      await db.open()
      t.same(await db.iterator().all(), fileEntries(writer), 'every entry, in order')
      await db.close()
    })
  }
} else {
  tape('files: a directory written in the browser leaves for Node', async (t) => {
    const db = new AiLevel<string, string>('to-node', { writeBufferSize: 64 * 1024 })
    await db.open()
    for (const batch of fileBatches(BROWSER_WRITER)) await db.batch(batch)
    t.same(await db.iterator().all(), fileEntries(BROWSER_WRITER), 'written')
    await db.close()
    const files = await exportDirectory('to-node')
    t.ok(files.some(file => file.name.endsWith('.ldb')), `it has tables (${files.map(file => file.name).join(' ')})`)
    for (const file of files) sendData({ name: file.name, base64: Buffer.from(file.bytes).toString('base64') })
  })
}
