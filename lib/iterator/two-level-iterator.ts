// Iterates an index whose values address inner iterators (a table's index and data blocks),
// presenting the inner entries as one sequence and skipping empty inner iterators.
import type { EntryRanges } from './entry-ranges'
import type { InternalIterator } from './iterator'

// Called only once the inner iterator it returned before is closed, so it may return that same
// iterator moved to another block.
export type BlockFunction = (indexValue: Buffer) => InternalIterator

export class TwoLevelIterator implements InternalIterator {
  private dataIter: InternalIterator | null = null
  // The index value dataIter was opened from, so re-positioning on the same block reuses it.
  private dataHandle: Buffer | null = null
  // close() releases what onClose releases only once.
  private closed = false

  // onClose releases what blockFunction holds on to from block to block.
  constructor (
    private readonly indexIter: InternalIterator,
    private readonly blockFunction: BlockFunction,
    private readonly onClose?: () => void
  ) {}

  valid (): boolean {
    return this.dataIter !== null && this.dataIter.valid()
  }

  key (): Buffer {
    return this.current().key()
  }

  value (): Buffer {
    return this.current().value()
  }

  // Only meaningful while valid() (the InternalIterator contract), so it asks the data iterator
  // directly instead of checking that it is valid first: this is called once per entry of every scan.
  readEntry (into: EntryRanges): void {
    const dataIter = this.dataIter
    if (dataIter === null) throw new Error('iterator is not valid')
    dataIter.readEntry(into)
  }

  seek (target: Buffer): void {
    this.indexIter.seek(target)
    this.initDataBlock()
    this.dataIter?.seek(target)
    this.skipEmptyDataBlocksForward()
  }

  seekToFirst (): void {
    this.indexIter.seekToFirst()
    this.initDataBlock()
    this.dataIter?.seekToFirst()
    this.skipEmptyDataBlocksForward()
  }

  seekToLast (): void {
    this.indexIter.seekToLast()
    this.initDataBlock()
    this.dataIter?.seekToLast()
    this.skipEmptyDataBlocksBackward()
  }

  // The next entry is nearly always in the same block: the data iterator's own next() checks that
  // it was valid, and only when it runs off its block does the index move.
  next (): void {
    const dataIter = this.dataIter
    if (dataIter === null) throw new Error('iterator is not valid')
    dataIter.next()
    if (!dataIter.valid()) this.skipEmptyDataBlocksForward()
  }

  prev (): void {
    const dataIter = this.dataIter
    if (dataIter === null) throw new Error('iterator is not valid')
    dataIter.prev()
    if (!dataIter.valid()) this.skipEmptyDataBlocksBackward()
  }

  close (): void {
    if (this.closed) return
    this.closed = true
    this.setDataIter(null, null)
    this.indexIter.close()
    if (this.onClose !== undefined) this.onClose()
  }

  private current (): InternalIterator {
    if (this.dataIter === null || !this.dataIter.valid()) throw new Error('iterator is not valid')
    return this.dataIter
  }

  private skipEmptyDataBlocksForward (): void {
    while (this.dataIter === null || !this.dataIter.valid()) {
      if (!this.indexIter.valid()) {
        this.setDataIter(null, null)
        return
      }
      this.indexIter.next()
      this.initDataBlock()
      this.dataIter?.seekToFirst()
    }
  }

  private skipEmptyDataBlocksBackward (): void {
    while (this.dataIter === null || !this.dataIter.valid()) {
      if (!this.indexIter.valid()) {
        this.setDataIter(null, null)
        return
      }
      this.indexIter.prev()
      this.initDataBlock()
      this.dataIter?.seekToLast()
    }
  }

  private initDataBlock (): void {
    if (!this.indexIter.valid()) {
      this.setDataIter(null, null)
      return
    }
    const handle = this.indexIter.value()
    if (this.dataIter !== null && this.dataHandle !== null && handle.equals(this.dataHandle)) return
    // Drop the old block first so a failing block function leaves no stale position behind.
    this.setDataIter(null, null)
    this.setDataIter(this.blockFunction(handle), handle)
  }

  private setDataIter (iter: InternalIterator | null, handle: Buffer | null): void {
    if (this.dataIter !== null) this.dataIter.close()
    this.dataIter = iter
    this.dataHandle = handle
  }
}
