import tape from 'tape'
import { crc32cOf, mask, maskedCrc, unmask } from '../../lib/format/crc32c'

tape('crc32c check values', (t) => {
  t.is(crc32cOf(Buffer.from('123456789')), 0xe3069283, 'standard check value')
  t.is(crc32cOf(Buffer.alloc(32)), 0x8a9136aa, '32 zero bytes (RFC 3720)')
  t.is(crc32cOf(Buffer.alloc(32, 0xff)), 0x62a8ab43, '32 0xff bytes (RFC 3720)')
  t.is(crc32cOf(Buffer.from('bc'), crc32cOf(Buffer.from('a'))), crc32cOf(Buffer.from('abc')), 'initial value extends')
  t.end()
})

tape('mask and unmask', (t) => {
  const crc = crc32cOf(Buffer.from('foo'))
  t.isNot(mask(crc), crc, 'masking changes the value')
  t.isNot(mask(mask(crc)), mask(crc))
  t.is(maskedCrc(Buffer.from('foo')), mask(crc))
  let seed = 12345
  for (let i = 0; i < 1000; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
    t.is(unmask(mask(seed)), seed, `round trip ${seed}`)
  }
  t.end()
})
