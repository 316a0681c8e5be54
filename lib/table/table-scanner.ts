// Reads every entry of a table front to back for a compaction: no block cache, no filter, and the
// current entry exposed as ranges (EntryRanges) rather than as new buffers per entry.
import type { RandomAccessFile } from '../env/env'
import { compareInternalKeySlices } from '../format/internal-key'
import type { EntryRanges } from '../iterator/entry-ranges'
import { Block, EMPTY_BLOCK, type BlockIterator } from './block'
import { BLOCK_TRAILER_SIZE, decodeBlockHandle } from './block-handle'
import { decodeBlock } from './block-reader'
import { readTableIndex } from './table'

const NO_BYTES = Buffer.alloc(0)
// Room for a data block of the default 4 KiB target many times over, and for most larger ones.
export const DECODE_BUFFER_SIZE = 64 * 1024

export class TableScanner implements EntryRanges {
  keyBytes = NO_BYTES
  keyStart = 0
  keyEnd = 0
  valueBytes = NO_BYTES
  valueStart = 0
  valueEnd = 0
  // The current entry's block as stored (contents, compression type byte, masked CRC) when the
  // entry is that block's only one, else null; valid until next(). A compaction writes such a
  // block out as it is (TableBuilder.addStoredBlock): a block of one large value would come out
  // the same, after compressing and checksumming the value again.
  storedBlock: Buffer | null = null
  private readonly index: BlockIterator
  // The iterator over the current data block; null once the table is exhausted.
  private block: BlockIterator | null = null
  // Retargeted at each data block in turn.
  private readonly blockIterator = EMPTY_BLOCK.newIterator(compareInternalKeySlices)

  // Takes ownership of `file`; a file read ahead sequentially (ReadaheadFile) suits the access
  // pattern. Its reads need only stay valid until the next read: the index is copied.
  // Compressed blocks are decoded into `decoded`, one after another: the current entry is only
  // valid until next(), so a block is done with once the next one is read. Blocks larger than
  // `decoded` get a buffer of their own.
  constructor (
    private readonly file: RandomAccessFile,
    fileSize: number,
    private readonly verifyChecksums: boolean,
    private readonly decoded: Buffer = Buffer.allocUnsafeSlow(DECODE_BUFFER_SIZE)
  ) {
    const { indexBlock } = readTableIndex(file, fileSize, verifyChecksums)
    this.index = new Block(Buffer.from(indexBlock.data)).newIterator(compareInternalKeySlices)
    this.index.seekToFirst()
    this.enterBlock()
  }

  valid (): boolean {
    return this.block !== null
  }

  next (): void {
    const block = this.block
    if (block === null) throw new Error('next() on an exhausted TableScanner')
    block.next()
    if (block.valid()) {
      block.readEntry(this)
      this.storedBlock = null
    } else {
      this.index.next()
      this.enterBlock()
    }
  }

  close (): void {
    this.block = null
    this.storedBlock = null
    this.file.close()
  }

  // Positions at the first entry of the first non-empty block from the index's position on.
  private enterBlock (): void {
    const index = this.index
    for (; index.valid(); index.next()) {
      const handle = decodeBlockHandle(index.value())
      const stored = this.file.read(handle.offset, handle.size + BLOCK_TRAILER_SIZE)
      const block = this.blockIterator
      block.retarget(new Block(decodeBlock(stored, handle.size, this.verifyChecksums, this.decoded)))
      block.seekToFirst()
      if (block.valid()) {
        block.readEntry(this)
        this.storedBlock = block.isOnlyEntry() ? stored : null
        this.block = block
        return
      }
    }
    this.block = null
    this.storedBlock = null
  }
}
