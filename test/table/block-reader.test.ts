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
import { readBlockContents, readBlockToKeep, readStoredBlock, storedBlockStartsAfter } from '../../lib/table/block-reader'
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
      const kept = handles.map((handle, i) => readBlockToKeep(reader, handle.offset, handle.size, true, i % 2 === 0 ? cache : undefined))
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

tape('a stored block tells whether its first user key sorts after a key, compressed or not, without a decode', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-level-block-reader-'))
  try {
    // Values of 4 KiB make blocks of one entry; 100-byte keys need a literal length of more than one byte.
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
      let said = 0
      for (let b = 0; b < index.size; b++) {
        const size = index.blockSize(b)
        const raw = readStoredBlock(reader, index.blockOffset(b), size, true)
        const first = new Block(readBlockContents(reader, { offset: index.blockOffset(b), size }, true)).newIterator(compareInternalKeySlices)
        first.seekToFirst()
        const firstUserKey = Buffer.from(first.key().subarray(0, first.key().length - 8))
        const below = Buffer.from(firstUserKey)
        below[below.length - 1]--
        const above = Buffer.from(firstUserKey)
        above[above.length - 1]++
        const shorter = firstUserKey.subarray(0, keyLength - 1)
        if (storedBlockStartsAfter(raw, size, below, below.length)) said++
        if (storedBlockStartsAfter(raw, size, shorter, shorter.length)) said++
        t.notOk(storedBlockStartsAfter(raw, size, firstUserKey, firstUserKey.length), `block ${b}: not after its own first key ${shape}`)
        t.notOk(storedBlockStartsAfter(raw, size, above, above.length), `block ${b}: not after a larger key ${shape}`)
      }
      t.equal(said, 2 * index.size, `every block said it starts after smaller keys ${shape}`)
      reader.close()
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
  t.end()
})

tape('a stored block that does not say where its first key sorts is never skipped', (t) => {
  const key = Buffer.from('a')
  // A copy as the stream's first element, a stream that ends inside the key, an entry with a
  // shared prefix, a bad varint, an unknown compression type: no answer.
  const cases: Array<[string, number[]]> = [
    ['copy first', [10, 0x01 | (2 << 2), 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]],
    ['stream ends inside the key', [20, 2 << 2, 0, 9, 5]],
    ['shared prefix', [1, 9, 5, 0x62, 0, 0, 0, 0, 0, 0, 0, 0]],
    ['bad varint', [0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]]
  ]
  for (const [name, bytes] of cases) {
    const compression = name === 'copy first' || name === 'stream ends inside the key' ? 1 : 0
    const raw = Buffer.from([...bytes, compression, 0, 0, 0, 0])
    t.notOk(storedBlockStartsAfter(raw, bytes.length, key, key.length), name)
  }
  const unknown = Buffer.from([0, 9, 5, 0x62, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0])
  t.notOk(storedBlockStartsAfter(unknown, 12, key, key.length), 'unknown compression type')
  const plain = Buffer.from([0, 9, 5, 0x62, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
  t.ok(storedBlockStartsAfter(plain, 12, key, key.length), 'while the same entry stored plainly does')
  t.end()
})
