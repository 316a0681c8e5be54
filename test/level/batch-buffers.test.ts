// db.batch() writes into pooled buffers, handed back when each write settles: writes in flight
// at once, including ones queued behind a stalled write, each keep their own bytes.
import tape from 'tape'
import { rmSync } from 'node:fs'
import { AiLevel } from '../../index'
import { batchBufferCounts } from '../../lib/level/batch'
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

// Every pooled batch buffer made so far is idle again: none is held, none was lost.
function allBuffersIdle (t: tape.Test, message: string): void {
  const { allocated, idle } = batchBufferCounts()
  t.is(idle, Math.min(allocated, 4), message)
}

tape('puts and dels of records of pooled size give their buffers back, grouped or not', async (t) => {
  const db = new AiLevel<string, string>(tempLocation(t))
  await db.open()
  const value = 'v'.repeat(5000)
  const before = batchBufferCounts().allocated
  for (let i = 0; i < 200; i++) {
    const key = `k${String(i).padStart(4, '0')}`
    await db.put(key, value)
    await db.put(key, value, { sync: i % 50 === 0 })
    await db.del(key, { sync: i % 50 === 1 })
    await db.batch([{ type: 'put', key, value }])
  }
  t.ok(batchBufferCounts().allocated - before <= 1, `800 writes of 5 KB made ${batchBufferCounts().allocated - before} pooled buffers (at most 1)`)
  allBuffersIdle(t, 'every buffer is back')
  await db.close()
  t.end()
})

tape('writes that fail give their pooled buffers back', async (t) => {
  const location = tempLocation(t)
  const db = new AiLevel<string, string>(location, { writeBufferSize: 64 * 1024 })
  await db.open()
  // With its directory gone, the next switch to a new log file fails.
  rmSync(location, { recursive: true, force: true })
  const value = 'v'.repeat(5000)
  const outcomes: string[] = []
  const settle = async (p: Promise<void>): Promise<void> => p.then(() => { outcomes.push('ok') }, (err: Error) => { outcomes.push(/given back twice/.test(err.message) ? 'twice' : 'failed') })
  for (let round = 0; round < 30; round++) {
    const writes: Array<Promise<void>> = []
    for (let i = 0; i < 4; i++) writes.push(settle(db.put(`k${round}-${i}`, value)))
    writes.push(settle(db.put(`s${round}`, value, { sync: true })))
    writes.push(settle(db.batch([{ type: 'put', key: `b${round}`, value }, { type: 'del', key: `k${round}-0` }])))
    await Promise.all(writes)
  }
  t.ok(outcomes.includes('failed'), `writes failed (${outcomes.filter(o => o === 'failed').length} of ${outcomes.length})`)
  t.notOk(outcomes.includes('twice'), 'no buffer was given back twice')
  allBuffersIdle(t, 'every buffer is back')
  await db.close().catch(() => {})
  t.end()
})

tape('batches of a MB or two reuse one buffer in turn, and concurrent ones each keep their own bytes', async (t) => {
  const db = new AiLevel<string, string>(tempLocation(t))
  await db.open()
  // Values of 4 KiB, 300 to a batch: each batch is larger than a pooled buffer.
  const batchOf = (round: number, size: number): Array<{ type: 'put', key: string, value: string }> =>
    Array.from({ length: size }, (_, i) => ({ type: 'put', key: `r${String(round).padStart(2, '0')}-${String(i).padStart(4, '0')}`, value: String(round % 10).repeat(4096) }))
  const before = batchBufferCounts()
  // Sizes that shrink and grow: the kept buffer is the largest one seen.
  let written = 0
  for (let round = 0; round < 8; round++) {
    const size = round % 2 === 0 ? 300 : 250
    await db.batch(batchOf(round, size))
    written += size
  }
  const after = batchBufferCounts()
  t.is(after.largeTaken - before.largeTaken, 8, 'each batch was made over a large buffer')
  t.ok(after.largeAllocated - before.largeAllocated <= 1, `8 batches in turn made ${after.largeAllocated - before.largeAllocated} large buffers (at most 1)`)
  await Promise.all([10, 11, 12].map(round => db.batch(batchOf(round, 300))))
  const all = await db.iterator().all()
  t.is(all.length, written + 3 * 300, 'every entry is there')
  const wrong = all.filter(([key, value]) => value !== String(Number(key.slice(1, 3)) % 10).repeat(4096))
  t.is(wrong.length, 0, 'every value is the one its batch wrote')
  await db.close()
  t.end()
})
