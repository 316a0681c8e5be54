// On the page: AiLevelWorker starts ai-level's own worker and offers the abstract-level API over
// messages. Then a worker of the app's own (worker.js) runs AiLevel directly. Both results are
// shown on the page, and the done flag is set for the test that loads this page.
import { AiLevelWorker } from 'ai-level'

const lines = []
const show = (line) => {
  lines.push(line)
  document.getElementById('result').textContent = lines.join('\n')
}

async function onThePage () {
  const db = new AiLevelWorker('example-page', { valueEncoding: 'json' })
  await db.put('fruit!banana', { colour: 'yellow' })
  await db.batch([
    { type: 'put', key: 'fruit!apple', value: { colour: 'red' } },
    { type: 'put', key: 'fruit!cherry', value: { colour: 'dark red' } }
  ])
  show(`page: get fruit!apple = ${JSON.stringify(await db.get('fruit!apple'))}`)
  for await (const [key, value] of db.iterator({ gt: 'fruit!', lt: 'fruit!~' })) show(`page: ${key} ${value.colour}`)
  await db.close()
}

function inAWorker () {
  const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' })
  return new Promise((resolve, reject) => {
    worker.onmessage = ({ data }) => {
      if (data.error !== undefined) reject(new Error(data.error))
      else if (data.done) resolve()
      else show(`worker: ${data.line}`)
    }
    worker.onerror = (event) => reject(new Error(event.message))
  })
}

onThePage()
  .then(inAWorker)
  .then(() => show('done'))
  .catch((err) => show(`error: ${err.message}`))
