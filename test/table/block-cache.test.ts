// The block cache reuses the blocks (Block and buffer) evicted from it that only point lookups
// used, and only once the lookup that evicted them is over (see the invariants in
// lib/table/block-cache.ts).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import tape from 'tape'
import { AiLevel } from '../../index'
import { Block } from '../../lib/table/block'
import { BlockCache } from '../../lib/table/block-cache'
import { createRandom, testSeed } from '../util/random'

const SEED = testSeed(20261207)

// A block of `size` bytes (restart count 0 at the end), taken from the cache.
function blockOf (cache: BlockCache, size: number, fill: number): Block {
  const block = cache.takeBlock(size)
  block.data.fill(fill, 0, size - 4)
  block.data.writeUInt32LE(0, size - 4)
  block.setSize(size)
  return block
}

tape('block cache: an evicted lookup block is reused only after the next lookup starts', (t) => {
  const cache = new BlockCache(5000)
  const first = blockOf(cache, 4100, 1)
  cache.insertForLookup(1, first)
  const second = blockOf(cache, 4100, 2)
  t.not(second, first, 'a block in use is not handed out')
  t.not(second.data.buffer, first.data.buffer, 'nor its buffer')
  cache.insertForLookup(2, second)
  t.is(cache.get(1), undefined, 'the first block was evicted')
  t.not(cache.takeBlock(4100), first, 'not reused during the lookup that evicted it')
  t.ok(first.data.every((byte, i) => i >= 4096 || byte === 1), 'its bytes are intact')
  cache.startLookup()
  const reused = cache.takeBlock(4200)
  t.is(reused, first, 'reused once the next lookup starts, for a block of its size class')
  t.ok(reused.data.length >= 4200, 'its buffer holds the length asked for')
  reused.data.fill(7, 0, 4196)
  reused.data.writeUInt32LE(0, 4196)
  reused.setSize(4200)
  t.is(reused.size, 4200, 'and it takes the new contents\' size')
  t.not(cache.takeBlock(4100), first, 'and handed out once')
  t.end()
})

tape('block cache: blocks handed to iterators or inserted otherwise are never reused', (t) => {
  const cache = new BlockCache(5000)
  const shared = blockOf(cache, 4100, 1)
  cache.insertForLookup(1, shared)
  t.is(cache.get(1), shared, 'get() hands the block out for keeps')
  const plain = blockOf(cache, 4100, 2)
  cache.set(2, plain, plain.size)
  cache.insertForLookup(3, blockOf(cache, 4100, 3))
  t.is(cache.get(2), undefined, 'both were evicted')
  const foreign = new Block(Buffer.alloc(4100))
  cache.insertForLookup(4, foreign)
  cache.insertForLookup(5, blockOf(cache, 4100, 5))
  cache.startLookup()
  const taken = [cache.takeBlock(4100), cache.takeBlock(4100), cache.takeBlock(4100)]
  const buffers = taken.map(block => block.data.buffer)
  t.notOk(taken.includes(shared) || buffers.includes(shared.data.buffer), 'not a block get() handed out')
  t.notOk(taken.includes(plain) || buffers.includes(plain.data.buffer), 'not a block set() put in')
  t.notOk(taken.includes(foreign) || buffers.includes(foreign.data.buffer), 'not a block the cache did not make')
  t.end()
})

tape('block cache: a block larger than the cache, or not cached, waits for the next lookup', (t) => {
  const cache = new BlockCache(1000)
  const huge = blockOf(cache, 4100, 1)
  cache.insertForLookup(1, huge)
  t.is(cache.size, 0, 'evicted at once')
  t.not(cache.takeBlock(4100), huge, 'but it stays the lookup\'s until it ends')
  const uncached = blockOf(cache, 4100, 2)
  cache.dropAfterLookup(uncached)
  cache.startLookup()
  const next = [cache.takeBlock(4100), cache.takeBlock(4100)]
  t.ok(next.includes(huge) && next.includes(uncached), 'both reused after it')
  cache.clear()
  t.end()
})

tape('block cache: point lookups, getMany and iterators under heavy eviction read every value intact', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-level-block-cache-'))
  const random = createRandom(SEED)
  const count = 3000
  const valueOf = (i: number): string => `${i}:`.padEnd(200 + (i % 7) * 300, String.fromCharCode(97 + (i % 26)))
  try {
    const writer = new AiLevel<string, string>(dir)
    await writer.open()
    for (let start = 0; start < count; start += 500) {
      await writer.batch(Array.from({ length: 500 }, (_, j) => ({ type: 'put' as const, key: String(start + j).padStart(6, '0'), value: valueOf(start + j) })))
    }
    await writer.close()
    // A cache of a few blocks: nearly every lookup evicts one, and recycles the one before.
    const db = new AiLevel<string, string>(dir, { cacheSize: 20_000, blockSize: 1024 })
    await db.open()
    let wrong = 0
    const iterator = db.iterator()
    let next = 0
    for (let round = 0; round < 4000; round++) {
      const i = random.int(count)
      if (db.getSync(String(i).padStart(6, '0')) !== valueOf(i)) wrong++
      if (round % 50 === 0) {
        const keys = Array.from({ length: 20 }, () => random.int(count))
        const values = await db.getMany(keys.map(k => String(k).padStart(6, '0')))
        keys.forEach((k, j) => { if (values[j] !== valueOf(k)) wrong++ })
      }
      if (round % 2 === 0 && next < count) {
        const entry = await iterator.next()
        if (entry === undefined || entry[0] !== String(next).padStart(6, '0') || entry[1] !== valueOf(next)) wrong++
        next++
      }
    }
    await iterator.close()
    t.is(wrong, 0, 'every value read was the one written')
    await db.close()
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})
