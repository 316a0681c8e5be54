// Reads the log and MANIFEST that native LevelDB (via classic-level) writes, and checks that
// our writer and encoders reproduce them byte for byte.
import tape from 'tape'
import fs from 'node:fs'
import path from 'node:path'
import { ClassicLevel } from 'classic-level'
import { LogReader } from '../../lib/log/log-reader'
import { LogWriter } from '../../lib/log/log-writer'
import { WriteBatch } from '../../lib/format/write-batch'
import { ValueType } from '../../lib/format/internal-key'
import { VersionEdit } from '../../lib/version/version-edit'
import { defaultEnv } from '../../lib/env/node-env'
import { MemoryWritableFile } from '../log/memory-file'
import { removeDir, tempDir } from '../util/temp-dir'

interface Op { type: ValueType, key: Buffer, value: Buffer }

const put = (key: Buffer, value: Buffer): Op => ({ type: ValueType.Value, key, value })
const del = (key: Buffer): Op => ({ type: ValueType.Deletion, key, value: Buffer.alloc(0) })

function readRecords (file: string): Buffer[] {
  const source = defaultEnv.newRandomAccessFile(file)
  try {
    const reports: string[] = []
    const reader = new LogReader(source, { checksum: true, reporter: (bytes, reason) => reports.push(`${bytes}: ${reason}`) })
    const records: Buffer[] = []
    for (let r = reader.readRecord(); r !== null; r = reader.readRecord()) records.push(r)
    if (reports.length > 0) throw new Error(`unexpected drops in ${file}: ${reports.join(', ')}`)
    return records
  } finally {
    source.close()
  }
}

tape('read and reproduce the files classic-level writes', async (t) => {
  const dir = tempDir('interop-log')
  try {
    // Each element is one write, and so one log record, since writes are awaited one at a time.
    const writes: Op[][] = []
    const db = new ClassicLevel<Buffer, Buffer>(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' })
    await db.open()
    for (let i = 0; i < 40; i++) {
      const key = Buffer.from(`key-${i}`)
      const value = Buffer.from(`value-${i}`.repeat(i))
      await db.put(key, value)
      writes.push([put(key, value)])
    }
    const binaryKey = Buffer.from([0, 255, 1, 128])
    await db.put(binaryKey, Buffer.alloc(0))
    writes.push([put(binaryKey, Buffer.alloc(0))])
    await db.del(Buffer.from('key-3'))
    writes.push([del(Buffer.from('key-3'))])
    // Large enough to be fragmented across several log blocks.
    const big = Buffer.alloc(100000, 'x')
    const batchOps = [put(Buffer.from('b1'), big), del(Buffer.from('key-5')), put(Buffer.from('b2'), Buffer.from('two'))]
    await db.batch(batchOps.map((op) => op.type === ValueType.Value
      ? { type: 'put' as const, key: op.key, value: op.value }
      : { type: 'del' as const, key: op.key }))
    writes.push(batchOps)
    await db.batch().put(Buffer.from('c1'), Buffer.from('chained')).del(Buffer.from('b2')).write()
    writes.push([put(Buffer.from('c1'), Buffer.from('chained')), del(Buffer.from('b2'))])
    await db.close()

    const files = fs.readdirSync(dir)
    const logs = files.filter((name) => name.endsWith('.log')).sort()
    t.is(logs.length, 1, `one log file (${logs.join(', ')})`)
    const logPath = path.join(dir, logs[0])
    const records = readRecords(logPath)
    t.is(records.length, writes.length, 'one record per write')

    const expectedOps = writes.flat()
    const actualOps: Op[] = []
    let expectedSequence = 1
    let sequencesOk = true
    for (const record of records) {
      const batch = WriteBatch.fromContents(record)
      if (batch.sequence !== expectedSequence) sequencesOk = false
      expectedSequence += batch.count()
      batch.forEach((type, key, value) => actualOps.push({ type, key: Buffer.from(key), value: Buffer.from(value) }))
    }
    t.ok(sequencesOk, 'sequences start at 1 and are contiguous')
    t.is(actualOps.length, expectedOps.length, 'operation count')
    const firstMismatch = expectedOps.findIndex((op, i) => actualOps[i] === undefined || actualOps[i].type !== op.type ||
      !actualOps[i].key.equals(op.key) || !actualOps[i].value.equals(op.value))
    t.is(firstMismatch, -1, 'every operation, in order')

    // Rebuild the log with our encoders: it must match LevelDB's bytes exactly.
    const rebuilt = new MemoryWritableFile()
    const writer = new LogWriter(rebuilt)
    let sequence = 1
    for (const ops of writes) {
      const batch = new WriteBatch()
      for (const op of ops) {
        if (op.type === ValueType.Value) batch.put(op.key, op.value)
        else batch.del(op.key)
      }
      batch.sequence = sequence
      sequence += batch.count()
      writer.addRecord(batch.contents())
    }
    t.ok(rebuilt.contents().equals(fs.readFileSync(logPath)), 'log rebuilt byte for byte')

    const current = fs.readFileSync(path.join(dir, 'CURRENT'), 'latin1')
    t.match(current, /^MANIFEST-\d{6}\n$/, 'CURRENT names a MANIFEST')
    const manifestPath = path.join(dir, current.trim())
    const manifestRecords = readRecords(manifestPath)
    t.ok(manifestRecords.length >= 1, `${manifestRecords.length} MANIFEST records`)
    const edits = manifestRecords.map((record) => VersionEdit.decode(record))
    t.is(edits[0].comparator, 'leveldb.BytewiseComparator', 'comparator name')
    t.ok(edits.some((edit) => edit.logNumber !== undefined), 'a log number is recorded')
    t.ok(edits.some((edit) => edit.nextFileNumber !== undefined), 'a next file number is recorded')
    t.ok(manifestRecords.every((record, i) => edits[i].encode().equals(record)), 'every edit re-encodes to the same bytes')

    const manifestRebuilt = new MemoryWritableFile()
    const manifestWriter = new LogWriter(manifestRebuilt)
    for (const edit of edits) manifestWriter.addRecord(edit.encode())
    t.ok(manifestRebuilt.contents().equals(fs.readFileSync(manifestPath)), 'MANIFEST rebuilt byte for byte')
  } finally {
    removeDir(dir)
  }
})
