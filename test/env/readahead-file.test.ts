// ReadaheadFile: serves reads from large sequential reads of the underlying file.
import test from 'tape'
import type { RandomAccessFile } from '../../lib/env/env'
import { ReadaheadFile } from '../../lib/env/readahead-file'
import { createRandom, testSeed } from '../util/random'

class CountingFile implements RandomAccessFile {
  reads = 0
  readsIntoGivenBuffer = 0
  closed = false
  constructor (private readonly contents: Buffer) {}
  read (offset: number, length: number, into?: Buffer): Buffer {
    this.reads++
    const bytes = this.contents.subarray(offset, offset + length)
    if (into === undefined) return Buffer.from(bytes)
    this.readsIntoGivenBuffer++
    bytes.copy(into)
    return into.subarray(0, bytes.length)
  }

  size (): number {
    return this.contents.length
  }

  close (): void {
    this.closed = true
  }
}

test('ReadaheadFile: every read returns the file\'s bytes, sequential scans take few reads, all into the buffer given', (t) => {
  const seed = testSeed(4242)
  t.comment(`seed ${seed}`)
  const random = createRandom(seed)
  const contents = Buffer.from(random.fill(new Uint8Array(300_000)))
  const inner = new CountingFile(contents)
  const window = Buffer.alloc(64 * 1024)
  const file = new ReadaheadFile(inner, window)
  let ok = true
  let outsideWindow = 0
  for (let offset = 0; offset < contents.length;) {
    const length = 1 + random.int(5000)
    const got = file.read(offset, length)
    if (!got.equals(contents.subarray(offset, offset + length))) ok = false
    if (got.buffer !== window.buffer) outsideWindow++
    offset += length
  }
  t.ok(ok, 'sequential reads of random lengths match the file')
  t.ok(inner.reads <= Math.ceil(contents.length / (64 * 1024)) + 1, `a 300 KB scan took ${inner.reads} reads of the underlying file`)
  t.equal(inner.readsIntoGivenBuffer, inner.reads, 'every refill reads into the buffer given')
  t.equal(outsideWindow, 0, 'every view returned is a view of that buffer')
  const long = file.read(1000, 100 * 1024)
  t.ok(long.equals(contents.subarray(1000, 1000 + 100 * 1024)), 'a read longer than the buffer returns the file\'s bytes')
  t.notEqual(long.buffer, window.buffer, 'in a buffer of its own')
  t.ok(file.read(1000 + 50 * 1024, 10).equals(contents.subarray(1000 + 50 * 1024, 1000 + 50 * 1024 + 10)), 'reads within that long read are served from it')
  const tail = file.read(contents.length - 10, 100)
  t.equal(tail.length, 10, 'a read past the end returns the bytes that exist')
  const back = file.read(5, 20)
  t.ok(back.equals(contents.subarray(5, 25)), 'a read behind the window reads again')
  file.close()
  t.ok(inner.closed, 'close() closes the underlying file')
  t.end()
})
