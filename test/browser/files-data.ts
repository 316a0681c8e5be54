// The database that files.worker.ts and run.ts write on either side of the browser boundary
// (plain data, imported by both): puts of KEYS keys with values long enough to fill several
// 64 KiB memtables, then deletes and overwrites, so the files hold tables, a log and tombstones.
export type FileOp = { type: 'put', key: string, value: string } | { type: 'del', key: string }

const KEYS = 3000
const PAD = 'p'.repeat(120)

const key = (i: number): string => `key-${String(i).padStart(6, '0')}`

/** The writes, in batches of 100, to apply in order. */
export function fileBatches (writer: string): FileOp[][] {
  const ops: FileOp[] = []
  for (let i = 0; i < KEYS; i++) ops.push({ type: 'put', key: key(i), value: `${writer}-${i}-${PAD}` })
  for (let i = 0; i < KEYS; i += 7) ops.push({ type: 'del', key: key(i) })
  for (let i = 1; i < KEYS; i += 5) ops.push({ type: 'put', key: key(i), value: `${writer}-again-${i}` })
  const batches: FileOp[][] = []
  for (let i = 0; i < ops.length; i += 100) batches.push(ops.slice(i, i + 100))
  return batches
}

/** What a database holds after fileBatches(writer), in key order. */
export function fileEntries (writer: string): Array<[string, string]> {
  const entries = new Map<string, string>()
  for (const op of fileBatches(writer).flat()) {
    if (op.type === 'put') entries.set(op.key, op.value)
    else entries.delete(op.key)
  }
  return [...entries].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
}

/** The writers of the Node-written directories run.ts hands to the browser. */
export const NODE_WRITERS = ['ai-level', 'classic-level'] as const
export const BROWSER_WRITER = 'chromium'
