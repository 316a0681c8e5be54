import type { EntryRanges } from './entry-ranges'

// The one iterator interface every layer composes through (blocks, tables, memtables,
// levels, merges). Errors are thrown as coded errors (LEVEL_CORRUPTION, LEVEL_IO_ERROR).
//
// Two ways to read the current entry, both only meaningful while valid():
// - readEntry() gives it as ranges of buffers the iterator owns, valid only until it moves: what
//   scans use, so that no layer makes a view or copy per entry; whoever needs bytes for longer
//   copies them once.
// - key() and value() give buffers that are never overwritten later, so callers may keep them
//   (some layers copy to make that so): for seek targets, tests and one-off reads.
export interface InternalIterator {
  valid (): boolean
  seekToFirst (): void
  seekToLast (): void
  // Positions at the first entry with key >= target.
  seek (target: Buffer): void
  next (): void
  prev (): void
  readEntry (into: EntryRanges): void
  key (): Buffer
  value (): Buffer
  close (): void
}
