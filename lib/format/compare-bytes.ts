// Byte-wise comparison of a[aStart..aEnd) with b[bStart..bEnd). A JS loop beats Buffer.compare's
// native call for the short keys that dominate, so native comparison is
// used only once a long common prefix has been found.
const NATIVE_AFTER = 32

export function compareByteSlices (a: Uint8Array, aStart: number, aEnd: number, b: Uint8Array, bStart: number, bEnd: number): number {
  const aLength = aEnd - aStart
  const bLength = bEnd - bStart
  const n = aLength < bLength ? aLength : bLength
  const loopEnd = n < NATIVE_AFTER ? n : NATIVE_AFTER
  for (let i = 0; i < loopEnd; i++) {
    const d = a[aStart + i] - b[bStart + i]
    if (d !== 0) return d
  }
  if (n > NATIVE_AFTER) {
    const r = Buffer.compare(a.subarray(aStart + NATIVE_AFTER, aStart + n), b.subarray(bStart + NATIVE_AFTER, bStart + n))
    if (r !== 0) return r
  }
  return aLength - bLength
}

export function compareBytes (a: Uint8Array, aLength: number, b: Uint8Array, bLength: number): number {
  return compareByteSlices(a, 0, aLength, b, 0, bLength)
}
