// One key at a time in a buffer reused from key to key, for code that must remember the previous
// key (builders, prefix-compressed block entries, compaction): no allocation once the buffer has
// grown to the longest key.
const SHORT_COPY = 32

// A copy with an ArrayBuffer of its own: a view would keep its whole source buffer (a block, an
// arena chunk, an 8 KiB pool slab) alive, and cloning it for another thread would copy all of it.
export function copyBytes (bytes: Uint8Array): Buffer {
  return Buffer.from(new Uint8Array(bytes).buffer)
}

// The same bytes as a Buffer, without copying (a Uint8Array that crossed a thread, or came
// from a user, is not a Buffer).
export function asBuffer (bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

export class KeyBuffer {
  bytes: Buffer
  length = 0

  constructor (initialSize = 64) {
    this.bytes = Buffer.allocUnsafe(initialSize)
  }

  set (source: Uint8Array, start: number, end: number): void {
    this.replaceTail(0, source, start, end)
  }

  // Keeps the first `keep` bytes and appends source[start, end): a prefix-compressed key's delta.
  replaceTail (keep: number, source: Uint8Array, start: number, end: number): void {
    const length = keep + end - start
    if (length > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(length, this.bytes.length * 2))
      this.bytes.copy(grown, 0, 0, keep)
      this.bytes = grown
    }
    const bytes = this.bytes
    if (end - start <= SHORT_COPY) {
      for (let i = start, o = keep; i < end; i++, o++) bytes[o] = source[i]
    } else {
      bytes.set(source.subarray(start, end), keep)
    }
    this.length = length
  }

  // Valid until the next set() or replaceTail().
  view (): Buffer {
    return this.bytes.subarray(0, this.length)
  }

  copy (): Buffer {
    return copyBytes(this.view())
  }
}
