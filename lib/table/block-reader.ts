// Reads one block's contents from a table file: payload, 1-byte compression type, masked CRC32C.
import type { RandomAccessFile } from '../env/env'
import { crc32cOf, unmask } from '../format/crc32c'
import { MAX_SNAPPY_EXPANSION, snappyUncompress, snappyUncompressedLength } from '../format/snappy'
import { corruption } from '../util/errors'
import { BLOCK_TRAILER_SIZE, BlockHandle } from './block-handle'
import type { BlockCache } from './block-cache'

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
// window) and its contents decoded or copied into a buffer of its own, from `buffers` when given
// (see BlockCache.take: a point lookup's miss allocates no block buffer once the cache has evicted
// blocks).
export function readBlockToKeep (file: RandomAccessFile, offset: number, size: number, verifyChecksums: boolean, buffers?: BlockCache): Buffer {
  const length = size + BLOCK_TRAILER_SIZE
  if (length > readScratch.length && length <= MAX_SCRATCH_READ) readScratch = Buffer.allocUnsafeSlow(MAX_SCRATCH_READ)
  const raw = length > MAX_SCRATCH_READ ? file.read(offset, length) : file.read(offset, length, readScratch)
  checkBlock(raw, size, verifyChecksums)
  switch (raw[size]) {
    case CompressionType.None: {
      const contents = buffers !== undefined ? buffers.take(size) : Buffer.allocUnsafeSlow(size)
      raw.copy(contents, 0, 0, size)
      return contents
    }
    case CompressionType.Snappy: {
      const compressed = raw.subarray(0, size)
      return uncompressSnappy(compressed, buffers?.take(uncompressedLength(compressed)))
    }
    default:
      throw corruption(`unknown block compression type ${raw[size]}`)
  }
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

// The declared length of a compressed block, bounded as snappyUncompress bounds it, so that a corrupt
// header cannot make the cache hand out a huge buffer.
function uncompressedLength (compressed: Buffer): number {
  let length: number
  try {
    length = snappyUncompressedLength(compressed)
  } catch (err) {
    throw corruption('corrupted compressed block contents', err as Error)
  }
  if (length > MAX_UNCOMPRESSED_BLOCK || length > compressed.length * MAX_SNAPPY_EXPANSION) {
    throw corruption(`corrupted compressed block contents: uncompressed length ${length} for ${compressed.length} stored bytes`)
  }
  return length
}

function uncompressSnappy (compressed: Buffer, into: Buffer | undefined): Buffer {
  try {
    return snappyUncompress(compressed, MAX_UNCOMPRESSED_BLOCK, into)
  } catch (err) {
    throw corruption('corrupted compressed block contents', err as Error)
  }
}
