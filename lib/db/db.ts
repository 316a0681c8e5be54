// TEMPORARY in-memory stand-in with the final engine API, so the adapter can be built in parallel.
import type { DBOptions, ReadOptions, Snapshot, WriteOptions } from './options'
import { WriteBatchLike } from './tmp-batch'

export interface UserIterator {
  valid (): boolean
  seekToFirst (): void
  seekToLast (): void
  seek (userKey: Buffer): void
  next (): void
  prev (): void
  key (): Buffer
  value (): Buffer
  close (): void
}

class ArrayIterator implements UserIterator {
  private i = -1
  constructor (private readonly entries: Array<[Buffer, Buffer]>) {}
  valid (): boolean { return this.i >= 0 && this.i < this.entries.length }
  seekToFirst (): void { this.i = 0 }
  seekToLast (): void { this.i = this.entries.length - 1 }
  seek (k: Buffer): void {
    let lo = 0; let hi = this.entries.length
    while (lo < hi) { const m = (lo + hi) >> 1; if (Buffer.compare(this.entries[m][0], k) < 0) lo = m + 1; else hi = m }
    this.i = lo
  }
  next (): void { this.i++ }
  prev (): void { this.i-- }
  key (): Buffer { return this.entries[this.i][0] }
  value (): Buffer { return this.entries[this.i][1] }
  close (): void {}
}

interface TmpSnapshot extends Snapshot { entries: Array<[Buffer, Buffer]> }

export class DB {
  private map = new Map<string, [Buffer, Buffer]>()
  private seq = 0
  private sorted: Array<[Buffer, Buffer]> | null = null
  private constructor (readonly location: string) {}

  static async open (location: string, _options?: Partial<DBOptions>): Promise<DB> {
    return new DB(location)
  }

  async write (batch: WriteBatchLike, _options?: WriteOptions): Promise<void> {
    for (const op of batch.ops) {
      if (op.value === undefined) this.map.delete(op.key.toString('hex'))
      else this.map.set(op.key.toString('hex'), [op.key, op.value])
    }
    this.seq += batch.ops.length
    this.sorted = null
  }

  private entries (): Array<[Buffer, Buffer]> {
    if (this.sorted === null) this.sorted = [...this.map.values()].sort((a, b) => Buffer.compare(a[0], b[0]))
    return this.sorted
  }

  get (key: Buffer, options?: ReadOptions): Buffer | undefined {
    if (options?.snapshot !== undefined) {
      const it = new ArrayIterator((options.snapshot as TmpSnapshot).entries)
      it.seek(key)
      return it.valid() && it.key().equals(key) ? it.value() : undefined
    }
    return this.map.get(key.toString('hex'))?.[1]
  }

  getSnapshot (): Snapshot {
    const s: TmpSnapshot = { sequence: this.seq, entries: this.entries() }
    return s
  }

  releaseSnapshot (_snapshot: Snapshot): void {}

  newIterator (options?: ReadOptions): UserIterator {
    const snap = (options?.snapshot ?? this.getSnapshot()) as TmpSnapshot
    return new ArrayIterator(snap.entries)
  }

  approximateSize (_start: Buffer, _end: Buffer): number { return 0 }
  async compactRange (_start: Buffer | null, _end: Buffer | null): Promise<void> {}
  getProperty (_name: string): string | undefined { return undefined }
  async close (): Promise<void> {}
  static async destroy (_location: string): Promise<void> {}
  static async repair (_location: string): Promise<void> {}
}
