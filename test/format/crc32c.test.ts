import tape from 'tape'
import { crc32cImplementation, crc32cOf, crc32cTypeScript, loadNativeCrc32c, mask, maskedCrc, unmask } from '../../lib/format/crc32c'
import { createRandom, testSeed } from '../util/random'

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

// Known vectors for the TypeScript version itself, whichever one this process uses.
tape('crc32c: the TypeScript fallback gives the check values', (t) => {
  t.is(crc32cTypeScript(Buffer.from('123456789')), 0xe3069283, 'standard check value')
  t.is(crc32cTypeScript(Buffer.alloc(32)), 0x8a9136aa, '32 zero bytes (RFC 3720)')
  t.is(crc32cTypeScript(Buffer.alloc(32, 0xff)), 0x62a8ab43, '32 0xff bytes (RFC 3720)')
  const ascending = Buffer.from(Array.from({ length: 32 }, (_, i) => i))
  t.is(crc32cTypeScript(ascending), 0x46dd794e, '32 ascending bytes (RFC 3720)')
  t.is(crc32cTypeScript(Buffer.from(ascending).reverse()), 0x113fdb5c, '32 descending bytes (RFC 3720)')
  t.is(crc32cTypeScript(new Uint8Array(0)), 0, 'empty input')
  t.is(crc32cTypeScript(Buffer.from('456789'), crc32cTypeScript(Buffer.from('123'))), 0xe3069283, 'initial value extends')
  t.end()
})

tape('crc32c: the TypeScript fallback agrees with the native addon on random data', (t) => {
  const native = loadNativeCrc32c()
  t.comment(`this process uses the ${crc32cImplementation} CRC32C`)
  if (native === undefined) {
    t.fail('@node-rs/crc32 is a dependency of the test set-up and must load here')
    t.end()
    return
  }
  const seed = testSeed(0xc3c)
  t.comment(`AIDB_TEST_SEED=${seed}`)
  const random = createRandom(seed)
  let disagreements = 0
  for (let i = 0; i < 2000; i++) {
    // Lengths around the 8-byte stride, and views that start at odd offsets of their buffer.
    const length = i < 64 ? i : random.between(0, i % 10 === 0 ? 70000 : 600)
    const offset = random.between(0, 7)
    const data = random.fill(new Uint8Array(length + offset)).subarray(offset)
    const initial = random.chance(0.5) ? 0 : random.int(0x100000000)
    if (crc32cTypeScript(data, initial) !== native(data, initial)) disagreements++
  }
  t.is(disagreements, 0, '2000 inputs of 0 to 70000 bytes, with and without an initial value')
  t.end()
})
