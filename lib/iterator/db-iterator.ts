import { checkedTypeAt, sequenceAt, TAG_SIZE, ValueType, VALUE_TYPE_FOR_SEEK, makeInternalKey } from '../format/internal-key'
import { KeyBuffer } from '../format/key-buffer'
import { emptyEntryRanges, setEntryRanges } from './entry-ranges'
import type { EntryRanges } from './entry-ranges'
import type { InternalIterator } from './iterator'

type Direction = 'forward' | 'reverse'

const LARGE_SAVED_VALUE = 1024 * 1024

// The user-visible view of an internal iterator at one snapshot: only the newest version of
// each user key with sequence <= snapshot, and nothing for keys whose newest version is a
// deletion.
//
// Going forward the internal iterator sits on the entry being yielded, whose ranges are in
// `entry`. Going in reverse it sits just before all entries of the yielded user key, whose key and
// value are copied into savedKey and savedValue. savedKey also holds the user key being skipped while scanning forward. The scan reads
// entries as ranges (readEntry) and makes no views or allocations per entry: only those copies,
// into buffers reused from entry to entry.
export class DBIterator {
  private direction: Direction = 'forward'
  private isValid = false
  private readonly entry: EntryRanges = emptyEntryRanges()
  private readonly savedKey = new KeyBuffer()
  private savedValue = new KeyBuffer()
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
    if (!this.isValid) throw new Error('DBIterator is not positioned at an entry')
    const internal = this.internal
    if (this.direction === 'reverse') {
      // internal sits before the entries of key(); step into them, then skip them all below. Going
      // forward needs no saved value.
      this.direction = 'forward'
      this.releaseSavedValue()
      if (internal.valid()) internal.next()
      else internal.seekToFirst()
      if (!internal.valid()) {
        this.isValid = false
        this.clearSaved()
        return
      }
    } else {
      // internal sits on the entry being yielded: step past it before scanning, as LevelDB does,
      // rather than reading it again only to find it has the saved key.
      const entry = this.entry
      this.savedKey.set(entry.keyBytes, entry.keyStart, entry.keyEnd - TAG_SIZE)
      internal.next()
      if (!internal.valid()) {
        this.isValid = false
        this.clearSaved()
        return
      }
    }
    this.findNextUserEntry(true)
  }

  prev (): void {
    this.requireValid()
    const internal = this.internal
    if (this.direction === 'forward') {
      // Back up past every entry of the current user key so the reverse scan starts before it.
      const entry = this.entry
      this.saveKey(entry)
      while (true) {
        internal.prev()
        if (!internal.valid()) {
          this.isValid = false
          this.clearSaved()
          return
        }
        internal.readEntry(entry)
        if (!this.isSaved(entry)) break
      }
      this.direction = 'reverse'
    }
    this.findPrevUserEntry()
  }

  // The current user key and value as ranges, valid until this iterator moves.
  readEntry (into: EntryRanges): void {
    if (!this.isValid) throw new Error('DBIterator is not positioned at an entry')
    if (this.direction === 'forward') {
      const entry = this.entry
      into.keyBytes = entry.keyBytes
      into.keyStart = entry.keyStart
      into.keyEnd = entry.keyEnd - TAG_SIZE
      into.valueBytes = entry.valueBytes
      into.valueStart = entry.valueStart
      into.valueEnd = entry.valueEnd
    } else {
      setEntryRanges(into, this.savedKey.bytes, 0, this.savedKey.length, this.savedValue.bytes, 0, this.savedValue.length)
    }
  }

  // A copy of the current user key, which the caller may keep.
  key (): Buffer {
    this.requireValid()
    if (this.direction === 'forward') {
      const { keyBytes, keyStart, keyEnd } = this.entry
      return Buffer.from(keyBytes.subarray(keyStart, keyEnd - TAG_SIZE))
    }
    return this.savedKey.copy()
  }

  value (): Buffer {
    this.requireValid()
    return this.direction === 'forward' ? this.internal.value() : this.savedValue.copy()
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
    const entry = this.entry
    const savedKey = this.savedKey
    do {
      internal.readEntry(entry)
      const { keyBytes, keyStart, keyEnd } = entry
      const type = checkedTypeAt(keyBytes, keyStart, keyEnd)
      const userKeyEnd = keyEnd - TAG_SIZE
      if (sequenceAt(keyBytes, userKeyEnd) <= this.sequence) {
        if (type === ValueType.Deletion) {
          savedKey.set(keyBytes, keyStart, userKeyEnd)
          skipping = true
        } else if (!skipping || !this.isSaved(entry)) {
          this.isValid = true
          // Going forward the saved value is empty (see next()): only the key needs clearing.
          savedKey.length = 0
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
    const entry = this.entry
    let valueType = ValueType.Deletion
    while (internal.valid()) {
      internal.readEntry(entry)
      const { keyBytes, keyStart, keyEnd } = entry
      const type = checkedTypeAt(keyBytes, keyStart, keyEnd)
      if (sequenceAt(keyBytes, keyEnd - TAG_SIZE) <= this.sequence) {
        if (valueType !== ValueType.Deletion && !this.isSaved(entry)) break
        valueType = type
        if (type === ValueType.Deletion) {
          this.clearSaved()
        } else {
          this.saveKey(entry)
          this.savedValue.set(entry.valueBytes, entry.valueStart, entry.valueEnd)
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

  // Copies the user key part of an internal entry's key.
  private saveKey (internalEntry: EntryRanges): void {
    this.savedKey.set(internalEntry.keyBytes, internalEntry.keyStart, internalEntry.keyEnd - TAG_SIZE)
  }

  private clearSaved (): void {
    this.savedKey.length = 0
    this.releaseSavedValue()
  }

  private releaseSavedValue (): void {
    this.savedValue.length = 0
    // Like LevelDB, let go of a buffer grown for one large value.
    if (this.savedValue.bytes.length > LARGE_SAVED_VALUE) this.savedValue = new KeyBuffer()
  }

  // Whether the user key part of an internal entry's key is the saved user key. Every caller
  // meets the entries of one user key one after another (the internal iterator is sorted and the
  // saved key is the last one passed), so equality is all it needs to ask, and keys that differ
  // mostly differ in their last bytes (counters, zero-padded numbers), where this starts.
  private isSaved (internalEntry: EntryRanges): boolean {
    const { keyBytes, keyStart } = internalEntry
    const saved = this.savedKey
    const length = saved.length
    if (internalEntry.keyEnd - TAG_SIZE - keyStart !== length) return false
    const savedBytes = saved.bytes
    for (let i = length - 1; i >= 0; i--) {
      if (keyBytes[keyStart + i] !== savedBytes[i]) return false
    }
    return true
  }

  private requireValid (): void {
    if (!this.isValid) throw new Error('DBIterator is not positioned at an entry')
  }
}
