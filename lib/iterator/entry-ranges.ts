// An entry as ranges of larger buffers, for scans that must not create objects per entry
// (compactions): the ranges stay valid only until the scan moves on.
export interface EntryRanges {
  keyBytes: Buffer
  keyStart: number
  keyEnd: number
  valueBytes: Buffer
  valueStart: number
  valueEnd: number
}
