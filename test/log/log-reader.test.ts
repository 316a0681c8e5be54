import tape from 'tape'
import path from 'node:path'
import { LogReader, type LogReaderOptions } from '../../lib/log/log-reader'
import { LogWriter } from '../../lib/log/log-writer'
import { BLOCK_SIZE, HEADER_SIZE } from '../../lib/log/log-format'
import { defaultEnv } from '../../lib/env/node-env'
import { crc32cOf, mask } from '../../lib/format/crc32c'
import { MemoryRandomAccessFile, MemoryWritableFile } from './memory-file'
import { createRandom, testSeed } from '../util/random'
import { removeDir, tempDir } from '../util/temp-dir'

interface Report { bytes: number, reason: string }

function record (index: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length)
  for (let i = 0; i < length; i++) buf[i] = (index * 31 + i) & 0xff
  return buf
}

function writeLog (records: Buffer[]): { bytes: Buffer, offsets: number[] } {
  const file = new MemoryWritableFile()
  const writer = new LogWriter(file)
  const offsets: number[] = []
  for (const r of records) {
    // A record that would start in a block trailer starts at the next block.
    const tail = BLOCK_SIZE - writer.length % BLOCK_SIZE
    offsets.push(tail < HEADER_SIZE ? writer.length + tail : writer.length)
    writer.addRecord(r)
  }
  return { bytes: file.contents(), offsets }
}

interface ReadResult { records: Buffer[], reports: Report[], offsets: number[], afterEnd: Buffer | null }

function readAll (bytes: Buffer, options: Partial<LogReaderOptions> = {}): ReadResult {
  const reports: Report[] = []
  const reader = new LogReader(new MemoryRandomAccessFile(bytes), {
    checksum: true,
    reporter: (n, reason) => reports.push({ bytes: n, reason }),
    ...options
  })
  const records: Buffer[] = []
  const offsets: number[] = []
  for (let r = reader.readRecord(); r !== null; r = reader.readRecord()) {
    records.push(r)
    offsets.push(reader.lastRecordOffset)
  }
  return { records, reports, offsets, afterEnd: reader.readRecord() }
}

function sameRecords (t: tape.Test, actual: Buffer[], expected: Buffer[], message: string): void {
  t.is(actual.length, expected.length, `${message}: record count`)
  const firstBad = expected.findIndex((r, i) => actual[i] === undefined || !actual[i].equals(r))
  t.is(firstBad, -1, `${message}: contents`)
}

tape('round trip of random record sizes', (t) => {
  const seed = testSeed(0x5eed1)
  t.comment(`seed ${seed}`)
  const rand = createRandom(seed).next
  const records: Buffer[] = []
  for (let i = 0; i < 400; i++) {
    const pick = rand()
    // Mostly small, some spanning one or several blocks, some empty.
    const length = pick < 0.05 ? 0 : pick < 0.8 ? Math.floor(rand() * 200) : pick < 0.95 ? Math.floor(rand() * BLOCK_SIZE) : Math.floor(rand() * 3 * BLOCK_SIZE)
    records.push(record(i, length))
  }
  const { bytes, offsets } = writeLog(records)
  const result = readAll(bytes)
  sameRecords(t, result.records, records, 'all records')
  t.same(result.reports, [], 'nothing reported')
  t.same(result.offsets, offsets, 'lastRecordOffset of each record')
  t.is(result.afterEnd, null, 'stays at the end')

  const unchecked = readAll(bytes, { checksum: false })
  sameRecords(t, unchecked.records, records, 'without checksums')
  t.end()
})

tape('records survive a real file written and read through the Env', (t) => {
  const dir = tempDir('log')
  try {
    const file = path.join(dir, '000001.log')
    const writer = new LogWriter(defaultEnv.newWritableFile(file))
    const records = [Buffer.from('one'), record(2, 100000), Buffer.alloc(0), Buffer.from('four')]
    for (const r of records) writer.addRecord(r)
    t.is(defaultEnv.getFileSize(file), writer.length, 'every record reached the OS after addRecord')
    writer.close()
    const source = defaultEnv.newRandomAccessFile(file)
    const reader = new LogReader(source, { checksum: true })
    const read: Buffer[] = []
    for (let r = reader.readRecord(); r !== null; r = reader.readRecord()) read.push(r)
    source.close()
    sameRecords(t, read, records, 'from disk')
  } finally {
    removeDir(dir)
  }
  t.end()
})

tape('initialOffset skips records that start before it', (t) => {
  const records = [record(0, 10000), record(1, 50000), record(2, 100), record(3, 40000), record(4, 5)]
  const { bytes, offsets } = writeLog(records)
  for (let i = 0; i < records.length; i++) {
    const exact = readAll(bytes, { initialOffset: offsets[i] })
    sameRecords(t, exact.records, records.slice(i), `from record ${i}`)
    t.same(exact.reports, [], `nothing reported from record ${i}`)
    const within = readAll(bytes, { initialOffset: offsets[i] + 1 })
    sameRecords(t, within.records, records.slice(i + 1), `from inside record ${i}`)
    t.same(within.reports, [], `nothing reported from inside record ${i}`)
  }
  t.end()
})

tape('a flipped payload byte is reported and the reader carries on', (t) => {
  const records = Array.from({ length: 100 }, (_, i) => record(i, 1000))
  const { bytes, offsets } = writeLog(records)
  const damaged = Buffer.from(bytes)
  damaged[offsets[3] + HEADER_SIZE + 10] ^= 0x01
  const { records: read, reports } = readAll(damaged)
  // The rest of block 0 is dropped (the length might be the damage), including the head
  // of the record that spans into block 1; its tail is then reported as orphaned.
  const firstWholeInBlock1 = offsets.findIndex((o) => o >= BLOCK_SIZE)
  sameRecords(t, read, [...records.slice(0, 3), ...records.slice(firstWholeInBlock1)], 'good records before and after')
  t.is(reports.length, 2, 'two drops reported')
  t.same(reports[0], { bytes: BLOCK_SIZE - offsets[3], reason: 'checksum mismatch' })
  t.same(reports[1], { bytes: offsets[firstWholeInBlock1] - BLOCK_SIZE - HEADER_SIZE, reason: 'missing start of fragmented record(2)' })

  const unchecked = readAll(damaged, { checksum: false })
  t.is(unchecked.records.length, records.length, 'without checksums the damage goes unnoticed')
  t.end()
})

tape('damage in the middle of a fragmented record drops the whole record', (t) => {
  const records = [record(0, 100), record(1, 3 * BLOCK_SIZE), record(2, 100)]
  const { bytes } = writeLog(records)
  const damaged = Buffer.from(bytes)
  damaged[BLOCK_SIZE + 100] ^= 0x80
  const { records: read, reports } = readAll(damaged)
  sameRecords(t, read, [records[0], records[2]], 'records around it')
  t.same(reports.map((r) => r.reason), ['checksum mismatch', 'error in middle of record', 'missing start of fragmented record(1)', 'missing start of fragmented record(2)'])
  t.end()
})

tape('a bad length field is reported', (t) => {
  const records = Array.from({ length: 100 }, (_, i) => record(i, 1000))
  const { bytes, offsets } = writeLog(records)

  const tooLong = Buffer.from(bytes)
  tooLong.writeUInt16LE(0xffff, offsets[5] + 4)
  const beyondBlock = readAll(tooLong)
  t.same(beyondBlock.reports[0], { bytes: BLOCK_SIZE - offsets[5], reason: 'bad record length' }, 'length past the block')
  t.ok(beyondBlock.records.slice(0, 5).every((r, i) => r.equals(records[i])), 'records before it')
  t.ok(beyondBlock.records[beyondBlock.records.length - 1].equals(records[99]), 'records after the block')

  const shorter = Buffer.from(bytes)
  shorter.writeUInt16LE(999, offsets[5] + 4)
  const inBlock = readAll(shorter)
  t.same(inBlock.reports[0], { bytes: BLOCK_SIZE - offsets[5], reason: 'checksum mismatch' }, 'length inside the block fails the checksum')
  t.is(inBlock.records.length, beyondBlock.records.length)
  t.end()
})

tape('an unknown record type is reported', (t) => {
  const { bytes, offsets } = writeLog([record(0, 10), record(1, 10), record(2, 10)])
  const damaged = Buffer.from(bytes)
  // Rewrite the type and fix up the checksum so only the type is wrong.
  const header = offsets[1]
  damaged[header + 6] = 9
  damaged.writeUInt32LE(mask(crc32cOf(damaged.subarray(header + 6, header + HEADER_SIZE + 10))), header)
  const { records, reports } = readAll(damaged)
  sameRecords(t, records, [record(0, 10), record(2, 10)], 'neighbours')
  t.same(reports, [{ bytes: 10, reason: 'unknown record type 9' }])
  t.end()
})

// A log of four records (one fragmented over three blocks) and where a crash may cut it: at each
// cut, the records before it are what a reader must return.
function tornLog (): { records: Buffer[], bytes: Buffer, cuts: Array<{ at: number, expected: number, what: string }> } {
  const records = [record(0, 100), record(1, 100), record(2, 2 * BLOCK_SIZE), record(3, 500)]
  const { bytes, offsets } = writeLog(records)
  const cuts = [
    { at: offsets[3] + HEADER_SIZE + 200, expected: 3, what: 'inside the last payload' },
    { at: offsets[3] + 4, expected: 3, what: 'inside the last header' },
    { at: offsets[2] + BLOCK_SIZE + 50, expected: 2, what: 'inside a fragmented record' },
    { at: BLOCK_SIZE, expected: 2, what: 'at a block boundary inside a fragmented record' },
    { at: offsets[1], expected: 1, what: 'exactly at a record boundary' }
  ]
  return { records, bytes, cuts }
}

tape('a torn last record reads as a clean end of file', (t) => {
  const { records, bytes, cuts } = tornLog()
  for (const cut of cuts) {
    const { records: read, reports } = readAll(bytes.subarray(0, cut.at))
    sameRecords(t, read, records.slice(0, cut.expected), cut.what)
    t.same(reports, [], `${cut.what}: not reported`)
  }
  t.end()
})

tape('zero-filled space is skipped silently', (t) => {
  const { bytes } = writeLog([record(0, 100), record(1, 100)])
  const preallocated = Buffer.concat([bytes, Buffer.alloc(BLOCK_SIZE + 1000)])
  const { records, reports } = readAll(preallocated)
  sameRecords(t, records, [record(0, 100), record(1, 100)], 'records')
  t.same(reports, [])
  t.end()
})

tape('a record torn by a crash into reserved zeros reads as a clean end of file', (t) => {
  const { records, bytes, cuts } = tornLog()
  for (const cut of cuts) {
    // What a crash leaves of a log written into space reserved ahead: the records so far, zeros after.
    const torn = Buffer.concat([bytes.subarray(0, cut.at), Buffer.alloc(BLOCK_SIZE + 1000)])
    const { records: read, reports } = readAll(torn)
    sameRecords(t, read, records.slice(0, cut.expected), cut.what)
    t.same(reports, [], `${cut.what}: not reported`)
  }
  t.end()
})

tape('damage with records after it is reported even where the file ends in zeros', (t) => {
  const records = [record(0, 100), record(1, 100), record(2, 100)]
  const { bytes, offsets } = writeLog(records)
  const damaged = Buffer.concat([bytes, Buffer.alloc(1000)])
  damaged[offsets[1] + HEADER_SIZE + 10] ^= 1
  const { records: read, reports } = readAll(damaged)
  sameRecords(t, read, [record(0, 100)], 'the rest of the block is dropped')
  t.is(reports.length, 1, 'the checksum mismatch is reported')
  t.is(reports[0]?.reason, 'checksum mismatch')
  t.end()
})

tape('records stay intact after later reads', (t) => {
  const records = Array.from({ length: 200 }, (_, i) => record(i, 700))
  const { bytes } = writeLog(records)
  const reader = new LogReader(new MemoryRandomAccessFile(bytes), { checksum: true })
  const kept: Buffer[] = []
  for (let r = reader.readRecord(); r !== null; r = reader.readRecord()) kept.push(r)
  sameRecords(t, kept, records, 'kept references')
  t.end()
})

tape('fragmented records read back whole from a file that grew after its size was taken', (t) => {
  const records = [record(1, 3 * BLOCK_SIZE + 100), record(2, 50), record(3, 5 * BLOCK_SIZE)]
  const { bytes } = writeLog(records)
  class GrownFile extends MemoryRandomAccessFile {
    override size (): number {
      return BLOCK_SIZE
    }
  }
  const reader = new LogReader(new GrownFile(bytes), { checksum: true })
  const read: Buffer[] = []
  for (let r = reader.readRecord(); r !== null; r = reader.readRecord()) read.push(r)
  sameRecords(t, read, records, 'records longer than the size the file reported')
  t.end()
})
