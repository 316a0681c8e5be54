// Blocks read for a cache come through one reused read buffer: each must still be bytes of its
// own, intact after the reads that follow it, compressed or not.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import tape from 'tape'
import { defaultEnv } from '../../lib/env/node-env'
import { makeInternalKey, ValueType } from '../../lib/format/internal-key'
import { Block } from '../../lib/table/block'
import { BlockCache } from '../../lib/table/block-cache'
import { readBlockContents, readBlockToKeep } from '../../lib/table/block-reader'
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
