// compactRange's control: an AbortSignal stops it between compactions with LEVEL_ABORTED, keeping
// every step that ran and every entry; onProgress hears of each step's input bytes.
import tape from 'tape'
import { DB } from '../../lib/db/db'
import { codeOf } from './workload'
import { filesAtLevels, keyOf, put } from './db-helpers'
import { tempLocation } from '../util/temp-dir'

const KEYS = 3000

// Every key written twice, the second time after the first round was compacted, so the range
// compaction has tables at more than one level to merge.
async function filledDatabase (location: string): Promise<DB> {
  const db = await DB.open(location, { writeBufferSize: 16 * 1024, backgroundWorker: false })
  for (let i = 0; i < KEYS; i++) await put(db, keyOf(i), `first-${i}`)
  await db.compactRange(null, null)
  for (let i = 0; i < KEYS; i++) await put(db, keyOf((i * 7919) % KEYS), `value-${(i * 7919) % KEYS}-${'x'.repeat(((i * 7919) % KEYS) % 50)}`)
  return db
}

function countEntries (db: DB): number {
  const it = db.newIterator()
  let entries = 0
  try {
    for (it.seekToFirst(); it.valid(); it.next()) entries++
  } finally {
    it.close()
  }
  return entries
}

tape('compactRange: onProgress reports growing bytes; an abort stops it between steps with LEVEL_ABORTED and loses nothing', async (t) => {
  const location = tempLocation(t)
  const db = await filledDatabase(location)
  t.ok(filesAtLevels(db).filter(files => files > 0).length > 1, `tables at more than one level (${filesAtLevels(db).join(' ')})`)
  const reports: Array<[number, number]> = []
  const controller = new AbortController()
  try {
    await db.compactRange(null, null, {
      signal: controller.signal,
      onProgress: (bytesRead, bytesEstimate) => {
        reports.push([bytesRead, bytesEstimate])
        controller.abort()
      }
    })
    t.fail('compactRange resolved after the abort')
  } catch (err) {
    t.is(codeOf(err), 'LEVEL_ABORTED', 'rejects with LEVEL_ABORTED')
  }
  t.is(reports.length, 1, 'stopped after the step during which it was aborted')
  t.ok(reports[0][0] > 0 && reports[0][1] >= reports[0][0], `reported the step's input bytes (${reports[0][0]}) within the estimate (${reports[0][1]})`)
  t.is(countEntries(db), KEYS, 'every entry is still there')
  await db.close()
  const reopened = await DB.open(location)
  t.is(countEntries(reopened), KEYS, 'and after a reopen')
  t.is(reopened.get(Buffer.from(keyOf(1234)))?.toString(), `value-1234-${'x'.repeat(1234 % 50)}`, 'with its value')
  const progress: number[] = []
  await reopened.compactRange(null, null, { onProgress: (bytesRead) => progress.push(bytesRead) })
  t.ok(progress.length > 0 && progress.every((bytes, i) => i === 0 || bytes > progress[i - 1]), `an unaborted compaction reports growing totals (${progress.join(', ')})`)
  await reopened.close()
})
