// CRC32C (Castagnoli), as LevelDB checksums log records and table blocks. The optional
// `@node-rs/crc32` addon computes it natively when it is installed and loads on this runtime;
// otherwise a table-driven TypeScript version (slicing by 8 bytes) gives the same values.

// LevelDB stores CRCs "masked" so that a CRC of data that itself contains CRCs stays well distributed.
const MASK_DELTA = 0xa282ead8
// The reflected Castagnoli polynomial.
const POLYNOMIAL = 0x82f63b78

export type Crc32cFunction = (data: Uint8Array, initial: number) => number

// TABLES[k][b]: the CRC of byte b followed by k zero bytes, for slicing by 8.
const TABLES: Uint32Array[] = buildTables()

function buildTables (): Uint32Array[] {
  const tables = Array.from({ length: 8 }, () => new Uint32Array(256))
  for (let b = 0; b < 256; b++) {
    let crc = b
    for (let bit = 0; bit < 8; bit++) crc = (crc & 1) !== 0 ? (crc >>> 1) ^ POLYNOMIAL : crc >>> 1
    tables[0][b] = crc >>> 0
  }
  for (let b = 0; b < 256; b++) {
    for (let k = 1; k < 8; k++) tables[k][b] = (tables[k - 1][b] >>> 8) ^ tables[0][tables[k - 1][b] & 0xff]
  }
  return tables
}

export function crc32cTypeScript (data: Uint8Array, initial = 0): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES
  let crc = ~initial >>> 0
  let i = 0
  const end8 = data.length - (data.length & 7)
  while (i < end8) {
    const lo = (crc ^ (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24))) >>> 0
    crc = t7[lo & 0xff] ^ t6[(lo >>> 8) & 0xff] ^ t5[(lo >>> 16) & 0xff] ^ t4[lo >>> 24] ^
      t3[data[i + 4]] ^ t2[data[i + 5]] ^ t1[data[i + 6]] ^ t0[data[i + 7]]
    i += 8
  }
  while (i < data.length) crc = (crc >>> 8) ^ t0[(crc ^ data[i++]) & 0xff]
  return ~crc >>> 0
}

// Undefined when the addon is not installed or has no binary for this platform and runtime.
export function loadNativeCrc32c (): Crc32cFunction | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- an optional dependency, loaded only if present
    const { crc32c } = require('@node-rs/crc32') as { crc32c: (data: Buffer, initial: number) => number }
    return (data, initial) => crc32c(data as Buffer, initial) >>> 0
  } catch {
    return undefined
  }
}

const nativeCrc32c = loadNativeCrc32c()

// Which implementation this process uses.
export const crc32cImplementation: 'native' | 'typescript' = nativeCrc32c === undefined ? 'typescript' : 'native'

const computeCrc32c: Crc32cFunction = nativeCrc32c ?? crc32cTypeScript

export function mask (crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0
}

export function unmask (masked: number): number {
  const rot = (masked - MASK_DELTA) >>> 0
  return ((rot >>> 17) | (rot << 15)) >>> 0
}

export function crc32cOf (data: Uint8Array, initial = 0): number {
  return computeCrc32c(data, initial)
}

export function maskedCrc (data: Uint8Array, initial = 0): number {
  return mask(crc32cOf(data, initial))
}
