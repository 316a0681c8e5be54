// The one iterator interface every layer composes through (blocks, tables, memtables,
// levels, merges). Errors are thrown as coded errors (LEVEL_CORRUPTION, LEVEL_IO_ERROR).
export interface InternalIterator {
  valid (): boolean
  seekToFirst (): void
  seekToLast (): void
  // Positions at the first entry with key >= target.
  seek (target: Buffer): void
  next (): void
  prev (): void
  // Only meaningful while valid(). Returned buffers are never overwritten later, so callers may keep them.
  key (): Buffer
  value (): Buffer
  close (): void
}
