// Memtable arenas are reused once a memtable is flushed; nothing handed out before may change.
import test from 'tape'
import { DB } from '../../lib/db/db'
import { keyOf, put } from './db-helpers'
import { removeDir, tempDir } from '../util/temp-dir'

test('memtable arenas: values got from a memtable stay intact after its arena is reused', async (t) => {
  const dir = tempDir('memtable-arena')
  try {
    const db = await DB.open(dir, { writeBufferSize: 64 * 1024 })
    await put(db, 'kept', 'the original value')
    const value = db.get(Buffer.from('kept'))
    // Many memtables' worth of writes: the first arena is flushed, pooled and written over.
    for (let i = 0; i < 20_000; i++) await put(db, keyOf(i), 'x'.repeat(40) + i)
    t.equal(value?.toString(), 'the original value', 'the value got earlier is unchanged')
    t.equal(db.get(Buffer.from('kept'))?.toString(), 'the original value', 'and still readable from the tables')
    t.equal(db.get(Buffer.from(keyOf(19_999)))?.toString(), 'x'.repeat(40) + 19_999, 'later writes read back')
    await db.close()
  } finally {
    removeDir(dir)
  }
})
