// Writes a sorted table: data blocks, filter block, metaindex block, index block, footer
// (doc/table_format.md). Keys are internal keys, added in strictly increasing order.
import { compress } from 'snappyjs'
import type { WritableFile } from '../env/env'
import { crc32cOf, mask } from '../format/crc32c'
import { compareInternalKeySlices, TAG_SIZE } from '../format/internal-key'
import { BlockBuilder } from './block-builder'
import { BLOCK_TRAILER_SIZE, BlockHandle, encodeBlockHandle, encodeFooter } from './block-handle'
import { CompressionType } from './block-reader'
import { BLOOM_FILTER_METAINDEX_KEY, BloomFilterPolicy } from './bloom'
import { FilterBlockBuilder } from './filter-block'
import { shortestSeparator, shortSuccessor } from './key-shortening'

export interface TableBuilderOptions {
  blockSize?: number
  blockRestartInterval?: number
  // Snappy; a block is stored compressed only if that saves at least 12.5%.
  compression?: boolean
  // 0 disables the bloom filter.
  bloomBitsPerKey?: number
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
  private lastKey = Buffer.allocUnsafe(64)
  private lastKeyLength = 0
  // The index entry for a flushed block is written once the next block's first key is known,
  // so that a short separator can be chosen.
  private pendingHandle: BlockHandle | null = null
  private closed = false

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
    if (this.closed) throw new Error('TableBuilder.add() after finish() or abandon()')
    if (key.length < TAG_SIZE) throw new RangeError('table keys must be internal keys')
    if (this.entries > 0 && compareInternalKeySlices(key, 0, key.length, this.lastKey, 0, this.lastKeyLength) <= 0) {
      throw new RangeError('table keys must be added in strictly increasing order')
    }
    if (this.pendingHandle !== null) {
      this.indexBlock.add(shortestSeparator(this.lastKey.subarray(0, this.lastKeyLength), key), encodeBlockHandle(this.pendingHandle))
      this.pendingHandle = null
    }
    this.filterBlock?.addKey(key, 0, key.length - TAG_SIZE)
    this.rememberLastKey(key)
    this.entries++
    this.dataBlock.add(key, value)
    if (this.dataBlock.currentSizeEstimate() >= this.blockSize) this.flushDataBlock()
  }

  // Writes the remaining blocks and the footer, then flushes the file. The caller syncs and closes it.
  finish (): void {
    if (this.closed) throw new Error('TableBuilder.finish() called twice or after abandon()')
    this.flushDataBlock()
    this.closed = true

    const metaindex = new BlockBuilder(this.restartInterval)
    if (this.filterBlock !== null) {
      const filterHandle = this.writeRawBlock(this.filterBlock.finish(), CompressionType.None)
      metaindex.add(Buffer.from(BLOOM_FILTER_METAINDEX_KEY, 'latin1'), encodeBlockHandle(filterHandle))
    }
    const metaindexHandle = this.writeBlock(metaindex)

    if (this.pendingHandle !== null) {
      this.indexBlock.add(shortSuccessor(this.lastKey.subarray(0, this.lastKeyLength)), encodeBlockHandle(this.pendingHandle))
      this.pendingHandle = null
    }
    const indexHandle = this.writeBlock(this.indexBlock)

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

  private flushDataBlock (): void {
    if (this.dataBlock.empty()) return
    this.pendingHandle = this.writeBlock(this.dataBlock)
    this.filterBlock?.startBlock(this.offset)
  }

  private writeBlock (block: BlockBuilder): BlockHandle {
    const raw = block.finish()
    let handle: BlockHandle
    if (this.compression) {
      const compressed = compress(raw)
      handle = compressed.length < raw.length - Math.floor(raw.length / 8)
        ? this.writeRawBlock(compressed, CompressionType.Snappy)
        : this.writeRawBlock(raw, CompressionType.None)
    } else {
      handle = this.writeRawBlock(raw, CompressionType.None)
    }
    block.reset()
    return handle
  }

  private writeRawBlock (contents: Buffer, type: CompressionType): BlockHandle {
    const handle = { offset: this.offset, size: contents.length }
    const trailer = Buffer.allocUnsafe(BLOCK_TRAILER_SIZE)
    trailer[0] = type
    // The CRC covers the contents and the type byte.
    trailer.writeUInt32LE(mask(crc32cOf(trailer.subarray(0, 1), crc32cOf(contents))), 1)
    this.file.append(contents)
    this.file.append(trailer)
    this.offset += contents.length + BLOCK_TRAILER_SIZE
    return handle
  }

  private rememberLastKey (key: Buffer): void {
    if (key.length > this.lastKey.length) this.lastKey = Buffer.allocUnsafe(Math.max(key.length, this.lastKey.length * 2))
    key.copy(this.lastKey, 0)
    this.lastKeyLength = key.length
  }
}
