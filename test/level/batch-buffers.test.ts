// db.batch() writes into pooled buffers, handed back when each write settles: writes in flight
// at once, including ones queued behind a stalled write, each keep their own bytes.
import tape from 'tape'
import { AiLevel } from '../../index'
import { tempLocation } from '../util/temp-dir'

const BATCHES = 24
const ENTRIES = 400

function entry (batch: number, index: number): [string, string] {
  return [`b${String(batch).padStart(2, '0')}-${String(index).padStart(4, '0')}`, `value of ${batch}/${index} `.repeat(2)]
}

tape('concurrent batches of pooled size all land intact, round after round', async (t) => {
  // A small write buffer makes the batches wait for flushes while others are made.
  const db = new AiLevel<string, string>(tempLocation(t), { writeBufferSize: 64 * 1024 })
  await db.open()
  for (let round = 0; round < 2; round++) {
    const writes: Array<Promise<void>> = []
    for (let b = 0; b < BATCHES; b++) {
      const ops = Array.from({ length: ENTRIES }, (_, i) => {
        const [key, value] = entry(b, i)
        return { type: 'put' as const, key, value: `${value}${round}` }
      })
      writes.push(db.batch(ops))
    }
    await Promise.all(writes)
    const all = await db.iterator().all()
    t.is(all.length, BATCHES * ENTRIES, `round ${round}: every entry is there`)
    const wrong = all.filter(([key, value]) => {
      const [b, i] = key.slice(1).split('-').map(Number)
      return value !== `${entry(b, i)[1]}${round}`
    })
    t.is(wrong.length, 0, `round ${round}: every value is the one its batch wrote`)
  }
  await db.close()
  t.end()
})
