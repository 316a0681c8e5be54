// Reads one block's contents from a table file: payload, 1-byte compression type, masked CRC32C.
import type { RandomAccessFile } from '../env/env'
import { getVarint, type Cursor } from '../format/coding'
import { crc32cOf, unmask } from '../format/crc32c'
import { MAX_SNAPPY_EXPANSION, snappyUncompress, snappyUncompressedLength, snappyUncompressInto, snappyUncompressPrefix } from '../format/snappy'
import { corruption } from '../util/errors'
import { TAG_SIZE } from '../format/internal-key'
import { BLOCK_TRAILER_SIZE, BlockHandle } from './block-handle'
import type { BlockCache } from './block-cache'
import type { Block } from './block'

export const enum CompressionType {
  None = 0,
  Snappy = 1
}

// A compressed block is decoded into `into` when it fits there (see snappyUncompress), for a
// reader that is done with the previous block before it reads the next.
export function readBlockContents (file: RandomAccessFile, handle: BlockHandle, verifyChecksums: boolean, into?: Buffer): Buffer {
  return decodeBlock(file.read(handle.offset, handle.size + BLOCK_TRAILER_SIZE), handle.size, verifyChecksums, into)
}

// Stored blocks up to this size are read into one buffer reused from read to read.
const MAX_SCRATCH_READ = 64 * 1024
let readScratch = Buffer.allocUnsafeSlow(8 * 1024)

// As readBlockContents, for a block a cache will keep, at `offset` and `size` as a block handle
// gives them: its stored bytes are read into a reused buffer (or are a view of the file's readahead
// window) and its contents decoded or copied into a buffer of its own.
export function readBlockToKeep (file: RandomAccessFile, offset: number, size: number, verifyChecksums: boolean): Buffer {
  return keepStoredBlock(readStoredBlock(file, offset, size, verifyChecksums), size)
}

// The stored block at `offset` (payload, type byte, checksum), checked: a view of a buffer reused
// from read to read (or of the file's readahead window), valid until the next read.
export function readStoredBlock (file: RandomAccessFile, offset: number, size: number, verifyChecksums: boolean): Buffer {
  const length = size + BLOCK_TRAILER_SIZE
  if (length > readScratch.length && length <= MAX_SCRATCH_READ) readScratch = Buffer.allocUnsafeSlow(MAX_SCRATCH_READ)
  const raw = length > MAX_SCRATCH_READ ? file.read(offset, length) : file.read(offset, length, readScratch)
  checkBlock(raw, size, verifyChecksums)
  return raw
}

// The contents of a block readStoredBlock returned, in a buffer of their own (see readBlockToKeep).
export function keepStoredBlock (raw: Buffer, size: number): Buffer {
  switch (raw[size]) {
    case CompressionType.None: {
      const contents = Buffer.allocUnsafeSlow(size)
      raw.copy(contents, 0, 0, size)
      return contents
    }
    case CompressionType.Snappy:
      return uncompressSnappy(raw.subarray(0, size), undefined)
    default:
      throw corruption(`unknown block compression type ${raw[size]}`)
  }
}

// The block readStoredBlock returned, decoded or copied into a block the cache gives (see
// BlockCache.takeBlock): a point lookup's miss makes no buffer, view or Block once the cache has
// evicted blocks.
export function keepStoredBlockIn (raw: Buffer, size: number, cache: BlockCache): Block {
  switch (raw[size]) {
    case CompressionType.None: {
      const block = cache.takeBlock(size)
      raw.copy(block.data, 0, 0, size)
      block.setSize(size)
      return block
    }
    case CompressionType.Snappy: {
      const block = cache.takeBlock(uncompressedLength(raw, size))
      block.setSize(uncompressSnappyInto(raw, size, block.data))
      return block
    }
    default:
      throw corruption(`unknown block compression type ${raw[size]}`)
  }
}

// The user key of a stored block's first entry (the block as readStoredBlock returns it), read
// from the block's first bytes (decoding no more of a compressed one than they need): its first
// `into.length` bytes are copied to `into`, and its whole length returned; -1 when the bytes do
// not say (a key longer than the prefix decoded, a malformed entry or stream). A point lookup
// whose user key sorts before it, sent to this block by the index, cannot find its key there.
// Why that pays: with values of a few KiB a data block holds one entry and gets a 64-bit bloom
// filter, in which LevelDB's hash cannot tell keys apart by their last byte (its last mixing step
// keeps the low bits, and 64 is a power of two, so "...1234" and "...1235" probe the same bits);
// a lookup of a key a table lacks is sent to the block of its neighbour, which passes the filter.
export function storedFirstUserKey (raw: Buffer, size: number, into: Uint8Array): number {
  let bytes: Uint8Array
  let end: number
  switch (raw[size]) {
    case CompressionType.None:
      bytes = raw
      end = size
      break
    case CompressionType.Snappy:
      bytes = blockPrefix
      // Only as far as `into` needs: each point lookup's block-cache miss runs this.
      end = snappyPrefix(raw, size, Math.min(PREFIX_BYTES, FIRST_ENTRY_HEADER_BYTES + into.length))
      break
    default:
      return -1
  }
  const header = firstEntry
  if (!readFirstEntryHeader(bytes, end, header)) return -1
  const userKeyStart = header.keyStart
  const userKeyLength = header.keyLength - TAG_SIZE
  const copied = Math.min(userKeyLength, into.length)
  if (userKeyStart + copied > end) return -1
  for (let i = 0; i < copied; i++) into[i] = bytes[userKeyStart + i]
  return userKeyLength
}

// Enough for the first entry's header and the start of its key.
const PREFIX_BYTES = 128
const blockPrefix = new Uint8Array(PREFIX_BYTES)

// Decodes the start of the Snappy stream compressed[0, size) into blockPrefix, up to `want`
// bytes, and returns how many it decoded: 0 on a malformed stream, which the block's full decode
// then reports.
function snappyPrefix (compressed: Uint8Array, size: number, want: number): number {
  try {
    return snappyUncompressPrefix(compressed, size, blockPrefix, want)
  } catch {
    return 0
  }
}

// The header of a block's first entry, read from its decoded first bytes by readFirstEntryHeader.
export interface FirstEntryHeader {
  keyStart: number
  keyLength: number
  valueLength: number
}

const firstEntry: FirstEntryHeader = { keyStart: 0, keyLength: 0, valueLength: 0 }
const headerCursor: Cursor = { offset: 0 }
// A block entry's lengths are varint32s: at most 5 bytes each.
const MAX_VARINT32_BYTES = 5
// The longest header of a first entry: its shared length (0), then two varint32s.
const FIRST_ENTRY_HEADER_BYTES = 1 + 2 * MAX_VARINT32_BYTES

// Reads the header of the first entry of block contents bytes[0, end) into `header`: a first
// entry shares no key prefix, so it is a 0, then the key's and the value's lengths as varint32s,
// then the key (at keyStart). False when bytes[0, end) hold no such header of a whole internal key.
export function readFirstEntryHeader (bytes: Uint8Array, end: number, header: FirstEntryHeader): boolean {
  if (end < 1 || bytes[0] !== 0) return false
  const cursor = headerCursor
  cursor.offset = 1
  try {
    header.keyLength = getVarint(bytes, cursor, Math.min(end, 1 + MAX_VARINT32_BYTES))
    const valueStart = cursor.offset
    header.valueLength = getVarint(bytes, cursor, Math.min(end, valueStart + MAX_VARINT32_BYTES))
  } catch {
    return false
  }
  header.keyStart = cursor.offset
  return header.keyLength >= TAG_SIZE
}

// raw is the stored block: payload, type byte and checksum. A compressed block is decoded into
// `into` when it fits there; an uncompressed one is a view of raw.
export function decodeBlock (raw: Buffer, n: number, verifyChecksums: boolean, into: Buffer | undefined): Buffer {
  checkBlock(raw, n, verifyChecksums)
  switch (raw[n]) {
    case CompressionType.None:
      return raw.subarray(0, n)
    case CompressionType.Snappy:
      return uncompressSnappy(raw.subarray(0, n), into)
    default:
      throw corruption(`unknown block compression type ${raw[n]}`)
  }
}

export function checkBlock (raw: Buffer, n: number, verifyChecksums: boolean): void {
  if (raw.length !== n + BLOCK_TRAILER_SIZE) throw corruption('truncated block read')
  if (verifyChecksums) {
    const expected = unmask(raw.readUInt32LE(n + 1))
    // The CRC covers the payload and the type byte.
    if (crc32cOf(raw.subarray(0, n + 1)) !== expected) throw corruption('block checksum mismatch')
  }
}

// Bounds the allocation a corrupt length header could ask for.
const MAX_UNCOMPRESSED_BLOCK = 256 * 1024 * 1024

// The declared length of the compressed block compressed[0, size), bounded as snappyUncompress
// bounds it, so that a corrupt header cannot make the cache hand out a huge buffer.
function uncompressedLength (compressed: Buffer, size: number): number {
  let length: number
  try {
    length = snappyUncompressedLength(compressed, size)
  } catch (err) {
    throw corruption('corrupted compressed block contents', err as Error)
  }
  if (length > MAX_UNCOMPRESSED_BLOCK || length > size * MAX_SNAPPY_EXPANSION) {
    throw corruption(`corrupted compressed block contents: uncompressed length ${length} for ${size} stored bytes`)
  }
  return length
}

// Decodes the stream compressed[0, size) into `into`, which holds its uncompressed length.
function uncompressSnappyInto (compressed: Buffer, size: number, into: Buffer): number {
  try {
    return snappyUncompressInto(compressed, size, MAX_UNCOMPRESSED_BLOCK, into)
  } catch (err) {
    throw corruption('corrupted compressed block contents', err as Error)
  }
}

function uncompressSnappy (compressed: Buffer, into: Buffer | undefined): Buffer {
  try {
    return snappyUncompress(compressed, MAX_UNCOMPRESSED_BLOCK, into)
  } catch (err) {
    throw corruption('corrupted compressed block contents', err as Error)
  }
}
