// The browser platform's UTF-8 decoder and copies (lib/platform/browser-text.ts) give what Node's
// Buffer gives, on inputs where decoders differ: BOMs, lone and paired surrogates, overlong and
// truncated sequences, bytes that never start a character, and ranges inside a larger buffer.
import test from 'tape'
import { copyToView, utf8Slice } from '../../lib/platform/browser-text'

const TRICKY: number[][] = [
  [],
  [0x61, 0x62, 0x63],
  [0xef, 0xbb, 0xbf, 0x61], // BOM first
  [0x61, 0xef, 0xbb, 0xbf], // BOM later
  [0xef, 0xbb, 0xbf],
  [0xed, 0xa0, 0x80], // lone high surrogate, encoded
  [0xed, 0xbf, 0xbf, 0x61], // lone low surrogate, encoded
  [0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80], // a surrogate pair encoded as two characters (CESU-8)
  [0xf0, 0x9f, 0x98, 0x80], // U+1F600
  [0xf0, 0x9f, 0x98], // truncated 4-byte sequence
  [0xf0, 0x9f, 0x61, 0x80],
  [0xc0, 0x80], // overlong NUL
  [0xe0, 0x80, 0xaf], // overlong
  [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
  [0xf5, 0x80], [0xff, 0xfe, 0x61], [0x80, 0xbf, 0x61],
  [0xc2], [0xe2, 0x82], [0x61, 0xe2, 0x82, 0xac, 0xe2, 0x82],
  [0x00, 0x7f, 0xc2, 0x80, 0xdf, 0xbf, 0xe0, 0xa0, 0x80, 0xef, 0xbf, 0xbf, 0xf4, 0x8f, 0xbf, 0xbf]
]

test('browser utf8Slice decodes as Buffer#toString does', (t) => {
  for (const bytes of TRICKY) {
    // Inside a larger buffer, with bytes on either side that would change the result if read.
    const padded = Buffer.from([0xe2, 0x82, ...bytes, 0xac, 0x80])
    const expected = Buffer.from(bytes).toString('utf8')
    t.is(utf8Slice(padded, 2, 2 + bytes.length), expected, `[${bytes.map(b => b.toString(16)).join(' ')}]`)
    t.is(utf8Slice(padded.subarray(1), 1, 1 + bytes.length), expected, 'in a view at an offset')
  }
  const rng = (seed => () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24)(7)
  for (let i = 0; i < 2000; i++) {
    const bytes = Buffer.from(Array.from({ length: rng() % 24 }, () => rng() < 160 ? rng() : 0x80 | (rng() & 0x7f)))
    if (utf8Slice(bytes, 0, bytes.length) !== bytes.toString('utf8')) t.fail(`random bytes [${bytes.toString('hex')}]`)
  }
  const shared = new Uint8Array(new SharedArrayBuffer(8))
  shared.set([0x61, 0xe2, 0x82, 0xac, 0x62])
  t.is(utf8Slice(shared, 1, 4), '\u20ac', 'shared memory')
  // Decoded through a scratch copy up to 64 KiB, from a copy of its own beyond.
  for (const length of [33, 100, 64 * 1024, 64 * 1024 + 1]) {
    const bytes = Buffer.alloc(length + 2, 'é')
    const sharedBytes = new Uint8Array(new SharedArrayBuffer(length + 2))
    sharedBytes.set(bytes)
    t.is(utf8Slice(sharedBytes, 1, 1 + length), bytes.toString('utf8', 1, 1 + length), `shared memory, ${length} bytes`)
    t.is(utf8Slice(sharedBytes, 0, length), bytes.toString('utf8', 0, length), `shared memory, ${length} bytes again`)
  }
  t.end()
})

test('browser copyToView copies the range into memory of its own', (t) => {
  const shared = new Uint8Array(new SharedArrayBuffer(8))
  shared.set([1, 2, 3, 4, 5])
  const copy = copyToView(shared.subarray(1), 1, 3)
  t.same([...copy], [3, 4])
  t.ok(copy.buffer instanceof ArrayBuffer, 'not shared')
  shared[2] = 9
  t.is(copy[0], 3, 'a copy')
  t.is(copyToView(shared, 2, 2).length, 0, 'empty')
  t.end()
})
