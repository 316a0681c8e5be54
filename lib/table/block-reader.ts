// Reads one block's contents from a table file: payload, 1-byte compression type, masked CRC32C.
import type { RandomAccessFile } from '../env/env'
import { crc32cOf, unmask } from '../format/crc32c'
import { snappyUncompress } from '../format/snappy'
import { corruption } from '../util/errors'
import { BLOCK_TRAILER_SIZE, BlockHandle } from './block-handle'

export const enum CompressionType {
  None = 0,
  Snappy = 1
}

// A compressed block is decoded into `into` when it fits there (see snappyUncompress), for a
// reader that is done with the previous block before it reads the next.
export function readBlockContents (file: RandomAccessFile, handle: BlockHandle, verifyChecksums: boolean, into?: Buffer): Buffer {
  return decodeBlock(file.read(handle.offset, handle.size + BLOCK_TRAILER_SIZE), handle.size, verifyChecksums, into, false)
}

// Stored blocks up to this size are read into one buffer reused from read to read.
const MAX_SCRATCH_READ = 64 * 1024
let readScratch = Buffer.allocUnsafeSlow(8 * 1024)

// As readBlockContents, for a block a cache will keep: its stored bytes are read into a reused
// buffer, so the block's own contents are the only allocation (a compressed block's stored bytes
// are dropped once decoded).
export function readBlockToKeep (file: RandomAccessFile, handle: BlockHandle, verifyChecksums: boolean): Buffer {
  const length = handle.size + BLOCK_TRAILER_SIZE
  if (length > MAX_SCRATCH_READ) return readBlockContents(file, handle, verifyChecksums)
  if (length > readScratch.length) readScratch = Buffer.allocUnsafeSlow(MAX_SCRATCH_READ)
  return decodeBlock(file.read(handle.offset, length, readScratch), handle.size, verifyChecksums, undefined, true)
}

// raw is the stored block: payload, type byte and checksum. A payload in a reused buffer is copied.
function decodeBlock (raw: Buffer, n: number, verifyChecksums: boolean, into: Buffer | undefined, rawIsReused: boolean): Buffer {
  if (raw.length !== n + BLOCK_TRAILER_SIZE) throw corruption('truncated block read')
  if (verifyChecksums) {
    const expected = unmask(raw.readUInt32LE(n + 1))
    // The CRC covers the payload and the type byte.
    if (crc32cOf(raw.subarray(0, n + 1)) !== expected) throw corruption('block checksum mismatch')
  }
  switch (raw[n]) {
    case CompressionType.None:
      return rawIsReused ? Buffer.from(raw.subarray(0, n)) : raw.subarray(0, n)
    case CompressionType.Snappy:
      return uncompressSnappy(raw.subarray(0, n), into)
    default:
      throw corruption(`unknown block compression type ${raw[n]}`)
  }
}

// Bounds the allocation a corrupt length header could ask for.
const MAX_UNCOMPRESSED_BLOCK = 256 * 1024 * 1024

function uncompressSnappy (compressed: Buffer, into: Buffer | undefined): Buffer {
  try {
    return snappyUncompress(compressed, MAX_UNCOMPRESSED_BLOCK, into)
  } catch (err) {
    throw corruption('corrupted compressed block contents', err as Error)
  }
}
