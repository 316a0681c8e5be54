import tape from 'tape'
import { ByteWriter } from '../../lib/format/coding'
import { BloomFilterPolicy, hash } from '../../lib/table/bloom'

const hashesOf = (policy: BloomFilterPolicy, keys: Buffer[]): number[] => keys.map((k) => policy.keyHash(k, 0, k.length))

// The filter is appended after some bytes already written, as in a filter block.
function filterOf (policy: BloomFilterPolicy, keyHashes: number[]): Buffer {
  const out = new ByteWriter(4)
  out.bytes(Buffer.from('prefix'))
  policy.createFilter(keyHashes, keyHashes.length, out)
  return out.toBuffer().subarray(6)
}

tape('hash: LevelDB util/hash_test.cc vectors', (t) => {
  t.is(hash(Buffer.alloc(0), 0xbc9f1d34), 0xbc9f1d34)
  t.is(hash(Buffer.from([0x62]), 0xbc9f1d34), 0xef1345c4)
  t.is(hash(Buffer.from([0xc3, 0x97]), 0xbc9f1d34), 0x5b663814)
  t.is(hash(Buffer.from([0xe2, 0x99, 0xa5]), 0xbc9f1d34), 0x323c078f)
  t.is(hash(Buffer.from([0xe1, 0x80, 0xb9, 0x32]), 0xbc9f1d34), 0xed21633a)
  const data5 = Buffer.from([
    0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18,
    0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00
  ])
  t.is(hash(data5, 0x12345678), 0xf333dabb)
  t.is(hash(Buffer.concat([Buffer.from('xx'), data5, Buffer.from('yy')]), 0x12345678, 2, 50), 0xf333dabb, 'sub-range')
  t.end()
})

function intKey (i: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeUInt32LE(i >>> 0)
  return b
}

tape('bloom: behaviour of util/bloom_test.cc', (t) => {
  const policy = new BloomFilterPolicy(10)
  const empty = filterOf(policy, [])
  t.is(empty.length, 9, '64 bits minimum plus the probe count')
  t.is(empty[8], 6, 'k = floor(10 * 0.69)')
  t.notOk(policy.keyMayMatch(Buffer.from('hello'), empty))
  t.notOk(policy.keyMayMatch(Buffer.from('hello'), Buffer.alloc(0)))

  const small = filterOf(policy, hashesOf(policy, [Buffer.from('hello'), Buffer.from('world')]))
  t.ok(policy.keyMayMatch(Buffer.from('hello'), small))
  t.ok(policy.keyMayMatch(Buffer.from('world'), small))
  t.notOk(policy.keyMayMatch(Buffer.from('x'), small))
  t.notOk(policy.keyMayMatch(Buffer.from('foo'), small))

  const reserved = Buffer.from([0, 0, 0, 0, 31])
  t.ok(policy.keyMayMatch(Buffer.from('anything'), reserved), 'k > 30 is treated as a match')

  let mediocre = 0
  let good = 0
  let allOk = true
  for (let length = 1; length <= 10000; length = length < 10 ? length + 1 : length < 100 ? length + 10 : length < 1000 ? length + 100 : length + 1000) {
    const keys = Array.from({ length }, (_, i) => intKey(i))
    const filter = filterOf(policy, hashesOf(policy, keys))
    if (filter.length > Math.floor(length * 10 / 8) + 40) allOk = false
    if (!keys.every((k) => policy.keyMayMatch(k, filter))) allOk = false
    let fp = 0
    for (let i = 0; i < 10000; i++) if (policy.keyMayMatch(intKey(i + 1000000000), filter)) fp++
    const rate = fp / 10000
    if (rate > 0.02) allOk = false
    if (rate > 0.0125) mediocre++
    else good++
  }
  t.ok(allOk, 'sizes bounded, no false negatives, false positive rate <= 2%')
  t.ok(mediocre * 5 <= good, `mediocre ${mediocre} vs good ${good}`)

  t.is(filterOf(new BloomFilterPolicy(1), [])[8], 1, 'k clamped to at least 1')
  t.is(filterOf(new BloomFilterPolicy(100), [])[8], 30, 'k clamped to at most 30')
  t.end()
})
