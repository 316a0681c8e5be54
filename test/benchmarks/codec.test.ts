import tape from 'tape'
import { checkCodecs, Codec, codecs, tableBlocks } from '../../benchmarks/codec'

tape('table blocks are cut at 4 KiB like a table builder cuts them', (t) => {
  const blocks = tableBlocks(5, 1)
  t.is(blocks.length, 5)
  for (const block of blocks) t.ok(block.length >= 4096 && block.length < 4096 + 200, `block of ${block.length} bytes`)
  t.notSame(blocks[0], blocks[1])
  for (const block of tableBlocks(3, 1, 4096)) t.ok(block.length > 4096 && block.length < 4096 + 64, `a 4 KiB value alone in a block of ${block.length} bytes`)
  t.end()
})

tape('checkCodecs confirms round trips and byte-identical output, and catches a codec that breaks either', (t) => {
  const blocks = tableBlocks(3, 2)
  const [ours, native, , oursTs] = codecs
  const good = checkCodecs(blocks, codecs, native, [ours, oursTs])
  t.same(good.failures, [])
  t.same(good.identical, [3, 3], 'ours writes the native codec\'s bytes, with either compressor')
  const big = tableBlocks(3, 2, 4096)
  t.same(checkCodecs(big, codecs, native, [ours, oursTs]), { failures: [], identical: [3, 3] }, 'and for blocks of 4 KiB values')

  const lossy: Codec = {
    name: 'lossy',
    compress: (block) => native.compress(block.subarray(0, block.length - 1)),
    uncompress: (compressed, length) => native.uncompress(compressed, length)
  }
  const bad = checkCodecs(blocks, [lossy], native, [ours])
  t.is(bad.failures.length, 6, 'each block fails through both decoders')
  const different = checkCodecs(blocks, [native], native, [ours, { ...ours, compress: (block) => Buffer.concat([ours.compress(block), Buffer.alloc(0)]).subarray(0, 1) }])
  t.same(different.identical, [3, 0])
  t.end()
})
