// The key a point lookup seeks: the user key followed by a tag carrying the read's sequence, in
// a buffer reused from lookup to lookup. Its views are remade only when the key length changes,
// so looking up keys of one length allocates nothing.
import { TAG_SIZE, VALUE_TYPE_FOR_SEEK, writeTag } from './internal-key'

// Longer keys get a buffer of their own per lookup rather than one kept at their size.
const MAX_KEPT_BYTES = 4096
const SHORT_COPY = 32

export class LookupKey {
  private bytes: Buffer = Buffer.allocUnsafeSlow(64)
  // bytes[0, user key length) and bytes[0, user key length + TAG_SIZE).
  private user: Buffer = this.bytes.subarray(0, 0)
  private internal: Buffer = this.bytes.subarray(0, TAG_SIZE)

  // Valid until the next set().
  get userKey (): Buffer {
    return this.user
  }

  get internalKey (): Buffer {
    return this.internal
  }

  set (userKey: Uint8Array, sequence: number): void {
    const n = userKey.length
    let bytes = this.bytes
    if (n + TAG_SIZE > bytes.length) {
      const needed = n + TAG_SIZE
      bytes = Buffer.allocUnsafeSlow(needed > MAX_KEPT_BYTES ? needed : Math.min(MAX_KEPT_BYTES, Math.max(needed, 2 * bytes.length)))
      if (bytes.length <= MAX_KEPT_BYTES) this.bytes = bytes
      this.remakeViews(bytes, n)
    } else if (n !== this.user.length) {
      this.remakeViews(bytes, n)
    }
    if (n <= SHORT_COPY) {
      for (let i = 0; i < n; i++) bytes[i] = userKey[i]
    } else {
      bytes.set(userKey)
    }
    writeTag(bytes, n, sequence, VALUE_TYPE_FOR_SEEK)
  }

  private remakeViews (bytes: Buffer, userKeyLength: number): void {
    this.user = bytes.subarray(0, userKeyLength)
    this.internal = bytes.subarray(0, userKeyLength + TAG_SIZE)
  }
}
