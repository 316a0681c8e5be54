import tape from 'tape'
import { getFixed32 } from '../../lib/format/coding'
import { FilterPolicy, hash } from '../../lib/table/bloom'
import { FilterBlockBuilder, FilterBlockReader } from '../../lib/table/filter-block'

// Like table/filter_block_test.cc's TestHashFilter: a filter is the list of the keys' hashes.
const testHashFilter: FilterPolicy = {
  name: 'TestHashFilter',
  keyHash (data, start, end) {
    return hash(data, 1, start, end)
  },
  createFilter (keyHashes, count, out) {
    for (let i = 0; i < count; i++) out.fixed32(keyHashes[i])
  },
  keyMayMatch (key, filter, keyStart = 0, keyEnd = key.length, filterStart = 0, filterEnd = filter.length) {
    return this.hashMayMatch(hash(key, 1, keyStart, keyEnd), filter, filterStart, filterEnd)
  },
  hashMayMatch (keyHash, filter, filterStart, filterEnd) {
    for (let i = filterStart; i + 4 <= filterEnd; i += 4) if (getFixed32(filter, i) === keyHash >>> 0) return true
    return false
  }
}

const k = (s: string): Buffer => Buffer.from(s)
const h1 = (s: string): Buffer => {
  const b = Buffer.alloc(4)
  b.writeUInt32LE(hash(Buffer.from(s), 1))
  return b
}
const u32 = (...values: number[]): Buffer => Buffer.concat(values.map((v) => {
  const b = Buffer.alloc(4)
  b.writeUInt32LE(v)
  return b
}))

tape('filter block: empty builder', (t) => {
  const block = Buffer.from(new FilterBlockBuilder(testHashFilter).finish())
  t.same(block, Buffer.from([0, 0, 0, 0, 0x0b]))
  const reader = new FilterBlockReader(testHashFilter, block)
  t.ok(reader.keyMayMatch(0, k('foo')))
  t.ok(reader.keyMayMatch(100000, k('foo')))
  t.end()
})

tape('filter block: single chunk', (t) => {
  const builder = new FilterBlockBuilder(testHashFilter)
  builder.startBlock(100)
  builder.addKey(k('foo'))
  builder.addKey(k('bar'))
  builder.addKey(k('box'))
  builder.startBlock(200)
  builder.addKey(k('box'))
  builder.startBlock(300)
  builder.addKey(k('hello'))
  const block = Buffer.from(builder.finish())
  t.same(block, Buffer.concat([h1('foo'), h1('bar'), h1('box'), h1('box'), h1('hello'), u32(0, 20), Buffer.from([11])]), 'golden bytes')
  const reader = new FilterBlockReader(testHashFilter, block)
  for (const key of ['foo', 'bar', 'box', 'hello']) t.ok(reader.keyMayMatch(100, k(key)), key)
  t.notOk(reader.keyMayMatch(100, k('missing')))
  t.notOk(reader.keyMayMatch(100, k('other')))
  t.end()
})

tape('filter block: multiple chunks', (t) => {
  const builder = new FilterBlockBuilder(testHashFilter)
  builder.startBlock(0)
  builder.addKey(k('foo'))
  builder.startBlock(2000)
  builder.addKey(k('bar'))
  builder.startBlock(3100)
  builder.addKey(k('box'))
  builder.startBlock(9000)
  builder.addKey(k('box'))
  builder.addKey(k('hello'))
  const block = Buffer.from(builder.finish())
  // Filters for [0,2K), [2K,4K), empty [4K,6K) and [6K,8K), then [8K,10K).
  t.same(block, Buffer.concat([
    h1('foo'), h1('bar'), h1('box'), h1('box'), h1('hello'),
    u32(0, 8, 12, 12, 12), u32(20), Buffer.from([11])
  ]), 'golden bytes')
  const reader = new FilterBlockReader(testHashFilter, block)
  t.ok(reader.keyMayMatch(0, k('foo')))
  t.ok(reader.keyMayMatch(2000, k('bar')))
  t.notOk(reader.keyMayMatch(0, k('box')))
  t.notOk(reader.keyMayMatch(0, k('hello')))
  t.ok(reader.keyMayMatch(3100, k('box')))
  t.notOk(reader.keyMayMatch(3100, k('foo')))
  t.notOk(reader.keyMayMatch(3100, k('bar')))
  t.notOk(reader.keyMayMatch(3100, k('hello')))
  for (const key of ['foo', 'bar', 'box', 'hello']) t.notOk(reader.keyMayMatch(4100, k(key)), `empty filter rejects ${key}`)
  t.ok(reader.keyMayMatch(9000, k('box')))
  t.ok(reader.keyMayMatch(9000, k('hello')))
  t.notOk(reader.keyMayMatch(9000, k('foo')))
  t.notOk(reader.keyMayMatch(9000, k('bar')))
  t.ok(reader.keyMayMatch(20000, k('foo')), 'offsets past the last filter may match')
  t.end()
})

tape('filter block: malformed contents match everything', (t) => {
  t.ok(new FilterBlockReader(testHashFilter, Buffer.from([1, 2])).keyMayMatch(0, k('x')))
  t.ok(new FilterBlockReader(testHashFilter, Buffer.from([0xff, 0, 0, 0, 11])).keyMayMatch(0, k('x')))
  t.end()
})
