// Builds one block: prefix-compressed entries, then the restart array and its length.
// Entry layout: varint shared, varint nonShared, varint valueLength, key delta, value.
import { ByteWriter } from '../format/coding'

export class BlockBuilder {
  private readonly buffer = new ByteWriter(4096)
  private restarts: number[] = [0]
  private counter = 0
  private lastKey = Buffer.allocUnsafe(64)
  private lastKeyLength = 0
  private finished = false

  constructor (private readonly restartInterval: number = 16) {
    if (restartInterval < 1) throw new RangeError('restartInterval must be at least 1')
  }

  reset (): void {
    this.buffer.reset()
    this.restarts = [0]
    this.counter = 0
    this.lastKeyLength = 0
    this.finished = false
  }

  empty (): boolean {
    return this.buffer.length === 0
  }

  // Size of the block finish() would produce now.
  currentSizeEstimate (): number {
    return this.buffer.length + this.restarts.length * 4 + 4
  }

  // Keys must be added in increasing order; the builder does not check.
  add (key: Uint8Array, value: Uint8Array): void {
    if (this.finished) throw new Error('BlockBuilder.add() after finish()')
    let shared = 0
    if (this.counter < this.restartInterval) {
      const max = Math.min(this.lastKeyLength, key.length)
      const last = this.lastKey
      while (shared < max && last[shared] === key[shared]) shared++
    } else {
      this.restarts.push(this.buffer.length)
      this.counter = 0
    }
    const nonShared = key.length - shared
    const out = this.buffer
    out.varint(shared)
    out.varint(nonShared)
    out.varint(value.length)
    out.bytes(key, shared)
    out.bytes(value)
    this.rememberKey(key, shared)
    this.counter++
  }

  // Returns a view of the finished block, valid until reset().
  finish (): Buffer {
    if (!this.finished) {
      for (const restart of this.restarts) this.buffer.fixed32(restart)
      this.buffer.fixed32(this.restarts.length)
      this.finished = true
    }
    return this.buffer.view()
  }

  private rememberKey (key: Uint8Array, shared: number): void {
    if (key.length > this.lastKey.length) {
      const grown = Buffer.allocUnsafe(Math.max(key.length, this.lastKey.length * 2))
      this.lastKey.copy(grown, 0, 0, shared)
      this.lastKey = grown
    }
    const last = this.lastKey
    for (let i = shared; i < key.length; i++) last[i] = key[i]
    this.lastKeyLength = key.length
  }
}
