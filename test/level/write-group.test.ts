// Group commit in the adapter: puts and dels made while the microtask queue runs share one batch,
// reach the writer in the order they were made, and settle together with it.
import tape from 'tape'
import { WriteGroup, MAX_GROUP_RECORDS } from '../../lib/level/write-group'
import { batchBufferCounts, POOLED_BATCH_BYTES } from '../../lib/level/batch'
import { WriteBatch } from '../../lib/format/write-batch'
import { ValueType } from '../../lib/format/internal-key'

interface Written { records: string[], settle: { resolve: () => void, reject: (err: Error) => void } }

// A writer that records each batch it is handed and settles it when the test says so.
function recordingWriter (): { writes: Written[], write: (batch: WriteBatch) => Promise<void> } {
  const writes: Written[] = []
  return {
    writes,
    write: async (batch) => {
      const records: string[] = []
      batch.forEach((type, key, value) => records.push(type === ValueType.Value ? `put ${key.toString()}=${value.toString()}` : `del ${key.toString()}`))
      return new Promise<void>((resolve, reject) => writes.push({ records, settle: { resolve, reject } }))
    }
  }
}

// Every pooled batch buffer made so far is idle again: none is held, none was lost.
function allBuffersIdle (t: tape.Test, message: string): void {
  const { allocated, idle } = batchBufferCounts()
  t.is(idle, Math.min(allocated, 4), message)
}

tape('writes made while the microtask queue runs go to the writer as one batch, in order', async (t) => {
  const { writes, write } = recordingWriter()
  const group = new WriteGroup(write)
  // Made from promise continuations, as by writers that each await their last write.
  await null
  const first = group.put('a', '1')
  const second = group.del('b')
  await null
  // Still the same run of the microtask queue: the group stays open.
  const third = group.put(Buffer.from('c'), new Uint8Array([0x33]))
  t.is(writes.length, 0, 'nothing is written while writes may still join')
  t.ok(first === second && second === third, 'every write of the group shares its promise')
  await new Promise(resolve => setImmediate(resolve))
  t.same(writes.map(w => w.records), [['put a=1', 'del b', 'put c=3']], 'one batch, in the order made')
  writes[0].settle.resolve()
  await first
  allBuffersIdle(t, 'the group gave its pooled buffer back')
  t.end()
})

tape('commit() hands the open group over at once; later writes open a new group', async (t) => {
  const { writes, write } = recordingWriter()
  const group = new WriteGroup(write)
  const first = group.put('a', '1')
  group.commit()
  group.commit()
  t.same(writes.map(w => w.records), [['put a=1']], 'committed once, synchronously')
  const second = group.put('b', '2')
  t.not(first, second, 'a new group')
  await new Promise(resolve => setImmediate(resolve))
  t.same(writes.map(w => w.records), [['put a=1'], ['put b=2']])
  for (const w of writes) w.settle.resolve()
  await Promise.all([first, second])
  allBuffersIdle(t, 'both groups gave their buffers back')
  t.end()
})

tape('a full group is committed and the write that did not fit opens the next', async (t) => {
  const { writes, write } = recordingWriter()
  const group = new WriteGroup(write)
  const promises: Array<Promise<void> | null> = []
  for (let i = 0; i <= MAX_GROUP_RECORDS; i++) promises.push(group.put(`k${i}`, 'v'))
  t.same(writes.map(w => w.records.length), [MAX_GROUP_RECORDS], `${MAX_GROUP_RECORDS} records fill a group`)
  const large = 'x'.repeat(POOLED_BATCH_BYTES / 2)
  promises.push(group.put('big1', large))
  promises.push(group.put('big2', large))
  t.same(writes.map(w => w.records.length), [MAX_GROUP_RECORDS, 2], 'a record that does not fit the space left commits the group first')
  t.is(group.put('huge', 'x'.repeat(POOLED_BATCH_BYTES)), null, 'a record larger than any group is left to the caller')
  await new Promise(resolve => setImmediate(resolve))
  t.same(writes.map(w => w.records.length), [MAX_GROUP_RECORDS, 2, 1])
  for (const w of writes) w.settle.resolve()
  await Promise.all(promises)
  allBuffersIdle(t, 'every group gave its buffer back')
  t.end()
})

tape('when the write of a group fails, every write in it rejects with its error', async (t) => {
  const { writes, write } = recordingWriter()
  const group = new WriteGroup(write)
  const results = [group.put('a', '1'), group.del('a'), group.put('b', '2')].map(async p => p?.then(() => 'resolved', (err: Error) => err.message))
  await new Promise(resolve => setImmediate(resolve))
  t.is(writes.length, 1, 'one batch')
  writes[0].settle.reject(new Error('disk on fire'))
  t.same(await Promise.all(results), ['disk on fire', 'disk on fire', 'disk on fire'])
  allBuffersIdle(t, 'a failed group gave its buffer back too')
  const next = group.put('c', '3')
  await new Promise(resolve => setImmediate(resolve))
  writes[1].settle.resolve()
  await next
  t.same(writes[1].records, ['put c=3'], 'the next group is written as usual')
  t.end()
})
