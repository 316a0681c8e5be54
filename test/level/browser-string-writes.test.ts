// The string writes browser bundles give the `buffer` package's Buffer
// (scripts/browser-string-writes.ts) do what Node's Buffer does, on ASCII, multi-byte text, lone
// surrogates and writes cut short by the length or the end of the buffer.
import test from 'tape'
import { latin1Write, utf8Length, utf8Write } from '../../scripts/browser-string-writes'

interface StringWriting {
  latin1Write: (string: string, offset: number, length: number) => number
  utf8Write: (string: string, offset: number, length: number) => number
}

const STRINGS = ['', 'a', 'abc', 'x'.repeat(100), 'é', 'aé€😀', '\uFEFFbom', '\uD800', 'a\uDC00b', '\uD83D\uDE00\uD83D', '\uDE00\uD83D', 'ÿ\u0100\u07FF\u0800\uFFFF', '€'.repeat(40)]

test('browser utf8Write, latin1Write and utf8Length match Node\'s Buffer', (t) => {
  for (const s of STRINGS) {
    t.is(utf8Length(s), Buffer.byteLength(s, 'utf8'), `utf8Length ${JSON.stringify(s)}`)
    for (const [offset, length] of [[0, 3 * s.length], [2, 3 * s.length], [1, 4], [3, 1], [0, 0], [5, 200]]) {
      for (const size of [3 * s.length + 8, 6]) {
        for (const method of ['utf8Write', 'latin1Write'] as const) {
          const expected = Buffer.alloc(size, 0xaa)
          const actual = Buffer.alloc(size, 0xaa)
          if (offset > size) continue
          const want = (expected as Buffer & StringWriting)[method](s, offset, length)
          const got = (method === 'utf8Write' ? utf8Write : latin1Write).call(actual, s, offset, length)
          if (got !== want || !actual.equals(expected)) t.fail(`${method} ${JSON.stringify(s)} at ${offset}, ${length} of ${size}: ${got} [${actual.toString('hex')}], not ${want} [${expected.toString('hex')}]`)
        }
      }
    }
  }
  t.pass('all writes matched')
  t.end()
})
