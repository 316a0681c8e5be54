import tape from 'tape'
import { absentKey, Codec, decimalKey, printableValue, shuffledIndexes, ValueSource } from '../../benchmarks/data'
import { createRandom } from '../util/random'

tape('decimal keys are 16 bytes in numeric order; absent keys fall between neighbours', (t) => {
  t.is(decimalKey(42), '0000000000000042')
  t.is(decimalKey(42).length, 16)
  t.ok(decimalKey(9) < decimalKey(10))
  const absent = absentKey(129)
  t.is(absent.length, 16)
  t.ok(decimalKey(129) < absent && absent < decimalKey(130), `${decimalKey(129)} < ${absent} < ${decimalKey(130)}`)
  t.is(absentKey(121), absent, 'one absent key per ten written ones')
  t.ok(absentKey(0) > decimalKey(9) && absentKey(0) < decimalKey(10), 'after the first ten keys')
  t.end()
})

tape('values are printable random bytes with the first half repeated', (t) => {
  for (const size of [100, 4096, 7]) {
    const value = printableValue(createRandom(1), size)
    t.is(value.length, size)
    t.ok(value.every((byte) => byte >= 0x20 && byte < 0x7f), `printable (${size})`)
    const half = Math.ceil(size / 2)
    t.same(value.subarray(half), value.subarray(0, size - half), `second half repeats the first (${size})`)
  }
  t.end()
})

tape('codecs hand strings for utf8 and Buffers for buffer, with the same bytes', (t) => {
  t.is(new Codec('utf8').key('0001'), '0001')
  t.same(new Codec('buffer').key('0001'), Buffer.from('0001'))
  const utf8 = new ValueSource(createRandom(7), { encoding: 'utf8', valueSize: 100 }).next()
  const buffer = new ValueSource(createRandom(7), { encoding: 'buffer', valueSize: 100 }).next()
  t.is(typeof utf8, 'string')
  t.ok(Buffer.isBuffer(buffer))
  t.is(Buffer.from(utf8 as string, 'utf8').toString('hex'), (buffer as Buffer).toString('hex'))
  t.end()
})

tape('shuffledIndexes is a permutation', (t) => {
  const order = shuffledIndexes(createRandom(3), 1000)
  t.same([...order].sort((a, b) => a - b), Array.from({ length: 1000 }, (_, i) => i))
  t.notSame([...order.subarray(0, 10)], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'not in order')
  t.end()
})
