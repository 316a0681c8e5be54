import tape from 'tape'
import { compareBytewiseSlices } from '../../lib/format/internal-key'
import { TwoLevelIterator } from '../../lib/iterator/two-level-iterator'
import { Block } from '../../lib/table/block'
import { BlockBuilder } from '../../lib/table/block-builder'

function blockOf (keys: string[]): Block {
  const builder = new BlockBuilder(2)
  for (const k of keys) builder.add(Buffer.from(k), Buffer.from(k.toUpperCase()))
  return new Block(Buffer.from(builder.finish()))
}

// Inner blocks, some empty; the index maps each block's last key (or a separator) to its number.
const inner = [[], ['a', 'b'], [], [], ['c'], ['d', 'e', 'f'], []].map(blockOf)
const indexBuilder = new BlockBuilder(1)
for (const [key, id] of [['0', 0], ['b', 1], ['b1', 2], ['b2', 3], ['c', 4], ['f', 5], ['z', 6]] as const) {
  indexBuilder.add(Buffer.from(key), Buffer.from([id]))
}
const index = new Block(Buffer.from(indexBuilder.finish()))

function open (): { iter: TwoLevelIterator, opened: number[] } {
  const opened: number[] = []
  const iter = new TwoLevelIterator(index.newIterator(compareBytewiseSlices), (value) => {
    opened.push(value[0])
    return inner[value[0]].newIterator(compareBytewiseSlices)
  })
  return { iter, opened }
}

tape('two-level iterator: skips empty blocks in both directions', (t) => {
  const { iter, opened } = open()
  const forward: string[] = []
  for (iter.seekToFirst(); iter.valid(); iter.next()) forward.push(`${iter.key().toString()}${iter.value().toString()}`)
  t.same(forward, ['aA', 'bB', 'cC', 'dD', 'eE', 'fF'])
  t.same(opened, [0, 1, 2, 3, 4, 5, 6])

  const backward: string[] = []
  for (iter.seekToLast(); iter.valid(); iter.prev()) backward.push(iter.key().toString())
  t.same(backward, ['f', 'e', 'd', 'c', 'b', 'a'])

  iter.seek(Buffer.from('b0'))
  t.is(iter.key().toString(), 'c', 'seek past an empty block')
  iter.prev()
  t.is(iter.key().toString(), 'b')
  iter.seek(Buffer.from('g'))
  t.notOk(iter.valid(), 'seek past the end')
  iter.seek(Buffer.from('e'))
  opened.length = 0
  iter.seek(Buffer.from('d'))
  t.is(iter.key().toString(), 'd')
  t.same(opened, [], 'seeking within the current block reuses it')
  iter.close()
  t.notOk(iter.valid())
  t.end()
})
