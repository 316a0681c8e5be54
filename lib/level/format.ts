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

// For bytes the engine still owns, such as an iterator's key and value (views of cached blocks
// and memtable arenas): the user gets bytes of their own, which they may change freely.
export function fromView (view: Buffer, format: Format): Data {
  return format === 'utf8' ? view.toString('utf8') : Buffer.from(view)
}
