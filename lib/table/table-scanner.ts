// Reads every entry of a table front to back for a compaction: no block cache, no filter, and the
// current entry exposed as ranges (EntryRanges) rather than as new buffers per entry.
import type { RandomAccessFile } from '../env/env'
import { getVarint, type Cursor } from '../format/coding'
import { compareInternalKeySlices } from '../format/internal-key'
import { snappyUncompressedLength, snappyUncompressPrefix } from '../format/snappy'
import { emptyEntryRanges, type EntryRanges } from '../iterator/entry-ranges'
import { Block, EMPTY_BLOCK, type BlockIterator } from './block'
import { BLOCK_TRAILER_SIZE } from './block-handle'
import { checkBlock, CompressionType, decodeBlock, type FirstEntryHeader, readFirstEntryHeader } from './block-reader'
import { readTableIndex } from './table'

const NO_BYTES = Buffer.alloc(0)
// An entry's three varint lengths take at most this many bytes.
const MAX_ENTRY_HEADER = 15
// Room for a data block of the default 4 KiB target many times over, and for most larger ones.
export const DECODE_BUFFER_SIZE = 64 * 1024

export class TableScanner implements EntryRanges {
  keyBytes: Buffer = NO_BYTES
  keyStart = 0
  keyEnd = 0
  valueBytes: Buffer = NO_BYTES
  valueStart = 0
  valueEnd = 0
  // The current entry's block as stored (contents, compression type byte, masked CRC) when the
  // entry is that block's only one, else null; valid until next(). A compaction writes such a
  // block out as it is (TableBuilder.addStoredBlock): a block of one large value would come out
  // the same, after compressing and checksumming the value again.
  storedBlock: Buffer | null = null
  // Whether the current entry's value bytes are yet to be decoded (see loadValue).
  private valuePending = false
  private readonly cursor: Cursor = { offset: 0 }
  private readonly firstEntry: FirstEntryHeader = { keyStart: 0, keyLength: 0, valueLength: 0 }
  private readonly indexEntry: EntryRanges = emptyEntryRanges()
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
    private readonly decoded: Buffer = Buffer.allocUnsafeSlow(DECODE_BUFFER_SIZE),
    // Whether a compressed block holding one entry may be decoded only as far as its key, for a
    // reader that copies such blocks as stored and calls loadValue() before it reads a value.
    private readonly lazyValues = false
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
    if (this.valuePending) {
      this.valuePending = false
      this.index.next()
      this.enterBlock()
      return
    }
    block.next()
    if (block.valid()) {
      block.readEntry(this)
      this.storedBlock = null
    } else {
      this.index.next()
      this.enterBlock()
    }
  }

  // Decodes the current entry's value when it is pending: until then a lazy scanner's valueBytes
  // hold only the key of an entry that is alone in its compressed block (storedBlock is that
  // block). The ranges stay where they are.
  loadValue (): void {
    const stored = this.storedBlock
    if (!this.valuePending || stored === null) return
    this.valuePending = false
    const block = this.blockIterator
    block.retarget(new Block(decodeBlock(stored, stored.length - BLOCK_TRAILER_SIZE, false, this.decoded)))
    block.seekToFirst()
    block.readEntry(this)
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
      // The block handle is read in place: no view of the index entry, no handle object.
      const entry = this.indexEntry
      index.readEntry(entry)
      const cursor = this.cursor
      cursor.offset = entry.valueStart
      const offset = getVarint(entry.valueBytes, cursor, entry.valueEnd)
      const size = getVarint(entry.valueBytes, cursor, entry.valueEnd)
      const stored = this.file.read(offset, size + BLOCK_TRAILER_SIZE)
      if (this.lazyValues && this.enterLoneEntry(stored, size)) return
      const block = this.blockIterator
      block.retarget(new Block(decodeBlock(stored, size, this.verifyChecksums, this.decoded)))
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

  // For a compressed block that holds one entry, decodes only the entry's header and key, makes
  // it current with its value pending, and returns true; returns false, having changed nothing
  // but the decode buffer, for any other block, and for a damaged one, which the full decode then
  // reports. A block of one entry is that entry (shared prefix 0), one restart point and the
  // restart count.
  private enterLoneEntry (stored: Buffer, size: number): boolean {
    if (stored.length !== size + BLOCK_TRAILER_SIZE || stored[size] !== CompressionType.Snappy) return false
    const decoded = this.decoded
    const header = this.firstEntry
    let keyStart: number
    let keyEnd: number
    let valueLength: number
    try {
      if (!readFirstEntryHeader(decoded, snappyUncompressPrefix(stored, size, decoded, MAX_ENTRY_HEADER), header)) return false
      keyStart = header.keyStart
      keyEnd = keyStart + header.keyLength
      valueLength = header.valueLength
      if (keyEnd + valueLength + 8 !== snappyUncompressedLength(stored) || keyEnd > decoded.length) return false
      if (snappyUncompressPrefix(stored, size, decoded, keyEnd) !== keyEnd) return false
    } catch {
      return false
    }
    checkBlock(stored, size, this.verifyChecksums)
    this.keyBytes = decoded
    this.keyStart = keyStart
    this.keyEnd = keyEnd
    this.valueBytes = decoded
    this.valueStart = keyEnd
    this.valueEnd = keyEnd + valueLength
    this.storedBlock = stored
    this.valuePending = true
    this.block = this.blockIterator
    return true
  }
}
