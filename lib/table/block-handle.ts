// Pointers to blocks inside a table file, and the fixed-size footer that anchors a table.
import { Cursor, getVarint, putFixed32, putVarint } from '../format/coding'
import { corruption } from '../util/errors'

export interface BlockHandle {
  offset: number
  size: number
}

// Two varint64s.
export const MAX_BLOCK_HANDLE_LENGTH = 20
export const FOOTER_LENGTH = 2 * MAX_BLOCK_HANDLE_LENGTH + 8
// Every block is followed by a 1-byte compression type and a 4-byte masked CRC.
export const BLOCK_TRAILER_SIZE = 5

// kTableMagicNumber 0xdb4775248b80fb57, stored as a little-endian fixed64.
const MAGIC_LOW = 0x8b80fb57
const MAGIC_HIGH = 0xdb477524

export function encodeBlockHandle (handle: BlockHandle): Buffer {
  const buf = Buffer.allocUnsafe(MAX_BLOCK_HANDLE_LENGTH)
  return buf.subarray(0, putBlockHandle(buf, 0, handle.offset, handle.size))
}

// Writes the handle of the block at blockOffset, blockSize bytes long, at buf[offset]; returns where it ends.
export function putBlockHandle (buf: Buffer, offset: number, blockOffset: number, blockSize: number): number {
  return putVarint(buf, putVarint(buf, offset, blockOffset), blockSize)
}

// Extra bytes after the handle are allowed (LevelDB reserves them for future use).
export function decodeBlockHandle (buf: Buffer, cursor: Cursor = { offset: 0 }, limit: number = buf.length): BlockHandle {
  const offset = getVarint(buf, cursor, limit)
  const size = getVarint(buf, cursor, limit)
  return { offset, size }
}

export interface Footer {
  metaindexHandle: BlockHandle
  indexHandle: BlockHandle
}

export function encodeFooter (footer: Footer): Buffer {
  const buf = Buffer.alloc(FOOTER_LENGTH)
  const { metaindexHandle, indexHandle } = footer
  putBlockHandle(buf, putBlockHandle(buf, 0, metaindexHandle.offset, metaindexHandle.size), indexHandle.offset, indexHandle.size)
  putFixed32(buf, FOOTER_LENGTH - 8, MAGIC_LOW)
  putFixed32(buf, FOOTER_LENGTH - 4, MAGIC_HIGH)
  return buf
}

export function decodeFooter (buf: Buffer): Footer {
  if (buf.length < FOOTER_LENGTH) throw corruption('truncated table footer')
  const magicAt = buf.length - 8
  if (buf.readUInt32LE(magicAt) !== MAGIC_LOW || buf.readUInt32LE(magicAt + 4) !== MAGIC_HIGH) {
    throw corruption('not an sstable (bad magic number)')
  }
  const cursor: Cursor = { offset: buf.length - FOOTER_LENGTH }
  const metaindexHandle = decodeBlockHandle(buf, cursor, magicAt)
  const indexHandle = decodeBlockHandle(buf, cursor, magicAt)
  return { metaindexHandle, indexHandle }
}
