import { checkedTypeAt, sequenceOf, TAG_SIZE, ValueType, VALUE_TYPE_FOR_SEEK, makeInternalKey } from '../format/internal-key'
import { compareBytes } from '../format/compare-bytes'
import type { InternalIterator } from './iterator'

type Direction = 'forward' | 'reverse'

// The user-visible view of an internal iterator at one snapshot: only the newest version of
// each user key with sequence <= snapshot, and nothing for keys whose newest version is a
// deletion.
//
// Going forward the internal iterator sits on the entry being yielded. Going in reverse it sits
// just before all entries of the yielded user key, whose key and value are kept in savedKey and
// savedValue. Saved keys are whole internal keys with savedKeyLength marking the user key part,
// so no slicing is needed while scanning.
export class DBIterator {
  private direction: Direction = 'forward'
  private isValid = false
  private savedKey: Buffer | undefined = undefined
  private savedKeyLength = 0
  private savedValue: Buffer | undefined = undefined
  private closed = false

  constructor (
    private readonly internal: InternalIterator,
    private readonly sequence: number,
    private readonly onClose?: () => void
  ) {}

  valid (): boolean {
    return this.isValid
  }

  seekToFirst (): void {
    this.direction = 'forward'
    this.clearSaved()
    this.internal.seekToFirst()
    if (this.internal.valid()) this.findNextUserEntry(false)
    else this.isValid = false
  }

  seekToLast (): void {
    this.direction = 'reverse'
    this.clearSaved()
    this.internal.seekToLast()
    this.findPrevUserEntry()
  }

  // Positions at the first visible user key >= target.
  seek (target: Buffer): void {
    this.direction = 'forward'
    this.clearSaved()
    this.internal.seek(makeInternalKey(target, this.sequence, VALUE_TYPE_FOR_SEEK))
    if (this.internal.valid()) this.findNextUserEntry(false)
    else this.isValid = false
  }

  next (): void {
    this.requireValid()
    const internal = this.internal
    if (this.direction === 'reverse') {
      // internal sits before the entries of key(); step into them, then skip them all below.
      this.direction = 'forward'
      if (internal.valid()) internal.next()
      else internal.seekToFirst()
      if (!internal.valid()) {
        this.isValid = false
        this.clearSaved()
        return
      }
    } else {
      this.saveKey(internal.key())
    }
    this.findNextUserEntry(true)
  }

  prev (): void {
    this.requireValid()
    const internal = this.internal
    if (this.direction === 'forward') {
      // Back up past every entry of the current user key so the reverse scan starts before it.
      this.saveKey(internal.key())
      while (true) {
        internal.prev()
        if (!internal.valid()) {
          this.isValid = false
          this.clearSaved()
          return
        }
        const key = internal.key()
        if (this.compareWithSaved(key) < 0) break
      }
      this.direction = 'reverse'
    }
    this.findPrevUserEntry()
  }

  key (): Buffer {
    this.requireValid()
    if (this.direction === 'forward') {
      const key = this.internal.key()
      return key.subarray(0, key.length - TAG_SIZE)
    }
    return (this.savedKey as Buffer).subarray(0, this.savedKeyLength)
  }

  value (): Buffer {
    this.requireValid()
    return this.direction === 'forward' ? this.internal.value() : this.savedValue as Buffer
  }

  close (): void {
    if (this.closed) return
    this.closed = true
    this.isValid = false
    this.clearSaved()
    this.internal.close()
    if (this.onClose !== undefined) this.onClose()
  }

  // Scans forward from the internal position to the next visible entry. With skipping set,
  // entries whose user key is <= the saved key are hidden (already yielded or deleted).
  private findNextUserEntry (skipping: boolean): void {
    const internal = this.internal
    do {
      const key = internal.key()
      const type = checkedTypeAt(key, 0, key.length)
      if (sequenceOf(key) <= this.sequence) {
        if (type === ValueType.Deletion) {
          this.saveKey(key)
          skipping = true
        } else if (!skipping || this.compareWithSaved(key) > 0) {
          this.isValid = true
          this.clearSaved()
          return
        }
      }
      internal.next()
    } while (internal.valid())
    this.clearSaved()
    this.isValid = false
  }

  // Scans backward, remembering the newest visible version of the user key being passed, until
  // the scan reaches an earlier user key while holding a live (non-deleted) value.
  private findPrevUserEntry (): void {
    const internal = this.internal
    let valueType = ValueType.Deletion
    while (internal.valid()) {
      const key = internal.key()
      const type = checkedTypeAt(key, 0, key.length)
      if (sequenceOf(key) <= this.sequence) {
        if (valueType !== ValueType.Deletion && this.compareWithSaved(key) < 0) break
        valueType = type
        if (type === ValueType.Deletion) {
          this.clearSaved()
        } else {
          this.saveKey(key)
          this.savedValue = internal.value()
        }
      }
      internal.prev()
    }
    if (valueType === ValueType.Deletion) {
      this.isValid = false
      this.clearSaved()
      this.direction = 'forward'
    } else {
      this.isValid = true
    }
  }

  private saveKey (internalKey: Buffer): void {
    this.savedKey = internalKey
    this.savedKeyLength = internalKey.length - TAG_SIZE
  }

  private clearSaved (): void {
    this.savedKey = undefined
    this.savedValue = undefined
  }

  // Compares the user key part of an internal key with the saved user key.
  private compareWithSaved (internalKey: Buffer): number {
    return compareBytes(internalKey, internalKey.length - TAG_SIZE, this.savedKey as Buffer, this.savedKeyLength)
  }

  private requireValid (): void {
    if (!this.isValid) throw new Error('DBIterator is not positioned at an entry')
  }
}
