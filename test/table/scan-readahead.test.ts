// ScanReadahead: a table iterator's reads, served from windows read ahead once a scan is seen.
import tape from 'tape'
import type { RandomAccessFile } from '../../lib/env/env'
import { ScanReadahead } from '../../lib/table/scan-readahead'
import { createRandom, testSeed } from '../util/random'

// Records the span of every read it serves.
class RecordingFile implements RandomAccessFile {
  readonly spans: Array<[number, number]> = []
  constructor (private readonly contents: Buffer) {}

  read (offset: number, length: number, into?: Buffer): Buffer {
    this.spans.push([offset, length])
    const bytes = this.contents.subarray(offset, offset + length)
    if (into === undefined) return Buffer.from(bytes)
    bytes.copy(into)
    return into.subarray(0, bytes.length)
  }

  size (): number { return this.contents.length }
  close (): void {}
}

// Blocks of 1 to 5000 bytes laid end to end, as a table's data blocks are.
function blocksOf (random: ReturnType<typeof createRandom>, fileSize: number): Array<[number, number]> {
  const blocks: Array<[number, number]> = []
  for (let offset = 0; offset < fileSize;) {
    const length = Math.min(fileSize - offset, random.between(1, 5000))
    blocks.push([offset, length])
    offset += length
  }
  return blocks
}

tape('ScanReadahead: scans in either direction read the right bytes in few large reads', (t) => {
  const seed = testSeed(9090)
  t.comment(`seed ${seed}`)
  const random = createRandom(seed)
  const contents = Buffer.from(random.fill(new Uint8Array(2_000_000)))
  const blocks = blocksOf(random, contents.length)
  for (const direction of ['forward', 'reverse'] as const) {
    const inner = new RecordingFile(contents)
    const file = new ScanReadahead(inner)
    const order = direction === 'forward' ? blocks : [...blocks].reverse()
    const wrong = order.filter(([offset, length]) => !file.read(offset, length).equals(contents.subarray(offset, offset + length)))
    t.is(wrong.length, 0, `${direction}: every block read has the file's bytes`)
    t.ok(inner.spans.length < order.length / 10, `${direction}: ${inner.spans.length} reads for ${order.length} blocks`)
    const bytesRead = inner.spans.reduce((sum, [, length]) => sum + length, 0)
    t.ok(bytesRead < contents.length + 256 * 1024, `${direction}: each byte read about once (${bytesRead} for ${contents.length})`)
  }
  t.end()
})

tape('ScanReadahead: seeks, and a seek followed by one step, read only what they ask for', (t) => {
  const seed = testSeed(9191)
  t.comment(`seed ${seed}`)
  const random = createRandom(seed)
  const contents = Buffer.from(random.fill(new Uint8Array(500_000)))
  const blocks = blocksOf(random, contents.length)
  const inner = new RecordingFile(contents)
  const file = new ScanReadahead(inner)
  let wrong = 0
  let asked = 0
  let previous = -10
  for (let i = 0; i < 500; i++) {
    const at = random.int(blocks.length - 1)
    // A seek right next to the previous pair of reads would continue a scan.
    if (Math.abs(at - previous) <= 2) continue
    previous = at
    const steps = [blocks[at], blocks[at + 1]]
    for (const [offset, length] of steps) {
      asked += length
      if (!file.read(offset, length).equals(contents.subarray(offset, offset + length))) wrong++
    }
  }
  t.is(wrong, 0, 'every read has the file\'s bytes')
  t.is(inner.spans.reduce((sum, [, length]) => sum + length, 0), asked, 'no byte read ahead')
  t.end()
})

tape('ScanReadahead: reads are views of one window, and a scan to the end of the file stops there', (t) => {
  const contents = Buffer.alloc(100_000, 7)
  const inner = new RecordingFile(contents)
  const file = new ScanReadahead(inner)
  let views = 0
  let offset = 0
  for (; offset + 1000 <= contents.length; offset += 1000) {
    const bytes = file.read(offset, 1000)
    if (file.isWindow(bytes) && bytes.equals(Buffer.alloc(1000, 7))) views++
  }
  t.is(views, 100, 'every read is a view of the window with the file\'s bytes')
  t.notOk(file.isWindow(Buffer.alloc(10)), 'other buffers are not')
  t.ok(inner.spans.every(([start]) => start < contents.length), 'windows start inside the file')
  t.ok(file.read(99_500, 500).equals(Buffer.alloc(500, 7)), 'a read at the very end')
  t.is(file.read(99_900, 1000).length, 100, 'a read past the end comes back short')
  const last = file.read(50_000, 1000)
  file.close()
  t.notOk(file.isWindow(last), 'close() lets go of the window')
  t.ok(file.read(60_000, 1000).equals(Buffer.alloc(1000, 7)), 'and a later read still reads the file')
  t.end()
})
