// Deterministic batches for the durability tests: batch `id` always holds the same keys and
// values, and every key names its batch, so a scan shows which batches survived and whether any
// survived only in part.
import { WriteBatch } from '../../lib/format/write-batch'
function hash (a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35)
  h ^= h >>> 16
  h = Math.imul(h, 0x7feb352d)
  return (h ^ (h >>> 15)) >>> 0
}

export function batchSize (id: number): number {
  return 1 + (hash(id, 99) % 6)
}

// Keys are spread over the key space (so level-0 tables overlap and compactions merge them).
export function batchEntries (id: number, valueBytes = 100): Array<[string, string]> {
  const entries: Array<[string, string]> = []
  for (let j = 0; j < batchSize(id); j++) {
    const h = hash(id, j)
    entries.push([`${h.toString(16).padStart(8, '0')}-${id}-${j}`, `v${id}.${j}.` + 'x'.repeat(h % valueBytes)])
  }
  return entries
}

export function engineBatch (id: number, valueBytes?: number): WriteBatch {
  const batch = new WriteBatch()
  for (const [k, v] of batchEntries(id, valueBytes)) batch.put(Buffer.from(k), Buffer.from(v))
  return batch
}

export function levelBatch (id: number, valueBytes?: number): Array<{ type: 'put', key: string, value: string }> {
  return batchEntries(id, valueBytes).map(([key, value]) => ({ type: 'put', key, value }))
}

export interface Verdict {
  problems: string[]
  // Batch ids found complete.
  present: Set<number>
}

// Every acknowledged batch must be there in full; any other batch in full or not at all; and
// nothing else may be there.
// With allowPartial (after a repair that dropped table blocks) batches may be incomplete, but
// every value must still be right.
export function verifyContents (entries: Iterable<[string, string]>, acked: Iterable<number>, valueBytes?: number, allowPartial = false): Verdict {
  const problems: string[] = []
  const found = new Map<number, Map<string, string>>()
  for (const [key, value] of entries) {
    const id = Number(key.split('-')[1])
    if (!Number.isInteger(id)) {
      problems.push(`foreign key ${key}`)
      continue
    }
    let keys = found.get(id)
    if (keys === undefined) found.set(id, keys = new Map())
    keys.set(key, value)
  }
  const present = new Set<number>()
  for (const [id, keys] of found) {
    const expected = batchEntries(id, valueBytes)
    let ok = keys.size === expected.length
    for (const [k, v] of expected) if (keys.get(k) !== v) ok = false
    if (ok) present.add(id)
    else if (allowPartial) {
      const want = new Map(expected)
      for (const [k, v] of keys) if (want.get(k) !== v) problems.push(`wrong value for ${k}`)
    } else problems.push(`batch ${id} is partial or wrong: ${keys.size} of ${expected.length} keys`)
  }
  for (const id of acked) {
    if (!found.has(id)) problems.push(`acknowledged batch ${id} is missing`)
  }
  return { problems, present }
}

export function codeOf (err: unknown): string | undefined {
  return err != null && typeof err === 'object' && 'code' in err ? String((err as { code: unknown }).code) : undefined
}
