// An entry as ranges of larger buffers, for scans that must not create objects per entry: the
// ranges stay valid only until the iterator that filled them moves on.
export interface EntryRanges {
  keyBytes: Buffer
  keyStart: number
  keyEnd: number
  valueBytes: Buffer
  valueStart: number
  valueEnd: number
}

const NO_BYTES = Buffer.alloc(0)

export function emptyEntryRanges (): EntryRanges {
  return { keyBytes: NO_BYTES, keyStart: 0, keyEnd: 0, valueBytes: NO_BYTES, valueStart: 0, valueEnd: 0 }
}

export function setEntryRanges (into: EntryRanges, keyBytes: Buffer, keyStart: number, keyEnd: number, valueBytes: Buffer, valueStart: number, valueEnd: number): void {
  into.keyBytes = keyBytes
  into.keyStart = keyStart
  into.keyEnd = keyEnd
  into.valueBytes = valueBytes
  into.valueStart = valueStart
  into.valueEnd = valueEnd
}
