import tape from 'tape'
import { ByteWriter, copyRange, withRoomForOneMore, getFixed32, getFixed64, getLengthPrefixed, getVarint, putFixed32, putFixed64, putLengthPrefixed, putVarint, varintLength, type Cursor } from '../../lib/format/coding'
import { errorCode } from '../../lib/util/errors'

function varintBytes (value: number): Buffer {
  const buf = Buffer.alloc(10)
  return buf.subarray(0, putVarint(buf, 0, value))
}

tape('varint golden bytes', (t) => {
  const cases: Array<[number, string]> = [
    [0, '00'],
    [1, '01'],
    [127, '7f'],
    [128, '8001'],
    [300, 'ac02'],
    [16383, 'ff7f'],
    [16384, '808001'],
    [0xffffffff, 'ffffffff0f'],
    [2 ** 32, '8080808010'],
    [Number.MAX_SAFE_INTEGER, 'ffffffffffffff0f']
  ]
  for (const [value, hex] of cases) {
    const bytes = varintBytes(value)
    t.is(bytes.toString('hex'), hex, `encode ${value}`)
    t.is(varintLength(value), bytes.length, `length of ${value}`)
    const cursor: Cursor = { offset: 0 }
    t.is(getVarint(bytes, cursor), value, `decode ${value}`)
    t.is(cursor.offset, bytes.length, `cursor after ${value}`)
  }
  t.end()
})

tape('varint decoding rejects truncated and overlong input', (t) => {
  t.throws(() => getVarint(Buffer.from('8080', 'hex'), { offset: 0 }), (err: unknown) => errorCode(err) === 'LEVEL_CORRUPTION', 'truncated')
  t.throws(() => getVarint(Buffer.from('ac02', 'hex'), { offset: 0 }, 1), (err: unknown) => errorCode(err) === 'LEVEL_CORRUPTION', 'limit cuts it')
  t.throws(() => getVarint(Buffer.alloc(11, 0xff), { offset: 0 }), (err: unknown) => errorCode(err) === 'LEVEL_CORRUPTION', 'too long')
  t.end()
})

tape('fixed32 and fixed64 are little-endian and exact up to 2^53-1', (t) => {
  const buf32 = Buffer.alloc(4)
  putFixed32(buf32, 0, 0x04030201)
  t.is(buf32.toString('hex'), '01020304')
  putFixed32(buf32, 0, 0xffffffff)
  t.is(getFixed32(buf32, 0), 0xffffffff, 'unsigned')

  const buf64 = Buffer.alloc(8)
  const golden: Array<[number, string]> = [
    [0, '0000000000000000'],
    [100, '6400000000000000'],
    [2 ** 32, '0000000001000000'],
    [2 ** 32 - 1, 'ffffffff00000000'],
    [Number.MAX_SAFE_INTEGER, 'ffffffffffff1f00']
  ]
  for (const [value, hex] of golden) {
    putFixed64(buf64, 0, value)
    t.is(buf64.toString('hex'), hex, `encode ${value}`)
    t.is(getFixed64(buf64, 0), value, `decode ${value}`)
    t.is(buf64.readBigUInt64LE(0), BigInt(value), `matches BigInt for ${value}`)
  }
  t.end()
})

tape('length-prefixed slices and ByteWriter', (t) => {
  const buf = Buffer.alloc(16)
  const end = putLengthPrefixed(buf, 0, Buffer.from('abc'))
  t.is(buf.subarray(0, end).toString('hex'), '03616263')
  const cursor: Cursor = { offset: 0 }
  t.is(getLengthPrefixed(buf, cursor, end).toString(), 'abc')
  t.throws(() => getLengthPrefixed(buf, { offset: 0 }, 3), (err: unknown) => errorCode(err) === 'LEVEL_CORRUPTION', 'slice past limit')

  const writer = new ByteWriter(2)
  writer.byte(7)
  writer.fixed32(1)
  writer.fixed64(2 ** 40)
  writer.varint(300)
  writer.lengthPrefixed(Buffer.from('xy'))
  t.is(writer.toBuffer().toString('hex'), '07' + '01000000' + '0000000000010000' + 'ac02' + '027879', 'grows and encodes')
  writer.reset()
  t.is(writer.length, 0)
  t.end()
})

tape('copyRange copies any span, with or without a source view, at any alignment', (t) => {
  const source = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 37 + 11) & 0xff))
  const sourceView = new DataView(source.buffer, source.byteOffset, source.byteLength)
  let errors = 0
  for (const length of [0, 1, 3, 4, 5, 31, 32, 33, 100, 255, 256, 257, 999]) {
    for (const withView of [false, true]) {
      const start = 1
      const target = Buffer.alloc(length + 10, 0xaa)
      copyRange(source, withView ? sourceView : null, start, start + length, target, new DataView(target.buffer, target.byteOffset, target.byteLength), 3)
      const expected = Buffer.concat([Buffer.alloc(3, 0xaa), source.subarray(start, start + length), Buffer.alloc(7, 0xaa)])
      if (!target.equals(expected)) errors++
    }
  }
  t.equal(errors, 0, 'exactly the span lands, nothing around it changes')
  t.end()
})

tape('withRoomForOneMore keeps the array while it has room and doubles it, contents kept, when full', (t) => {
  const array = Uint32Array.from([1, 2, 3, 0xffffffff])
  t.equal(withRoomForOneMore(array, 3), array, 'room left: the same array')
  const grown = withRoomForOneMore(array, 4)
  t.equal(grown.length, 8, 'full: twice as long')
  t.same([...grown.subarray(0, 4)], [1, 2, 3, 0xffffffff], 'with the values so far')
  t.equal(withRoomForOneMore(new Uint32Array(0), 0).length, 1, 'an empty array grows to one slot')
  t.end()
})
