// Writes a sorted table: data blocks, filter block, metaindex block, index block, footer
// (doc/table_format.md). Keys are internal keys, added in strictly increasing order.
import type { WritableFile } from '../env/env'
import { crc32cOf, crc32cTypeScript, mask } from '../format/crc32c'
import { compareInternalKeySlices, TAG_SIZE } from '../format/internal-key'
import { KeyBuffer } from '../format/key-buffer'
import { snappyCompress } from '../format/snappy'
import { BlockBuilder } from './block-builder'
import { BLOCK_TRAILER_SIZE, encodeBlockHandle, encodeFooter, MAX_BLOCK_HANDLE_LENGTH, putBlockHandle } from './block-handle'
import { CompressionType } from './block-reader'
import { BLOOM_FILTER_METAINDEX_KEY, BloomFilterPolicy } from './bloom'
import { FilterBlockBuilder } from './filter-block'
import { shortestSeparatorInto, shortSuccessorInto } from './key-shortening'

export interface TableBuilderOptions {
  blockSize?: number
  blockRestartInterval?: number
  // Snappy; a block is stored compressed only if that saves at least 12.5%.
  compression?: boolean
  // 0 disables the bloom filter.
  bloomBitsPerKey?: number
}

// Each compression type as the one byte the block CRC covers after the contents.
const TYPE_BYTES = [Buffer.of(CompressionType.None), Buffer.of(CompressionType.Snappy)]

function varintLength (value: number): number {
  let length = 1
  for (let v = value; v >= 0x80; v = Math.floor(v / 0x80)) length++
  return length
}

// The size of a data block holding one entry (BlockBuilder's layout: three varints, the key, the
// value, one restart point and the restart count).
function singleEntryBlockSize (keyLength: number, valueLength: number): number {
  return 1 + varintLength(keyLength) + varintLength(valueLength) + keyLength + valueLength + 8
}

export class TableBuilder {
  private readonly blockSize: number
  private readonly compression: boolean
  private readonly restartInterval: number
  private readonly dataBlock: BlockBuilder
  // Every index entry is a restart point so lookups binary-search all of them.
  private readonly indexBlock = new BlockBuilder(1)
  private readonly filterBlock: FilterBlockBuilder | null
  private offset = 0
  private entries = 0
  // The last key of the blocks already written; the block being built keeps its own last key.
  private readonly lastWrittenKey = new KeyBuffer()
  // The index entry for a flushed block is written once the next block's first key is known,
  // so that a short separator can be chosen.
  private hasPendingHandle = false
  private pendingOffset = 0
  private pendingSize = 0
  private closed = false
  private readonly trailer = Buffer.allocUnsafe(BLOCK_TRAILER_SIZE)
  // An index entry's key and block handle, encoded here and copied by the index block.
  private readonly indexKey = new KeyBuffer()
  private readonly indexHandle = Buffer.allocUnsafe(MAX_BLOCK_HANDLE_LENGTH)

  constructor (private readonly file: WritableFile, options: TableBuilderOptions = {}) {
    this.blockSize = options.blockSize ?? 4096
    this.restartInterval = options.blockRestartInterval ?? 16
    this.compression = options.compression ?? true
    const bitsPerKey = options.bloomBitsPerKey ?? 10
    this.dataBlock = new BlockBuilder(this.restartInterval)
    this.filterBlock = bitsPerKey > 0 ? new FilterBlockBuilder(new BloomFilterPolicy(bitsPerKey)) : null
    this.filterBlock?.startBlock(0)
  }

  add (key: Buffer, value: Uint8Array): void {
    this.addRanges(key, 0, key.length, value, 0, value.length)
  }

  // Adds key[keyStart, keyEnd) with value[valueStart, valueEnd); the bytes are copied.
  addRanges (key: Buffer, keyStart: number, keyEnd: number, value: Uint8Array, valueStart: number, valueEnd: number): void {
    const prefix = this.admit(key, keyStart, keyEnd)
    // An empty data block starts with a restart point, so it ignores the prefix.
    this.dataBlock.addWithPrefix(key, keyStart, keyEnd, value, valueStart, valueEnd, this.dataBlock.empty() ? 0 : prefix)
    if (this.dataBlock.currentSizeEstimate() >= this.blockSize) this.flushDataBlock()
  }

  // Adds the entry key[keyStart, keyEnd) with a value of valueLength bytes that is the only entry
  // of a block read from another table, `stored` being that block as stored (contents, type
  // byte, masked CRC), by writing the stored block as it is, if this builder would write that
  // block itself: its data block is empty, the entry alone fills a block, and the stored block is
  // compressed exactly when this builder compresses. A compaction of large values so neither
  // recompresses nor checksums them again. Returns false, having added nothing, otherwise.
  addStoredBlock (key: Buffer, keyStart: number, keyEnd: number, valueLength: number, stored: Buffer): boolean {
    if (!this.dataBlock.empty() || stored.length < BLOCK_TRAILER_SIZE) return false
    const type = stored[stored.length - BLOCK_TRAILER_SIZE]
    if (type !== (this.compression ? CompressionType.Snappy : CompressionType.None)) return false
    if (singleEntryBlockSize(keyEnd - keyStart, valueLength) < this.blockSize) return false
    this.admit(key, keyStart, keyEnd)
    this.lastWrittenKey.set(key, keyStart, keyEnd)
    this.setPendingHandle(this.offset, stored.length - BLOCK_TRAILER_SIZE)
    this.file.append(stored)
    this.offset += stored.length
    this.filterBlock?.startBlock(this.offset)
    return true
  }

  // Checks and counts a key about to be added, writes the index entry of the block before it if
  // that is pending, and adds it to the filter. Returns the length of the prefix it shares with
  // the last key.
  private admit (key: Buffer, keyStart: number, keyEnd: number): number {
    if (this.closed) throw new Error('TableBuilder.add() after finish() or abandon()')
    if (keyEnd - keyStart < TAG_SIZE) throw new RangeError('table keys must be internal keys')
    const lastKey = this.lastKey()
    const lastBytes = lastKey.bytes
    const lastLength = lastKey.length
    // The prefix shared with the last key serves both the order check and the data block's
    // prefix compression, so the two keys are compared once.
    const max = Math.min(lastLength, keyEnd - keyStart)
    let prefix = 0
    while (prefix < max && lastBytes[prefix] === key[keyStart + prefix]) prefix++
    if (this.entries > 0) {
      // Within both user keys the first differing byte decides; otherwise the full comparison does.
      const inUserKeys = prefix < lastLength - TAG_SIZE && prefix < keyEnd - keyStart - TAG_SIZE
      if (inUserKeys ? key[keyStart + prefix] < lastBytes[prefix] : compareInternalKeySlices(key, keyStart, keyEnd, lastBytes, 0, lastLength) <= 0) {
        throw new RangeError('table keys must be added in strictly increasing order')
      }
    }
    if (this.hasPendingHandle) {
      shortestSeparatorInto(this.indexKey, lastKey, key, keyStart, keyEnd)
      this.addIndexEntry()
    }
    this.filterBlock?.addKey(key, keyStart, keyEnd - TAG_SIZE)
    this.entries++
    return prefix
  }

  // A copy of the last key added (the table's largest), for the file's metadata.
  largestKey (): Buffer {
    return this.lastKey().copy()
  }

  private lastKey (): KeyBuffer {
    return this.dataBlock.empty() ? this.lastWrittenKey : this.dataBlock.lastKey
  }

  // Writes the remaining blocks and the footer, then flushes the file. The caller syncs and closes it.
  finish (): void {
    if (this.closed) throw new Error('TableBuilder.finish() called twice or after abandon()')
    this.flushDataBlock()
    this.closed = true

    const metaindex = new BlockBuilder(this.restartInterval)
    if (this.filterBlock !== null) {
      const filterHandle = { offset: this.offset, size: this.writeRawBlock(this.filterBlock.finish(), CompressionType.None) }
      metaindex.add(Buffer.from(BLOOM_FILTER_METAINDEX_KEY, 'latin1'), encodeBlockHandle(filterHandle))
    }
    const metaindexHandle = { offset: this.offset, size: this.writeBlock(metaindex) }

    if (this.hasPendingHandle) {
      shortSuccessorInto(this.indexKey, this.lastWrittenKey)
      this.addIndexEntry()
    }
    const indexHandle = { offset: this.offset, size: this.writeBlock(this.indexBlock) }

    const footer = encodeFooter({ metaindexHandle, indexHandle })
    this.file.append(footer)
    this.offset += footer.length
    this.file.flush()
  }

  // Stops building; the caller deletes the file.
  abandon (): void {
    this.closed = true
  }

  numEntries (): number {
    return this.entries
  }

  // Bytes written so far (the final file size once finish() has run).
  fileSize (): number {
    return this.offset
  }

  // The index entry of the last data block written (the pending handle), whose key is in indexKey.
  private addIndexEntry (): void {
    const handleLength = putBlockHandle(this.indexHandle, 0, this.pendingOffset, this.pendingSize)
    this.indexBlock.addRanges(this.indexKey.bytes, 0, this.indexKey.length, this.indexHandle, 0, handleLength)
    this.hasPendingHandle = false
  }

  // Held as numbers rather than a BlockHandle: a data block is written every 4 KiB.
  private setPendingHandle (offset: number, size: number): void {
    this.hasPendingHandle = true
    this.pendingOffset = offset
    this.pendingSize = size
  }

  private flushDataBlock (): void {
    if (this.dataBlock.empty()) return
    const last = this.dataBlock.lastKey
    this.lastWrittenKey.set(last.bytes, 0, last.length)
    const offset = this.offset
    this.setPendingHandle(offset, this.writeBlock(this.dataBlock))
    this.filterBlock?.startBlock(this.offset)
  }

  // Writes the block at the current offset and returns its stored size (the size a handle gives).
  private writeBlock (block: BlockBuilder): number {
    const raw = block.finish()
    let size: number
    if (this.compression) {
      const compressed = snappyCompress(raw)
      size = compressed.length < raw.length - Math.floor(raw.length / 8)
        ? this.writeRawBlock(compressed, CompressionType.Snappy)
        : this.writeRawBlock(raw, CompressionType.None)
    } else {
      size = this.writeRawBlock(raw, CompressionType.None)
    }
    block.reset()
    return size
  }

  // Writes contents and trailer at the current offset and returns the contents' length.
  private writeRawBlock (contents: Buffer, type: CompressionType): number {
    // The CRC covers the contents and the type byte; append() copies, so the trailer is reused.
    const trailer = this.trailer
    trailer[0] = type
    // The type byte is one table step in TypeScript, cheaper than a second call into the addon.
    // The CRC is stored byte by byte: writeUInt32LE's checks cost more than the stores.
    const crc = mask(crc32cTypeScript(TYPE_BYTES[type], crc32cOf(contents)))
    trailer[1] = crc & 0xff
    trailer[2] = (crc >>> 8) & 0xff
    trailer[3] = (crc >>> 16) & 0xff
    trailer[4] = crc >>> 24
    this.file.append(contents)
    this.file.append(trailer)
    this.offset += contents.length + BLOCK_TRAILER_SIZE
    return contents.length
  }
}
