import { makeInternalKey, ValueType } from '../format/internal-key'
import { compareBytes } from './compare-bytes'

// One memtable record. The user key and tag are kept apart so ordering needs no tag decoding;
// the encoded internal key is built only when an iterator first asks for it.
export class MemTableEntry {
  private encoded: Buffer | undefined = undefined

  constructor (
    readonly userKey: Buffer,
    readonly sequence: number,
    readonly type: ValueType,
    readonly value: Buffer
  ) {}

  internalKey (): Buffer {
    if (this.encoded === undefined) this.encoded = makeInternalKey(this.userKey, this.sequence, this.type)
    return this.encoded
  }
}

// Internal-key order: user key ascending, then sequence descending, then type descending.
export function compareEntries (a: MemTableEntry, b: MemTableEntry): number {
  const r = compareBytes(a.userKey, a.userKey.length, b.userKey, b.userKey.length)
  if (r !== 0) return r
  if (a.sequence !== b.sequence) return a.sequence > b.sequence ? -1 : 1
  return b.type - a.type
}
