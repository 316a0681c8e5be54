// Builds one block: prefix-compressed entries, then the restart array and its length.
// Entry layout: varint shared, varint nonShared, varint valueLength, key delta, value.
import { ByteWriter, withRoomForOneMore } from '../format/coding'
import { KeyBuffer } from '../format/key-buffer'

export class BlockBuilder {
  private readonly buffer = new ByteWriter(4096)
  // Offsets of the restart points, restarts[0, restartCount); reused from block to block.
  private restarts: Uint32Array = new Uint32Array(64)
  private restartCount = 1
  private counter = 0
  // The last key added since reset(); callers may read it but must not change it.
  readonly lastKey = new KeyBuffer()
  private finished = false

  constructor (private readonly restartInterval: number = 16) {
    if (restartInterval < 1) throw new RangeError('restartInterval must be at least 1')
  }

  reset (): void {
    this.buffer.reset()
    this.restartCount = 1
    this.counter = 0
    this.lastKey.length = 0
    this.finished = false
  }

  empty (): boolean {
    return this.buffer.length === 0
  }

  // Size of the block finish() would produce now.
  currentSizeEstimate (): number {
    return this.buffer.length + this.restartCount * 4 + 4
  }

  // Keys must be added in increasing order; the builder does not check.
  add (key: Uint8Array, value: Uint8Array): void {
    this.addRanges(key, 0, key.length, value, 0, value.length)
  }

  // Adds key[keyStart, keyEnd) with value[valueStart, valueEnd).
  addRanges (key: Uint8Array, keyStart: number, keyEnd: number, value: Uint8Array, valueStart: number, valueEnd: number): void {
    if (this.finished) throw new Error('BlockBuilder.add() after finish()')
    const keyLength = keyEnd - keyStart
    let shared = 0
    if (this.counter < this.restartInterval) {
      const last = this.lastKey
      const max = Math.min(last.length, keyLength)
      const lastBytes = last.bytes
      while (shared < max && lastBytes[shared] === key[keyStart + shared]) shared++
    } else {
      this.restarts = withRoomForOneMore(this.restarts, this.restartCount)
      this.restarts[this.restartCount++] = this.buffer.length
      this.counter = 0
    }
    const out = this.buffer
    out.varint(shared)
    out.varint(keyLength - shared)
    out.varint(valueEnd - valueStart)
    out.bytes(key, keyStart + shared, keyEnd)
    out.bytes(value, valueStart, valueEnd)
    this.lastKey.replaceTail(shared, key, keyStart + shared, keyEnd)
    this.counter++
  }

  // Returns a view of the finished block, valid until reset().
  finish (): Buffer {
    if (!this.finished) {
      for (let i = 0; i < this.restartCount; i++) this.buffer.fixed32(this.restarts[i])
      this.buffer.fixed32(this.restartCount)
      this.finished = true
    }
    return this.buffer.view()
  }
}
