// Byte-wise comparison of the first aLength bytes of a with the first bLength bytes of b.
// A JS loop beats Buffer.compare's native call for the short keys that dominate (about 3x at
// 16 bytes), so native comparison is used only once a long common prefix has been found.
const NATIVE_AFTER = 32

export function compareBytes (a: Uint8Array, aLength: number, b: Uint8Array, bLength: number): number {
  const n = aLength < bLength ? aLength : bLength
  const loopEnd = n < NATIVE_AFTER ? n : NATIVE_AFTER
  for (let i = 0; i < loopEnd; i++) {
    const d = a[i] - b[i]
    if (d !== 0) return d
  }
  if (n > NATIVE_AFTER) {
    const r = Buffer.compare(a.subarray(NATIVE_AFTER, n), b.subarray(NATIVE_AFTER, n))
    if (r !== 0) return r
  }
  return aLength - bLength
}
