// ReadaheadFile: serves reads from large sequential reads of the underlying file.
import test from 'tape'
import type { RandomAccessFile } from '../../lib/env/env'
import { ReadaheadFile } from '../../lib/env/readahead-file'
import { createRandom, integerFromEnv } from '../util/random'

class CountingFile implements RandomAccessFile {
  reads = 0
  closed = false
  constructor (private readonly contents: Buffer) {}
  read (offset: number, length: number): Buffer {
    this.reads++
    return Buffer.from(this.contents.subarray(offset, offset + length))
  }

  size (): number {
    return this.contents.length
  }

  close (): void {
    this.closed = true
  }
}

test('ReadaheadFile: every read returns the file\'s bytes, sequential scans take few reads', (t) => {
  const seed = integerFromEnv('READAHEAD_SEED', 4242)
  t.comment(`seed ${seed}`)
  const random = createRandom(seed)
  const contents = Buffer.from(random.fill(new Uint8Array(300_000)))
  const inner = new CountingFile(contents)
  const file = new ReadaheadFile(inner, 64 * 1024)
  const views: Array<[number, Buffer]> = []
  let ok = true
  for (let offset = 0; offset < contents.length;) {
    const length = 1 + random.int(5000)
    const got = file.read(offset, length)
    if (!got.equals(contents.subarray(offset, offset + length))) ok = false
    views.push([offset, got])
    offset += length
  }
  t.ok(ok, 'sequential reads of random lengths match the file')
  t.ok(inner.reads <= Math.ceil(contents.length / (64 * 1024)) + 1, `a 300 KB scan took ${inner.reads} reads of the underlying file`)
  t.ok(views.every(([offset, view]) => view.equals(contents.subarray(offset, offset + view.length))), 'views handed out earlier are unchanged after refills')
  const tail = file.read(contents.length - 10, 100)
  t.equal(tail.length, 10, 'a read past the end returns the bytes that exist')
  const back = file.read(5, 20)
  t.ok(back.equals(contents.subarray(5, 25)), 'a read behind the window reads again')
  file.close()
  t.ok(inner.closed, 'close() closes the underlying file')
  t.end()
})
