import tape from 'tape'
import { ValueType, compareBytewiseSlices, compareInternalKeySlices, compareInternalKeys, makeInternalKey } from '../../lib/format/internal-key'
import { errorCode } from '../../lib/util/errors'
import { Block } from '../../lib/table/block'
import { BlockBuilder } from '../../lib/table/block-builder'
import { decodeBlockHandle, decodeFooter, encodeBlockHandle, encodeFooter, FOOTER_LENGTH } from '../../lib/table/block-handle'
import { createRandom, testSeed } from '../util/random'

const SEED = testSeed(0x5eed1234)

function throwsCorruption (t: tape.Test, fn: () => void, message: string): void {
  try {
    fn()
    t.fail(message + ': did not throw')
  } catch (err) {
    t.is(errorCode(err), 'LEVEL_CORRUPTION', message)
  }
}

tape('block: golden bytes of a tiny block', (t) => {
  const builder = new BlockBuilder(2)
  t.ok(builder.empty())
  builder.add(Buffer.from('apple'), Buffer.from('1'))
  builder.add(Buffer.from('apricot'), Buffer.from('2'))
  builder.add(Buffer.from('banana'), Buffer.from('3'))
  t.is(builder.currentSizeEstimate(), 28 + 2 * 4 + 4)
  const expected = Buffer.concat([
    Buffer.from([0, 5, 1]), Buffer.from('apple1'),
    Buffer.from([2, 5, 1]), Buffer.from('ricot2'),
    Buffer.from([0, 6, 1]), Buffer.from('banana3'),
    Buffer.from([0, 0, 0, 0, 18, 0, 0, 0, 2, 0, 0, 0])
  ])
  t.same(builder.finish(), expected)

  const iter = new Block(Buffer.from(expected)).newIterator(compareBytewiseSlices)
  iter.seekToFirst()
  const seen: string[] = []
  for (; iter.valid(); iter.next()) seen.push(`${iter.key().toString()}=${iter.value().toString()}`)
  t.same(seen, ['apple=1', 'apricot=2', 'banana=3'])
  iter.seek(Buffer.from('apz'))
  t.is(iter.key().toString(), 'banana')
  iter.prev()
  t.is(iter.key().toString(), 'apricot')
  iter.prev()
  t.is(iter.key().toString(), 'apple')
  iter.prev()
  t.notOk(iter.valid())
  iter.seek(Buffer.from('c'))
  t.notOk(iter.valid())

  builder.reset()
  t.ok(builder.empty())
  t.same(builder.finish(), Buffer.from([0, 0, 0, 0, 1, 0, 0, 0]), 'empty block has one restart')
  t.end()
})

tape('block: random round trip with internal keys, both directions and seeks', (t) => {
  t.comment(`seed ${SEED}`)
  const random = createRandom(SEED).next
  const keys: Buffer[] = []
  for (let i = 0; i < 2000; i++) {
    const len = 1 + Math.floor(random() * 20)
    const user = Buffer.alloc(len)
    for (let j = 0; j < len; j++) user[j] = 97 + Math.floor(random() * 4)
    keys.push(makeInternalKey(user, 1 + Math.floor(random() * 1000), ValueType.Value))
  }
  keys.sort(compareInternalKeys)
  const unique = keys.filter((k, i) => i === 0 || compareInternalKeys(keys[i - 1], k) !== 0)
  for (const interval of [1, 3, 16]) {
    const builder = new BlockBuilder(interval)
    unique.forEach((k, i) => builder.add(k, Buffer.from(`v${i}`)))
    const block = new Block(Buffer.from(builder.finish()))
    const iter = block.newIterator(compareInternalKeySlices)

    const forward: Buffer[] = []
    for (iter.seekToFirst(); iter.valid(); iter.next()) forward.push(iter.key())
    t.ok(forward.length === unique.length && forward.every((k, i) => k.equals(unique[i])), `interval ${interval}: forward`)

    const backward: Buffer[] = []
    for (iter.seekToLast(); iter.valid(); iter.prev()) backward.push(iter.key())
    backward.reverse()
    t.ok(backward.length === unique.length && backward.every((k, i) => k.equals(unique[i])), `interval ${interval}: backward`)

    let seeksOk = true
    for (let i = 0; i < unique.length; i += 7) {
      iter.seek(unique[i])
      if (!iter.valid() || !iter.key().equals(unique[i]) || iter.value().toString() !== `v${i}`) seeksOk = false
    }
    t.ok(seeksOk, `interval ${interval}: seeks land on existing keys`)

    let betweenOk = true
    for (let i = 0; i < 300; i++) {
      const probe = makeInternalKey(Buffer.from(`${String.fromCharCode(97 + Math.floor(random() * 5))}b`), 500, ValueType.Value)
      const expected = unique.find((k) => compareInternalKeys(k, probe) >= 0)
      iter.seek(probe)
      if (expected === undefined ? iter.valid() : !iter.valid() || !iter.key().equals(expected)) betweenOk = false
    }
    t.ok(betweenOk, `interval ${interval}: seeks between keys`)
  }
  t.end()
})

tape('block: returned keys are never overwritten', (t) => {
  const builder = new BlockBuilder(16)
  for (let i = 0; i < 20; i++) builder.add(Buffer.from(`key${String(i).padStart(3, '0')}`), Buffer.from('x'))
  const iter = new Block(Buffer.from(builder.finish())).newIterator(compareBytewiseSlices)
  const kept: Buffer[] = []
  for (iter.seekToFirst(); iter.valid(); iter.next()) kept.push(iter.key())
  t.same(kept.map(String), Array.from({ length: 20 }, (_, i) => `key${String(i).padStart(3, '0')}`))
  t.end()
})

tape('block: an iterator retargeted at another block reads only that block', (t) => {
  const blockOf = (prefix: string, count: number): Block => {
    const builder = new BlockBuilder(4)
    for (let i = 0; i < count; i++) builder.add(Buffer.from(`${prefix}${String(i).padStart(3, '0')}`), Buffer.from(`${prefix}-value-${i}`))
    return new Block(Buffer.from(builder.finish()))
  }
  const first = blockOf('apple', 10)
  const second = blockOf('berry', 7)
  const iter = first.newIterator(compareBytewiseSlices)
  iter.seek(Buffer.from('apple005'))
  // A key handed out before the move, and one rebuilt from a shared prefix in the key buffer.
  const handedOut = iter.key()
  iter.next()
  t.is(String(iter.keyView()), 'apple006', 'positioned on a prefix-compressed key before the move')
  iter.retarget(second)
  t.notOk(iter.valid(), 'unpositioned after retarget')
  iter.seek(Buffer.from('berry003'))
  t.is(String(iter.key()), 'berry003', 'key() is the new block\'s, not the one handed out before')
  t.is(String(iter.value()), 'berry-value-3')
  const keys: string[] = []
  for (iter.seekToFirst(); iter.valid(); iter.next()) keys.push(String(iter.key()))
  t.same(keys, Array.from({ length: 7 }, (_, i) => `berry${String(i).padStart(3, '0')}`), 'a full scan sees exactly the new block')
  iter.seek(Buffer.from('zzz'))
  t.notOk(iter.valid(), 'a seek past the end stays inside the new block')
  t.is(String(handedOut), 'apple005', 'the key handed out earlier is unchanged')
  iter.retarget(first)
  iter.seekToLast()
  t.is(String(iter.key()), 'apple009', 'and back again')
  t.end()
})

tape('block: malformed blocks throw corruption', (t) => {
  throwsCorruption(t, () => new Block(Buffer.from([1, 2])), 'too short')
  throwsCorruption(t, () => new Block(Buffer.from([0, 0, 0, 0, 9, 0, 0, 0])), 'restart count too large')

  const builder = new BlockBuilder(16)
  builder.add(Buffer.from('a'), Buffer.from('1'))
  builder.add(Buffer.from('ab'), Buffer.from('2'))
  const good = Buffer.from(builder.finish())

  const overrun = Buffer.from(good)
  overrun[2] = 100 // value length runs past the restart array
  throwsCorruption(t, () => new Block(overrun).newIterator(compareBytewiseSlices).seekToFirst(), 'entry overruns block')

  const badShared = Buffer.from(good)
  badShared[5] = 5 // second entry shares more bytes than the previous key has
  throwsCorruption(t, () => {
    const iter = new Block(badShared).newIterator(compareBytewiseSlices)
    for (iter.seekToFirst(); iter.valid(); iter.next()) iter.key()
  }, 'shared prefix longer than previous key')

  const badRestart = Buffer.from(good)
  badRestart.writeUInt32LE(1000, badRestart.length - 8)
  throwsCorruption(t, () => new Block(badRestart).newIterator(compareBytewiseSlices).seekToFirst(), 'restart point out of range')
  t.end()
})

tape('block handle and footer encoding', (t) => {
  t.same(encodeBlockHandle({ offset: 300, size: 5 }), Buffer.from([0xac, 0x02, 0x05]))
  t.same(decodeBlockHandle(Buffer.from([0xac, 0x02, 0x05, 0xff])), { offset: 300, size: 5 }, 'trailing bytes allowed')
  const big = { offset: 2 ** 40 + 3, size: 123456 }
  t.same(decodeBlockHandle(encodeBlockHandle(big)), big)
  throwsCorruption(t, () => decodeBlockHandle(Buffer.from([0x80])), 'truncated handle')

  const footer = { metaindexHandle: { offset: 1000, size: 20 }, indexHandle: { offset: 1025, size: 40 } }
  const encoded = encodeFooter(footer)
  t.is(encoded.length, FOOTER_LENGTH)
  t.same(encoded.subarray(0, 6), Buffer.from([0xe8, 0x07, 0x14, 0x81, 0x08, 0x28]))
  t.ok(encoded.subarray(6, 40).every((b) => b === 0), 'padding is zero')
  t.same(encoded.subarray(40), Buffer.from([0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb]), 'magic')
  t.same(decodeFooter(encoded), footer)
  const bad = Buffer.from(encoded)
  bad[47] ^= 1
  throwsCorruption(t, () => decodeFooter(bad), 'bad magic')
  t.end()
})

tape('block: a random walk of next(), prev() and seeks matches the entries, keys handed out stay intact', (t) => {
  t.comment(`seed ${SEED}`)
  const random = createRandom(SEED + 1)
  const keys = Array.from({ length: 300 }, (_, i) => Buffer.from(`key${String(i * 7).padStart(6, '0')}${'x'.repeat(random.int(4))}`))
  for (const interval of [1, 4, 16]) {
    const builder = new BlockBuilder(interval)
    keys.forEach((k, i) => builder.add(k, Buffer.from(`v${i}`)))
    const iter = new Block(Buffer.from(builder.finish())).newIterator(compareBytewiseSlices)
    let position = -1
    let mismatches = 0
    const kept: Array<[Buffer, number]> = []
    for (let step = 0; step < 3000; step++) {
      const op = random.int(10)
      if (position < 0 || op === 0) {
        position = random.int(keys.length)
        iter.seek(keys[position])
      } else if (op === 1) {
        iter.seekToLast()
        position = keys.length - 1
      } else if (op < 5) {
        iter.next()
        position++
      } else {
        iter.prev()
        position--
      }
      if (position < 0 || position >= keys.length) {
        if (iter.valid()) mismatches++
        position = -1
        continue
      }
      if (!iter.valid() || !iter.key().equals(keys[position]) || iter.value().toString() !== `v${position}`) mismatches++
      if (step % 50 === 0) kept.push([iter.key(), position])
    }
    t.is(mismatches, 0, `interval ${interval}: every step lands on the expected entry`)
    t.ok(kept.every(([key, i]) => key.equals(keys[i])), `interval ${interval}: keys handed out earlier are unchanged`)
  }
  t.end()
})
