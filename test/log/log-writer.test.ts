import fs from 'node:fs'
import path from 'node:path'
import tape from 'tape'
import { defaultEnv } from '../../lib/env/node-env'
import { ByteWriter } from '../../lib/format/coding'
import { LogWriter } from '../../lib/log/log-writer'
import { BLOCK_SIZE, HEADER_SIZE } from '../../lib/log/log-format'
import { MemoryWritableFile } from './memory-file'
import { removeDir, tempDir } from '../util/temp-dir'

function patterned (length: number): Buffer {
  const buf = Buffer.allocUnsafe(length)
  for (let i = 0; i < length; i++) buf[i] = i % 251
  return buf
}

tape('a small record is one FULL record (golden bytes)', (t) => {
  const file = new MemoryWritableFile()
  const writer = new LogWriter(file)
  writer.addRecord(Buffer.from('foo'))
  t.is(file.contents().toString('hex'), 'dd5fb37a' + '0300' + '01' + '666f6f')
  t.is(writer.length, 10)
  t.is(file.flushes, 1, 'flushed once per record')
  writer.addRecord(Buffer.alloc(0))
  t.is(file.contents().subarray(10).toString('hex'), '052b2843' + '0000' + '01', 'an empty record still writes a header')
  t.is(writer.length, 17)
  t.is(file.flushes, 2)
  t.end()
})

tape('a record spanning blocks is FIRST, MIDDLE, LAST (golden headers)', (t) => {
  const file = new MemoryWritableFile()
  const writer = new LogWriter(file)
  const payload = patterned(70000)
  writer.addRecord(payload)
  const out = file.contents()
  const fragment = BLOCK_SIZE - HEADER_SIZE
  t.is(out.length, 70000 + 3 * HEADER_SIZE)
  t.is(out.subarray(0, 7).toString('hex'), '3cb1a7ce' + 'f97f' + '02', 'FIRST header')
  t.is(out.subarray(BLOCK_SIZE, BLOCK_SIZE + 7).toString('hex'), '760a8bfc' + 'f97f' + '03', 'MIDDLE header')
  t.is(out.subarray(2 * BLOCK_SIZE, 2 * BLOCK_SIZE + 7).toString('hex'), '2bc81b35' + '7e11' + '04', 'LAST header')
  t.ok(out.subarray(7, BLOCK_SIZE).equals(payload.subarray(0, fragment)), 'first fragment')
  t.ok(out.subarray(BLOCK_SIZE + 7, 2 * BLOCK_SIZE).equals(payload.subarray(fragment, 2 * fragment)), 'middle fragment')
  t.ok(out.subarray(2 * BLOCK_SIZE + 7).equals(payload.subarray(2 * fragment)), 'last fragment')
  t.is(file.flushes, 1, 'one flush for the whole record')
  t.end()
})

tape('a block tail shorter than a header is zero-padded', (t) => {
  const file = new MemoryWritableFile()
  const writer = new LogWriter(file)
  // Leaves exactly 3 bytes in the first block.
  writer.addRecord(Buffer.alloc(BLOCK_SIZE - HEADER_SIZE - 3, 'a'))
  writer.addRecord(Buffer.from('bar'))
  const out = file.contents()
  t.is(out.subarray(0, 7).toString('hex'), '9f6f888d' + 'f67f' + '01')
  t.is(out.subarray(BLOCK_SIZE - 3, BLOCK_SIZE).toString('hex'), '000000', 'trailer')
  t.is(out.subarray(BLOCK_SIZE).toString('hex'), 'baeaec44' + '0300' + '01' + '626172', 'next record starts the next block')
  t.is(writer.length, BLOCK_SIZE + 10)
  t.end()
})

tape('a tail of exactly a header holds an empty FIRST fragment', (t) => {
  const file = new MemoryWritableFile()
  const writer = new LogWriter(file)
  writer.addRecord(Buffer.alloc(BLOCK_SIZE - 2 * HEADER_SIZE))
  writer.addRecord(Buffer.from('bar'))
  const out = file.contents()
  t.is(out.length, BLOCK_SIZE + HEADER_SIZE + 3)
  t.is(out.readUInt16LE(BLOCK_SIZE - 3), 0, 'zero-length fragment')
  t.is(out[BLOCK_SIZE - 1], 2, 'of type FIRST')
  t.is(out[BLOCK_SIZE + 6], 4, 'payload in a LAST fragment')
  t.end()
})

tape('continuing an existing log keeps block boundaries', (t) => {
  const whole = new MemoryWritableFile()
  const wholeWriter = new LogWriter(whole)
  wholeWriter.addRecord(Buffer.alloc(BLOCK_SIZE - 100, 1))
  wholeWriter.addRecord(Buffer.alloc(500, 2))

  const first = new MemoryWritableFile()
  const firstWriter = new LogWriter(first)
  firstWriter.addRecord(Buffer.alloc(BLOCK_SIZE - 100, 1))
  const second = new MemoryWritableFile()
  const secondWriter = new LogWriter(second, firstWriter.length)
  secondWriter.addRecord(Buffer.alloc(500, 2))
  t.ok(Buffer.concat([first.contents(), second.contents()]).equals(whole.contents()), 'same bytes as one writer')
  t.is(secondWriter.length, wholeWriter.length)
  t.end()
})

tape('sync, syncAsync and close reach the file', async (t) => {
  const file = new MemoryWritableFile()
  const writer = new LogWriter(file)
  writer.sync()
  await writer.syncAsync()
  t.is(file.syncs, 2)
  writer.close()
  t.ok(file.closed)
})

tape('addRecordAsync lays out records exactly as addRecord does, mixed with it, on a real file', async (t) => {
  const dir = tempDir('log-writer')
  t.teardown(() => removeDir(dir))
  // Sizes that fill a block exactly, leave a short tail, span several blocks, or are empty.
  const sizes = [10, BLOCK_SIZE - 2 * HEADER_SIZE - 10, 3, 0, 70000, BLOCK_SIZE - HEADER_SIZE, 5, 140000, 1]
  const expected = new MemoryWritableFile()
  const expectedWriter = new LogWriter(expected)
  const file = defaultEnv.newWritableFile(path.join(dir, 'mixed.log'))
  const writer = new LogWriter(file)
  for (const [i, size] of sizes.entries()) {
    const payload = patterned(size)
    expectedWriter.addRecord(payload)
    if (i % 2 === 0) await writer.addRecordAsync(payload)
    else writer.addRecord(payload)
  }
  t.is(writer.length, expectedWriter.length, 'same length')
  t.ok(fs.readFileSync(path.join(dir, 'mixed.log')).equals(expected.contents()), 'the file holds the same bytes, which reached it before each promise resolved')
  writer.close()
})

tape('writers of successive logs can share one assembly buffer: each log gets exactly its own records', async (t) => {
  const assembly = new ByteWriter()
  const files = [new MemoryWritableFile(), new MemoryWritableFile()]
  const expected = [new MemoryWritableFile(), new MemoryWritableFile()]
  for (const [i, size] of [90000, 40].entries()) {
    const payload = patterned(size + i)
    await new LogWriter(files[i], 0, assembly).addRecordAsync(payload)
    new LogWriter(expected[i]).addRecord(payload)
  }
  t.ok(files[0].contents().equals(expected[0].contents()), 'the first log holds its large record')
  t.ok(files[1].contents().equals(expected[1].contents()), 'the second holds only its small one, not what is left of the first in the shared buffer')
})

tape('a record given as payload and tail is written as the one record they make, wherever it splits', async (t) => {
  // Records that fit a block and that span blocks, split at either end, inside, and on block and
  // fragment boundaries, written after a varying lead so records start at various block offsets.
  const lengths = [0, 1, 100, BLOCK_SIZE - HEADER_SIZE, BLOCK_SIZE, 70000]
  const lead = patterned(BLOCK_SIZE - 3)
  let mismatches = 0
  let cases = 0
  for (const length of lengths) {
    const record = patterned(length)
    const splits = [...new Set([0, 1, length >> 1, BLOCK_SIZE - HEADER_SIZE - 1, BLOCK_SIZE - HEADER_SIZE, length - 1, length].filter(at => at >= 0 && at <= length))]
    for (const leadLength of [0, 10, lead.length]) {
      const whole = new MemoryWritableFile()
      const wholeWriter = new LogWriter(whole)
      if (leadLength > 0) wholeWriter.addRecord(lead.subarray(0, leadLength))
      wholeWriter.addRecord(record)
      for (const at of splits) {
        for (const async of [false, true]) {
          const split = new MemoryWritableFile()
          const splitWriter = new LogWriter(split)
          if (leadLength > 0) splitWriter.addRecord(lead.subarray(0, leadLength))
          if (async) await splitWriter.addRecordAsync(record.subarray(0, at), record.subarray(at))
          else splitWriter.addRecord(record.subarray(0, at), record.subarray(at))
          cases++
          if (!split.contents().equals(whole.contents()) || splitWriter.length !== wholeWriter.length) mismatches++
        }
      }
    }
  }
  t.is(mismatches, 0, `${cases} split records are byte for byte the whole record`)
  t.end()
})

tape('addRecordAsync writes a record of several MB in pieces of about a MB, as the same bytes as addRecord', async (t) => {
  let largestWrite = 0
  let writes = 0
  class PieceCountingFile extends MemoryWritableFile {
    override async appendAsync (data: Uint8Array): Promise<void> {
      largestWrite = Math.max(largestWrite, data.length)
      writes++
      await super.appendAsync(data)
    }
  }
  const length = 5 * 1024 * 1024 + 12345
  const record = patterned(length)
  const lead = patterned(100)
  // Split into payload and tail inside a later piece, so that a piece spans the two.
  for (const at of [length, 2 * 1024 * 1024 + 7]) {
    largestWrite = 0
    writes = 0
    const expected = new MemoryWritableFile()
    const expectedWriter = new LogWriter(expected)
    expectedWriter.addRecord(lead)
    expectedWriter.addRecord(record)
    const file = new PieceCountingFile()
    const writer = new LogWriter(file)
    writer.addRecord(lead)
    await writer.addRecordAsync(record.subarray(0, at), record.subarray(at))
    t.ok(file.contents().equals(expected.contents()), `split at ${at}: the same bytes as addRecord`)
    t.is(writer.length, expectedWriter.length, `split at ${at}: the same length`)
    t.ok(writes >= 5, `split at ${at}: written in ${writes} pieces`)
    t.ok(largestWrite <= 1024 * 1024 + BLOCK_SIZE, `split at ${at}: the largest piece is ${largestWrite} bytes`)
  }
})
