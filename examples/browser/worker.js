// Inside a dedicated worker: AiLevel is the engine itself, on the Origin Private File System.
import { AiLevel } from 'ai-level'

async function main () {
  const db = new AiLevel('example-worker')
  await db.batch([
    { type: 'put', key: 'b', value: '2' },
    { type: 'put', key: 'a', value: '1' },
    { type: 'put', key: 'c', value: '3' }
  ])
  postMessage({ line: `get b = ${await db.get('b')}` })
  postMessage({ line: `entries: ${JSON.stringify(await db.iterator().all())}` })
  await db.close()
}

main().then(() => postMessage({ done: true }), (err) => postMessage({ error: err.message }))
