// The worker protocol's packing of keys and values (lib/browser/worker-protocol.ts), in Node: what
// packUtf8() sends as UTF-8 bytes comes out of unpack() as the strings a database would have
// returned for 'utf8', whether the receiver slices one decoded whole (every byte decoded alone)
// or decodes each item (anything else).
import tape from 'tape'
import { pack, packUtf8, transferOf, TRANSFER_BYTES, unpack } from '../../lib/browser/worker-protocol'

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true })
const encoder = new TextEncoder()

// Each case's items as bytes, and the strings a database's 'utf8' would give for each.
function bytesOf (items: Array<string | number[] | undefined>): Array<Uint8Array | undefined> {
  return items.map(item => item === undefined ? undefined : typeof item === 'string' ? encoder.encode(item) : new Uint8Array(item))
}

const CASES: Array<[string, Array<string | number[] | undefined>]> = [
  ['ASCII', ['0000000000000001', 'a value', '', 'z']],
  ['absent items', [undefined, 'a', undefined, '', undefined]],
  ['none', []],
  ['non-ASCII', ['é', 'ключ', '😀', 'plain']],
  ['a BOM kept', ['\ufeffbom', 'x']],
  ['invalid bytes, one code unit each', [[0xff], [0x80, 0x41], [0xc3]]],
  ['a sequence split across items', [[0xc3], [0xa9], [0x41]]],
  ['a truncated sequence', [[0xf0, 0x9f, 0x98], [0x41]]]
]

tape('packUtf8(): unpack() gives the strings each item decodes to', t => {
  for (const [name, items] of CASES) {
    const bytes = bytesOf(items)
    const expected = bytes.map(item => item === undefined ? undefined : utf8.decode(item))
    t.same(unpack(packUtf8(bytes)), expected, name)
  }
  t.end()
})

tape('packUtf8(): strings among the bytes are encoded', t => {
  t.same(unpack(packUtf8([encoder.encode('a'), 'ключ', undefined, 'b'])), ['a', 'ключ', undefined, 'b'])
  t.end()
})

tape('packUtf8(): the UTF-8 is transferred from TRANSFER_BYTES on', t => {
  const small = packUtf8([encoder.encode('x'.repeat(TRANSFER_BYTES - 1))])
  t.same(transferOf(small), [], 'below: copied')
  const large = packUtf8([encoder.encode('x'.repeat(TRANSFER_BYTES))])
  t.same(transferOf(large), [large[1]], 'from it on: transferred')
  t.end()
})

tape('pack(): strings and bytes as they are', t => {
  const bytes = new Uint8Array([1, 2, 3])
  t.same(unpack(pack(['a', bytes, undefined, 'bc'])), ['a', bytes, undefined, 'bc'])
  t.end()
})
