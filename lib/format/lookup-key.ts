// The key a point lookup seeks: the user key followed by a tag carrying the read's sequence, in
// a buffer reused from lookup to lookup. Its views are remade only when the key length changes,
// so looking up keys of one length allocates nothing, and a string key is encoded straight into
// it rather than into a Buffer of its own first.
import { TAG_SIZE, VALUE_TYPE_FOR_SEEK, writeTag } from './internal-key'

// Longer keys get a buffer of their own per lookup rather than one kept at their size.
const MAX_KEPT_BYTES = 4096
const SHORT_COPY = 32
const ASCII_LIMIT = 0x80
// A UTF-16 code unit takes at most 3 bytes of UTF-8.
const MAX_UTF8_BYTES_PER_UNIT = 3

export class LookupKey {
  private bytes: Buffer = Buffer.allocUnsafeSlow(64)
  // bytes[0, user key length) and bytes[0, user key length + TAG_SIZE).
  private user: Buffer = this.bytes.subarray(0, 0)
  private internal: Buffer = this.bytes.subarray(0, TAG_SIZE)
  // The buffer those views were made of, and the user key length they were made for: compared on
  // every set() instead of the views' own buffer and length, which are getters (reading a view's
  // ArrayBuffer cost as much as encoding a 16-byte key).
  private viewsOf: Buffer = this.bytes
  private userLength = 0

  // Valid until the next set().
  get userKey (): Buffer {
    return this.user
  }

  get internalKey (): Buffer {
    return this.internal
  }

  set (userKey: Uint8Array | string, sequence: number): void {
    if (typeof userKey === 'string') return this.setString(userKey, sequence)
    const n = userKey.length
    const bytes = this.room(n)
    if (n !== this.userLength || bytes !== this.viewsOf) this.remakeViews(bytes, n)
    if (n <= SHORT_COPY) {
      for (let i = 0; i < n; i++) bytes[i] = userKey[i]
    } else {
      bytes.set(userKey)
    }
    writeTag(bytes, n, sequence, VALUE_TYPE_FOR_SEEK)
  }

  // The key's UTF-8 bytes: ASCII is written a code unit at a time, anything else by Buffer#write.
  private setString (userKey: string, sequence: number): void {
    const units = userKey.length
    const bytes = this.room(units * MAX_UTF8_BYTES_PER_UNIT)
    let n = 0
    for (; n < units; n++) {
      const c = userKey.charCodeAt(n)
      if (c >= ASCII_LIMIT) break
      bytes[n] = c
    }
    if (n < units) n = bytes.write(userKey, 0, 'utf8')
    if (n !== this.userLength || bytes !== this.viewsOf) this.remakeViews(bytes, n)
    writeTag(bytes, n, sequence, VALUE_TYPE_FOR_SEEK)
  }

  // A buffer with room for a user key of up to `length` bytes and its tag.
  private room (length: number): Buffer {
    const needed = length + TAG_SIZE
    const bytes = this.bytes
    if (needed <= bytes.length) return bytes
    const grown = Buffer.allocUnsafeSlow(needed > MAX_KEPT_BYTES ? needed : Math.min(MAX_KEPT_BYTES, Math.max(needed, 2 * bytes.length)))
    if (grown.length <= MAX_KEPT_BYTES) this.bytes = grown
    return grown
  }

  private remakeViews (bytes: Buffer, userKeyLength: number): void {
    this.viewsOf = bytes
    this.userLength = userKeyLength
    this.user = bytes.subarray(0, userKeyLength)
    this.internal = bytes.subarray(0, userKeyLength + TAG_SIZE)
  }
}
