import { crc32c } from '@node-rs/crc32'

// LevelDB stores CRCs "masked" so that a CRC of data that itself contains CRCs stays well distributed.
const MASK_DELTA = 0xa282ead8

export function mask (crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0
}

export function unmask (masked: number): number {
  const rot = (masked - MASK_DELTA) >>> 0
  return ((rot >>> 17) | (rot << 15)) >>> 0
}

export function crc32cOf (data: Uint8Array, initial = 0): number {
  return crc32c(data as Buffer, initial) >>> 0
}

export function maskedCrc (data: Uint8Array, initial = 0): number {
  return mask(crc32cOf(data, initial))
}
