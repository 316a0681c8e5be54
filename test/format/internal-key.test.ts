import tape from 'tape'
import { compareInternalKeys, makeInternalKey, parseInternalKey, sequenceOf, typeOf, ValueType } from '../../lib/format/internal-key'

tape('internal key encoding', (t) => {
  const key = makeInternalKey(Buffer.from('k'), 0x0102030405, ValueType.Value)
  t.is(key.toString('hex'), '6b' + '0105040302010000', 'tag is sequence << 8 | type, little-endian')
  t.is(sequenceOf(key), 0x0102030405)
  t.is(typeOf(key), ValueType.Value)
  const big = makeInternalKey(Buffer.from('k'), 2 ** 53 - 1, ValueType.Deletion)
  t.same(parseInternalKey(big), { userKey: Buffer.from('k'), sequence: 2 ** 53 - 1, type: ValueType.Deletion })
  t.end()
})

tape('internal key ordering', (t) => {
  // Sorted order: user key ascending, then sequence descending, then type descending.
  const ordered = [
    makeInternalKey(Buffer.from('a'), 2 ** 40, ValueType.Value),
    makeInternalKey(Buffer.from('a'), 5, ValueType.Value),
    makeInternalKey(Buffer.from('a'), 5, ValueType.Deletion),
    makeInternalKey(Buffer.from('a'), 4, ValueType.Value),
    makeInternalKey(Buffer.from('a'), 0, ValueType.Deletion),
    makeInternalKey(Buffer.from('a\x00'), 100, ValueType.Value),
    makeInternalKey(Buffer.from('b'), 2 ** 50, ValueType.Value),
    makeInternalKey(Buffer.from('b'), 256, ValueType.Value),
    makeInternalKey(Buffer.from('b'), 255, ValueType.Value)
  ]
  for (let i = 0; i < ordered.length; i++) {
    for (let j = 0; j < ordered.length; j++) {
      const expected = Math.sign(i - j)
      t.is(Math.sign(compareInternalKeys(ordered[i], ordered[j])), expected, `compare ${i} with ${j}`)
    }
  }
  t.end()
})
