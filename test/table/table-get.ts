// Table.get as an object: copies of the key and value its ranges describe, or undefined.
import type { EntryRanges } from '../../lib/iterator/entry-ranges'
import type { Table } from '../../lib/table/table'
import { TAG_SIZE } from '../../lib/format/internal-key'
import { bloomKeyHash } from '../../lib/table/bloom'

export function tableGet (table: Table, seekKey: Buffer, fillCache = true): { key: Buffer, value: Buffer } | undefined {
  const none = Buffer.alloc(0)
  const entry: EntryRanges = { keyBytes: none, keyStart: 0, keyEnd: 0, valueBytes: none, valueStart: 0, valueEnd: 0 }
  if (!table.get(seekKey, bloomKeyHash(seekKey, 0, seekKey.length - TAG_SIZE), fillCache, entry)) return undefined
  return {
    key: Buffer.from(entry.keyBytes.subarray(entry.keyStart, entry.keyEnd)),
    value: Buffer.from(entry.valueBytes.subarray(entry.valueStart, entry.valueEnd))
  }
}
