// A DB's contents read back as strings, for the engine, durability and interop tests.
import type { DB } from '../../lib/db/db'

/** Every entry of the database in key order, as strings. */
export function scan (db: DB, options: { snapshot?: ReturnType<DB['getSnapshot']> } = {}): Array<[string, string]> {
  const it = db.newIterator(options)
  const out: Array<[string, string]> = []
  try {
    for (it.seekToFirst(); it.valid(); it.next()) out.push([it.key().toString(), it.value().toString()])
  } finally {
    it.close()
  }
  return out
}

/** Every entry read by a backward scan, returned in key order so it compares with scan(). */
export function scanBackward (db: DB): Array<[string, string]> {
  const it = db.newIterator()
  const out: Array<[string, string]> = []
  try {
    for (it.seekToLast(); it.valid(); it.prev()) out.push([it.key().toString(), it.value().toString()])
  } finally {
    it.close()
  }
  return out.reverse()
}
