// KeyBuffer: the reusable key slot of builders and scanners, and copyBytes.
import test from 'tape'
import { copyBytes, KeyBuffer } from '../../lib/format/key-buffer'

test('KeyBuffer: set, replaceTail and growth keep exactly the bytes asked for', (t) => {
  const key = new KeyBuffer(4)
  key.set(Buffer.from('xxabcdefyy'), 2, 8)
  t.equal(key.view().toString(), 'abcdef', 'set copies the range, growing past the initial size')
  key.replaceTail(3, Buffer.from('XYZ'), 0, 3)
  t.equal(key.view().toString(), 'abcXYZ', 'replaceTail keeps the prefix and appends the range')
  const long = Buffer.alloc(100, 0x61)
  key.replaceTail(2, long, 0, 100)
  t.equal(key.length, 102, 'length after growing on replaceTail')
  t.equal(key.view().subarray(0, 2).toString(), 'ab', 'the kept prefix survives growth')
  t.ok(key.view().subarray(2).equals(long), 'a long tail is copied whole')
  key.set(Buffer.from('k'), 0, 1)
  t.equal(key.view().toString(), 'k', 'a shorter key replaces a longer one')
  t.end()
})

test('KeyBuffer.copy and copyBytes return bytes with an ArrayBuffer of their own', (t) => {
  const key = new KeyBuffer()
  key.set(Buffer.from('hello'), 0, 5)
  const copy = key.copy()
  key.set(Buffer.from('world'), 0, 5)
  t.equal(copy.toString(), 'hello', 'later writes to the KeyBuffer do not change the copy')
  t.equal(copy.buffer.byteLength, 5, 'the copy does not share a larger buffer')
  const big = Buffer.alloc(1 << 16, 1)
  const small = copyBytes(big.subarray(10, 20))
  t.equal(small.buffer.byteLength, 10, 'copyBytes of a view keeps only the view\'s bytes')
  t.ok(small.equals(big.subarray(10, 20)), 'same contents')
  t.end()
})
