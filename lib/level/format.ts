// The private abstract-level API hands us keys and values in one of the formats
// declared in the manifest; the engine only speaks Buffer.
import { asBuffer } from '../format/key-buffer'
import { platform } from '../platform/node'

export type Data = Buffer | Uint8Array | string
export type Format = 'buffer' | 'view' | 'utf8'

export function toBuffer (data: Data): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8')
  return asBuffer(data)
}

// A Buffer is a Uint8Array, so it serves both the 'buffer' and 'view' formats. `buffer` must be
// the caller's to give away (the engine's get() returns such copies).
export function fromBuffer (buffer: Buffer, format: Format): Data {
  return format === 'utf8' ? platform.utf8Slice(buffer, 0, buffer.length) : buffer
}

// For bytes the engine still owns, such as an iterator's current key and value (ranges of cached
// blocks and memtable arenas): the one copy the user gets, bytes of their own that they may
// change freely. A utf8 string is decoded straight from the engine's bytes. Both through the
// platform (natively in a browser, where Buffer is a JavaScript shim).
export function fromRange (bytes: Buffer, start: number, end: number, format: Format): Data {
  if (format === 'utf8') return platform.utf8Slice(bytes, start, end)
  return format === 'buffer' ? platform.copyToBuffer(bytes, start, end) : platform.copyToView(bytes, start, end)
}

// Keys longer than this many UTF-16 code units get a Buffer of their own (3 bytes each at most).
const MAX_SCRATCH_KEY = 1024
const ASCII_LIMIT = 0x80
const scratch = Buffer.allocUnsafeSlow(MAX_SCRATCH_KEY * 3)
let scratchView = scratch.subarray(0, 0)

// A key for an engine call that is done with it before returning (point lookups): a string is
// encoded into a buffer reused from call to call, not into a new Buffer per lookup. The result
// is valid only until the next call.
export function toLookupBuffer (data: Data): Buffer {
  if (typeof data !== 'string' || data.length > MAX_SCRATCH_KEY) return toBuffer(data)
  const n = data.length
  let i = 0
  for (; i < n; i++) {
    const c = data.charCodeAt(i)
    if (c >= ASCII_LIMIT) break
    scratch[i] = c
  }
  const length = i === n ? n : scratch.write(data, 0, 'utf8')
  if (length !== scratchView.length) scratchView = scratch.subarray(0, length)
  return scratchView
}
