// The private abstract-level API hands us keys and values in one of the formats
// declared in the manifest; the engine only speaks Buffer.
import { asBuffer } from '../format/key-buffer'

export type Data = Buffer | Uint8Array | string
export type Format = 'buffer' | 'view' | 'utf8'

export function toBuffer (data: Data): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8')
  return asBuffer(data)
}

// A Buffer is a Uint8Array, so it serves both the 'buffer' and 'view' formats. `buffer` must be
// the caller's to give away (the engine's get() returns such copies).
export function fromBuffer (buffer: Buffer, format: Format): Data {
  return format === 'utf8' ? buffer.toString('utf8') : buffer
}

// For bytes the engine still owns, such as an iterator's current key and value (ranges of cached
// blocks and memtable arenas): the one copy the user gets, bytes of their own that they may
// change freely. A utf8 string is decoded straight from the engine's bytes (toString() decodes
// utf8 when given no encoding, without looking an encoding up by name).
export function fromRange (bytes: Buffer, start: number, end: number, format: Format): Data {
  if (format === 'utf8') return bytes.toString(undefined, start, end)
  const copy = Buffer.allocUnsafe(end - start)
  bytes.copy(copy, 0, start, end)
  return copy
}
