// Blocks read for a cache come through one reused read buffer: each must still be bytes of its
// own, intact after the reads that follow it, compressed or not.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import tape from 'tape'
import { defaultEnv } from '../../lib/env/node-env'
import { compareInternalKeySlices, makeInternalKey, ValueType } from '../../lib/format/internal-key'
import { Block } from '../../lib/table/block'
import { BlockCache } from '../../lib/table/block-cache'
import { keepStoredBlockIn, readBlockContents, readBlockToKeep, readStoredBlock, storedFirstUserKey } from '../../lib/table/block-reader'
import { PointIndex } from '../../lib/table/point-index'
import { readTableIndex } from '../../lib/table/table'
import { TableBuilder } from '../../lib/table/table-builder'

tape('blocks read to keep stay intact after later reads, compressed or not', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-level-block-reader-'))
  try {
    for (const compression of [true, false]) {
      const file = path.join(dir, `t-${compression}.ldb`)
      const out = defaultEnv.newWritableFile(file)
      const builder = new TableBuilder(out, { compression, blockSize: 1024 })
      for (let i = 0; i < 400; i++) builder.add(makeInternalKey(Buffer.from(`key-${String(i).padStart(5, '0')}`), 1, ValueType.Value), Buffer.from(`value ${i} `.repeat(8)))
      builder.finish()
      out.sync()
      out.close()
      const reader = defaultEnv.newRandomAccessFile(file)
      const index = PointIndex.decode(readTableIndex(reader, fs.statSync(file).size, true).indexBlock)
      const handles = Array.from({ length: index.size }, (_, i) => ({ offset: index.blockOffset(i), size: index.blockSize(i) }))
      const cache = new BlockCache(1 << 20)
      const kept = handles.map((handle, i) => {
        if (i % 2 !== 0) return readBlockToKeep(reader, handle.offset, handle.size, true)
        const block = keepStoredBlockIn(readStoredBlock(reader, handle.offset, handle.size, true), handle.size, cache)
        return block.data.subarray(0, block.size)
      })
      const expected = handles.map(handle => Buffer.from(readBlockContents(reader, handle, true)))
      t.ok(handles.length > 10, `${handles.length} blocks (compression ${compression})`)
      t.ok(kept.every((block, i) => block.equals(expected[i])), `every block kept its own bytes, in a buffer from the cache or not (compression ${compression})`)
      t.ok(kept.every(block => new Block(block).numRestarts > 0), 'and parses as a block')
      reader.close()
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
  t.end()
})

tape('a stored block gives its first user key without a decode, compressed or not', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-level-block-reader-'))
  try {
    // Values of 4 KiB make blocks of one entry; zero-padded keys make Snappy copy within the key;
    // 100-byte keys need a literal length of more than one byte.
    for (const [compression, keyLength, valueLength] of [[true, 16, 4096], [false, 16, 4096], [true, 100, 3000], [true, 16, 100]] as const) {
      const file = path.join(dir, `t-${compression}-${keyLength}-${valueLength}.ldb`)
      const out = defaultEnv.newWritableFile(file)
      const builder = new TableBuilder(out, { compression })
      const userKey = (i: number): Buffer => Buffer.from(String(i * 10).padStart(keyLength, '0'))
      const value = Buffer.from('abcdefghij'.repeat(valueLength / 20 + 1).slice(0, valueLength / 2).repeat(2))
      for (let i = 1; i <= 60; i++) builder.add(makeInternalKey(userKey(i), 1, ValueType.Value), value)
      builder.finish()
      out.sync()
      out.close()
      const reader = defaultEnv.newRandomAccessFile(file)
      const index = PointIndex.decode(readTableIndex(reader, fs.statSync(file).size, true).indexBlock)
      const shape = `(compression ${compression}, ${keyLength}-byte keys, ${valueLength}-byte values)`
      let right = 0
      for (let b = 0; b < index.size; b++) {
        const size = index.blockSize(b)
        const raw = readStoredBlock(reader, index.blockOffset(b), size, true)
        const first = new Block(readBlockContents(reader, { offset: index.blockOffset(b), size }, true)).newIterator(compareInternalKeySlices)
        first.seekToFirst()
        const firstUserKey = Buffer.from(first.key().subarray(0, first.key().length - 8))
        const into = Buffer.alloc(23)
        const length = storedFirstUserKey(readStoredBlock(reader, index.blockOffset(b), size, true), size, into)
        if (length === keyLength && into.subarray(0, Math.min(23, keyLength)).equals(firstUserKey.subarray(0, 23))) right++
        const whole = Buffer.alloc(keyLength)
        t.equal(storedFirstUserKey(raw, size, whole), keyLength, `block ${b}: whole key ${shape}`)
        t.ok(whole.equals(firstUserKey), `block ${b}: its bytes ${shape}`)
      }
      t.equal(right, index.size, `every block gave the start of its first key into a shorter buffer ${shape}`)
      reader.close()
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
  t.end()
})

tape('a stored block that does not say what its first key is gives no key', (t) => {
  const into = Buffer.alloc(8)
  // A copy as the stream's first element, a stream that ends inside the key, an entry with a
  // shared prefix, a bad varint: no answer.
  const cases: Array<[string, number, number[]]> = [
    ['copy first', 1, [10, 0x01 | (2 << 2), 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]],
    ['stream ends inside the key', 1, [20, 2 << 2, 0, 9, 5]],
    ['shared prefix', 0, [1, 9, 5, 0x62, 0, 0, 0, 0, 0, 0, 0, 0]],
    ['bad varint', 0, [0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]],
    ['unknown compression type', 7, [0, 9, 5, 0x62, 0, 0, 0, 0, 0, 0, 0, 0]]
  ]
  for (const [name, compression, bytes] of cases) {
    const raw = Buffer.from([...bytes, compression, 0, 0, 0, 0])
    t.equal(storedFirstUserKey(raw, bytes.length, into), -1, name)
  }
  const plain = [0, 9, 5, 0x62, 0, 0, 0, 0, 0, 0, 0, 0]
  t.equal(storedFirstUserKey(Buffer.from([...plain, 0, 0, 0, 0, 0]), plain.length, into), 1, 'while the same entry stored plainly gives its key')
  t.equal(into[0], 0x62, 'and its byte')
  t.end()
})
