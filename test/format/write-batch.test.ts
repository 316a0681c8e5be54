import tape from 'tape'
import { byteLengthOf, WriteBatch, WRITE_BATCH_HEADER_SIZE } from '../../lib/format/write-batch'
import { createRandom, testSeed, type Random } from '../util/random'
import { ValueType } from '../../lib/format/internal-key'
import { errorCode } from '../../lib/util/errors'

interface Op { type: ValueType, key: string, value: string, index: number }

function ops (batch: WriteBatch): Op[] {
  const out: Op[] = []
  batch.forEach((type, key, value, index) => out.push({ type, key: key.toString('latin1'), value: value.toString('latin1'), index }))
  return out
}

const isCorruption = (err: unknown): boolean => errorCode(err) === 'LEVEL_CORRUPTION'

tape('golden bytes of put and del', (t) => {
  const batch = new WriteBatch()
  t.is(batch.contents().toString('hex'), '0000000000000000' + '00000000', 'empty batch is a bare header')
  batch.put(Buffer.from('foo'), Buffer.from('bar'))
  batch.del(new Uint8Array(Buffer.from('box')))
  batch.sequence = 100
  t.is(batch.contents().toString('hex'),
    '6400000000000000' + '02000000' +
    '01' + '03666f6f' + '03626172' +
    '00' + '03626f78')
  t.is(batch.count(), 2)
  t.is(batch.sequence, 100)
  t.is(batch.byteSize(), 12 + 9 + 5)
  t.end()
})

tape('round trip through contents', (t) => {
  const batch = new WriteBatch()
  const longValue = 'v'.repeat(300)
  batch.put(Buffer.from('a'), Buffer.from(longValue))
  batch.del(Buffer.from('b'))
  batch.put(Buffer.alloc(0), Buffer.alloc(0))
  batch.sequence = 2 ** 53 - 1
  const copy = WriteBatch.fromContents(Buffer.from(batch.contents()))
  t.is(copy.sequence, 2 ** 53 - 1)
  t.is(copy.count(), 3)
  t.same(ops(copy), [
    { type: ValueType.Value, key: 'a', value: longValue, index: 0 },
    { type: ValueType.Deletion, key: 'b', value: '', index: 1 },
    { type: ValueType.Value, key: '', value: '', index: 2 }
  ])
  t.ok(copy.contents().equals(batch.contents()), 'identical encoding')
  t.end()
})

tape('many entries grow the buffer', (t) => {
  const batch = new WriteBatch()
  for (let i = 0; i < 5000; i++) {
    if (i % 3 === 0) batch.del(Buffer.from(`key${i}`))
    else batch.put(Buffer.from(`key${i}`), Buffer.from(`value${i}`.repeat(i % 7)))
  }
  const read = ops(WriteBatch.fromContents(Buffer.from(batch.contents())))
  t.is(read.length, 5000)
  const wrong = read.findIndex((op, i) => op.key !== `key${i}` || op.index !== i ||
    (i % 3 === 0 ? op.type !== ValueType.Deletion || op.value !== '' : op.type !== ValueType.Value || op.value !== `value${i}`.repeat(i % 7)))
  t.is(wrong, -1, 'every entry in order')
  t.end()
})

tape('append concatenates records and keeps the sequence', (t) => {
  const a = new WriteBatch()
  a.put(Buffer.from('k1'), Buffer.from('v1'))
  a.sequence = 7
  const b = new WriteBatch()
  b.del(Buffer.from('k2'))
  b.put(Buffer.from('k3'), Buffer.from('v3'))
  b.sequence = 99
  a.append(b)
  t.is(a.count(), 3)
  t.is(a.sequence, 7)
  t.same(ops(a).map((op) => op.key), ['k1', 'k2', 'k3'])
  t.is(a.contents().toString('hex'),
    '0700000000000000' + '03000000' + '01026b31027631' + '00026b32' + '01026b33027633')
  t.same(ops(b).map((op) => op.key), ['k2', 'k3'], 'source untouched')
  t.end()
})

tape('clear empties the batch', (t) => {
  const batch = new WriteBatch()
  batch.put(Buffer.from('k'), Buffer.from('v'))
  batch.sequence = 5
  batch.clear()
  t.is(batch.count(), 0)
  t.is(batch.sequence, 0)
  t.is(batch.contents().toString('hex'), '000000000000000000000000')
  batch.del(Buffer.from('x'))
  t.same(ops(batch), [{ type: ValueType.Deletion, key: 'x', value: '', index: 0 }])
  t.end()
})

tape('malformed contents are corruption', (t) => {
  t.throws(() => WriteBatch.fromContents(Buffer.alloc(11)), isCorruption, 'shorter than the header')
  const header = (count: number): string => '0100000000000000' + Buffer.from([count, 0, 0, 0]).toString('hex')
  const bad: Array<[string, string]> = [
    [header(1) + '02', 'unknown tag'],
    [header(1) + '01' + '05616263', 'key longer than the batch'],
    [header(1) + '01' + '0161', 'missing value'],
    [header(1) + '01' + '0161' + '80', 'truncated value length'],
    [header(1) + '00', 'deletion without a key'],
    [header(2) + '00' + '0161', 'count too high'],
    [header(0) + '00' + '0161', 'count too low']
  ]
  for (const [hex, what] of bad) {
    const batch = WriteBatch.fromContents(Buffer.from(hex, 'hex'))
    t.throws(() => batch.forEach(() => {}), isCorruption, what)
  }
  t.end()
})

tape('a batch over a given buffer starts empty, writes into it, and leaves it once outgrown', (t) => {
  const buffer = Buffer.alloc(64, 0xee)
  const batch = WriteBatch.over(buffer)
  t.is(batch.contents().toString('hex'), '0000000000000000' + '00000000', 'empty, whatever the buffer held')
  batch.put(Buffer.from('k1'), Buffer.from('v1'))
  t.is(batch.buffer, buffer, 'records go into the given buffer')
  t.same(ops(batch), [{ type: ValueType.Value, key: 'k1', value: 'v1', index: 0 }])
  batch.put(Buffer.from('k2'), Buffer.alloc(100, 0x61))
  t.not(batch.buffer, buffer, 'a batch that outgrows the buffer moves to a larger one')
  t.same(ops(batch).map(op => op.key), ['k1', 'k2'], 'keeping every record')
  t.end()
})

// Code units a string may hold, each kind an edge of UTF-8: ASCII and NUL, two- and three-byte
// characters, halves of surrogate pairs (which may pair up or stand alone), U+FFFF.
const CODE_UNITS = [0x00, 0x41, 0x7f, 0x80, 0xe9, 0x7ff, 0x800, 0x20ac, 0xd7ff, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xe000, 0xfffd, 0xffff]

function randomString (random: Random, maxLength: number): string {
  let s = ''
  const length = random.int(maxLength + 1)
  for (let i = 0; i < length; i++) {
    s += String.fromCharCode(random.chance(0.5) ? random.pick(CODE_UNITS) : random.between(0x20, 0x7e))
  }
  return s
}

tape('strings are encoded into the batch as Buffer.from(string, "utf8") would encode them', (t) => {
  const seed = testSeed(0xb17c5)
  t.comment(`seed ${seed}`)
  const random = createRandom(seed)
  const fixed = ['', 'plain ascii', 'caf\u00e9', '\u20ac', '\ud83d\ude00', '\ud83d', '\ude00', 'a\ud83db', '\ude00\ud83d', 'x\u0000y', 'end\ud800']
  const strings = [...fixed, ...Array.from({ length: 2000 }, () => randomString(random, 40)), randomString(random, 5000)]
  const viaString = new WriteBatch()
  const viaBuffer = new WriteBatch()
  const wrongLengths = strings.filter(s => byteLengthOf(s) !== Buffer.from(s, 'utf8').length)
  t.same(wrongLengths, [], 'byteLengthOf measures UTF-8 bytes')
  for (let i = 0; i < strings.length; i++) {
    const key = strings[i]
    const value = strings[(i * 7) % strings.length]
    if (i % 5 === 0) {
      viaString.del(key)
      viaBuffer.del(Buffer.from(key, 'utf8'))
    } else {
      viaString.put(key, value)
      viaBuffer.put(Buffer.from(key, 'utf8'), Buffer.from(value, 'utf8'))
    }
  }
  t.ok(viaString.contents().equals(viaBuffer.contents()), `${strings.length} strings encode as their UTF-8 bytes`)
  t.end()
})

tape('strings, Buffers and Uint8Arrays mix in one batch, with lengths given or measured', (t) => {
  const batch = new WriteBatch(WRITE_BATCH_HEADER_SIZE + WriteBatch.encodedSize(3, 4) + WriteBatch.encodedSize(2))
  const view = new Uint8Array(Buffer.from('..value..')).subarray(2, 7)
  batch.put('k\u00e9', view)
  batch.del(Buffer.from('k2'), 2)
  batch.put(new Uint8Array([0x6b, 0x33]), '\u20ac\ud800', 2, 6)
  t.same(ops(batch), [
    { type: ValueType.Value, key: Buffer.from('k\u00e9').toString('latin1'), value: 'value', index: 0 },
    { type: ValueType.Deletion, key: 'k2', value: '', index: 1 },
    { type: ValueType.Value, key: 'k3', value: Buffer.from('\u20ac\ufffd').toString('latin1'), index: 2 }
  ])
  t.end()
})

tape('a put of an external value encodes, followed by that value, as a put of it would', (t) => {
  const value = new Uint8Array(Buffer.from('a value held by reference'))
  const external = new WriteBatch()
  external.del('gone')
  external.putExternal('k\u00e9y', value)
  const copied = new WriteBatch()
  copied.del('gone')
  copied.put('k\u00e9y', value)
  external.sequence = copied.sequence = 42
  t.is(external.externalValue, value, 'the value is referred to, not copied')
  t.is(external.byteSize(), copied.byteSize(), 'the same encoded size')
  t.ok(Buffer.concat([external.contents(), value]).equals(copied.contents()), 'contents and the value make the encoding of a put')
  t.same(ops(external), ops(copied), 'the same records, read back')
  t.throws(() => external.put('later', 'x'), /no record may follow an external value/)
  external.clear()
  t.is(external.externalValue, null, 'clear() drops the reference')
  t.end()
})
