// What both Snappy compressors (snappy.ts in TypeScript, snappy-wasm-compressor.ts in WebAssembly)
// share of the raw format: the fragment size, the output bound and the length preamble.

/** Snappy compresses independent 64 KiB fragments, so every match offset fits in 16 bits. */
export const FRAGMENT_SIZE = 1 << 16

/** The most bytes a stream of `length` input bytes takes, preamble included (Snappy's bound). */
export function maxCompressedLength (length: number): number {
  return 32 + length + Math.floor(length / 6)
}

/** Writes `length` as the stream's varint preamble at out[at] and returns the position after it. */
export function putLengthPreamble (out: Uint8Array, at: number, length: number): number {
  while (length >= 0x80) {
    out[at++] = (length & 0x7f) | 0x80
    length = Math.floor(length / 0x80)
  }
  out[at++] = length
  return at
}
