// What both Snappy compressors (snappy.ts in TypeScript, snappy-wasm-compressor.ts in WebAssembly)
// share of the raw format: the fragment size and the output bound. The stream's length preamble is a
// varint (putVarint in coding.ts).

/** Snappy compresses independent 64 KiB fragments, so every match offset fits in 16 bits. */
export const FRAGMENT_SIZE = 1 << 16

/** The most bytes a stream of `length` input bytes takes, preamble included (Snappy's bound). */
export function maxCompressedLength (length: number): number {
  return 32 + length + Math.floor(length / 6)
}
