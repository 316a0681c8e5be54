import tape from 'tape'
import { ByteWriter, getFixed32, getFixed64, getLengthPrefixed, getVarint, putFixed32, putFixed64, putLengthPrefixed, putVarint, varintLength, type Cursor } from '../../lib/format/coding'
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
