// In-memory files for log tests: a sink that records flushes, and a source over a buffer.
import type { RandomAccessFile, WritableFile } from '../../lib/env/env'

export class MemoryWritableFile implements WritableFile {
  private chunks: Buffer[] = []
  flushes = 0
  syncs = 0
  closed = false

  append (data: Uint8Array): void {
    this.chunks.push(Buffer.from(data))
  }

  flush (): void {
    this.flushes++
  }

  async appendAsync (data: Uint8Array): Promise<void> {
    this.append(data)
    this.flush()
  }

  sync (): void {
    this.syncs++
  }

  async syncAsync (): Promise<void> {
    this.syncs++
  }

  close (): void {
    this.closed = true
  }

  contents (): Buffer {
    return Buffer.concat(this.chunks)
  }
}

export class MemoryRandomAccessFile implements RandomAccessFile {
  reads = 0

  constructor (private readonly data: Buffer) {}

  read (offset: number, length: number): Buffer {
    this.reads++
    // Copies, like a real file read, so tests notice if the reader keeps a reference it should not.
    return Buffer.from(this.data.subarray(Math.min(offset, this.data.length), Math.min(offset + length, this.data.length)))
  }

  size (): number {
    return this.data.length
  }

  close (): void {}
}
