// Tests for the Snappy raw-format codec: round trips, interop with snappyjs, malformed streams, and
// the WebAssembly compressor and decoder against the TypeScript ones.
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import test from 'tape'
import { compress as snappyjsCompress, uncompress as snappyjsUncompress } from 'snappyjs'
import { tableBlocks } from '../../benchmarks/codec'
import { snappyCompress, snappyCompressTs, snappyUncompress, snappyUncompressedLength, snappyUncompressInto, snappyUncompressPrefix, snappyUncompressTs } from '../../lib/format/snappy'
import { wasmCompress } from '../../lib/format/snappy-wasm-compressor'
import { MAX_WASM_INPUT, MAX_WASM_OUTPUT, wasmUncompress } from '../../lib/format/snappy-wasm-decoder'
import { createRandom, testSeed, type Random } from '../util/random'

const SEED = testSeed(20261124)
const NO_LIMIT = 0xffffffff

/** Hand-assembles raw streams, including element forms our compressor never emits. */
class StreamBuilder {
  private readonly bytes: number[] = []

  varint (value: number): this {
    while (value >= 0x80) {
      this.bytes.push((value & 0x7f) | 0x80)
      value = Math.floor(value / 0x80)
    }
    this.bytes.push(value)
    return this
  }

  raw (...bytes: number[]): this {
    this.bytes.push(...bytes)
    return this
  }

  /** lengthBytes 0 puts length-1 in the tag (lengths up to 60); 1..4 use that many extra bytes; default is the shortest. */
  literal (data: Uint8Array | string, lengthBytes?: number): this {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data
    const n = bytes.length - 1
    lengthBytes ??= n < 60 ? 0 : n < 0x100 ? 1 : n < 0x10000 ? 2 : n < 0x1000000 ? 3 : 4
    if (lengthBytes === 0) {
      this.bytes.push(n << 2)
    } else {
      this.bytes.push((59 + lengthBytes) << 2)
      for (let i = 0; i < lengthBytes; i++) this.bytes.push(Math.floor(n / 2 ** (8 * i)) & 0xff)
    }
    for (const byte of bytes) this.bytes.push(byte)
    return this
  }

  copy1 (offset: number, length: number): this {
    return this.raw(((offset >>> 8) << 5) | ((length - 4) << 2) | 1, offset & 0xff)
  }

  copy2 (offset: number, length: number): this {
    return this.raw(((length - 1) << 2) | 2, offset & 0xff, offset >>> 8)
  }

  copy4 (offset: number, length: number): this {
    return this.raw(((length - 1) << 2) | 3, offset & 0xff, (offset >>> 8) & 0xff, (offset >>> 16) & 0xff, offset >>> 24)
  }

  build (): Buffer {
    return Buffer.from(this.bytes)
  }
}

const WORDS = ['the', 'quick', 'brown', 'fox', 'jumps', 'over', 'lazy', 'dog', 'level', 'table', 'block', 'snappy',
  'compaction', 'key', 'value', 'sequence', 'number', 'of', 'a', 'in', 'and', 'to', 'is', 'with', 'for']

function textLike (random: Random, length: number): Buffer {
  const out = Buffer.alloc(length)
  let i = 0
  while (i < length) {
    const word = random.pick(WORDS)
    const separator = random.chance(0.1) ? '.\n' : ' '
    i += out.write(word + separator, i, 'latin1')
  }
  return out
}

function randomBytes (random: Random, length: number): Buffer {
  return Buffer.from(random.fill(new Uint8Array(length)))
}

/** Roughly a table data block: prefix-compressed random keys, half-repeating printable values, restart array. */
function tableBlockLike (random: Random, targetSize = 4096): Buffer {
  const keys: Buffer[] = []
  for (let i = 0; i < Math.ceil(targetSize / 110); i++) keys.push(randomBytes(random, 16))
  keys.sort(Buffer.compare)
  const parts: number[] = []
  const restarts: number[] = []
  let previous = Buffer.alloc(0)
  for (let i = 0; i < keys.length && parts.length < targetSize - 200; i++) {
    const key = Buffer.concat([keys[i], randomBytes(random, 8)])
    let shared = 0
    if (i % 16 === 0) {
      restarts.push(parts.length)
    } else {
      while (shared < key.length && key[shared] === previous[shared]) shared++
    }
    const value: number[] = []
    for (let j = 0; j < 50; j++) value.push(0x20 + random.int(95))
    parts.push(shared, key.length - shared, 100, ...key.subarray(shared), ...value, ...value)
    previous = key
  }
  const trailer = Buffer.alloc(restarts.length * 4 + 4)
  restarts.forEach((restart, i) => trailer.writeUInt32LE(restart, i * 4))
  trailer.writeUInt32LE(restarts.length, restarts.length * 4)
  return Buffer.concat([Buffer.from(parts), trailer])
}

/** Inputs of many shapes, from a seed, for round trips and cross-checks. */
function mixedInput (random: Random, maxLength = 200000): Buffer {
  const length = Math.min(maxLength, random.chance(0.2) ? random.int(64) : random.int(random.chance(0.9) ? 20000 : 200000))
  switch (random.int(5)) {
    case 0: return randomBytes(random, length)
    case 1: return textLike(random, length)
    case 2: return tableBlockLike(random, Math.max(length, 256))
    case 3: return Buffer.alloc(length, random.int(256))
    default: {
      // Runs of few distinct bytes: short, overlapping, near and far matches.
      const out = Buffer.alloc(length)
      for (let i = 0; i < length; i++) {
        out[i] = random.chance(0.7) && i >= 1 ? out[i - 1 - random.int(Math.min(i, 3000))] : random.int(4)
      }
      return out
    }
  }
}

function roundTrip (t: test.Test, input: Buffer, message: string): Buffer {
  const compressed = snappyCompress(input)
  t.ok(compressed.length <= 32 + input.length + Math.floor(input.length / 6), `${message}: within the worst-case bound`)
  t.is(snappyUncompressedLength(compressed), input.length, `${message}: preamble holds the length`)
  const output = snappyUncompress(compressed, input.length)
  t.ok(output.equals(input), `${message}: round trip`)
  return compressed
}

test('snappy: golden encodings', (t) => {
  t.same([...snappyCompress(Buffer.alloc(0))], [0], 'empty input is just a zero preamble')
  t.same([...snappyCompress(Buffer.from('a'))], [1, 0, 0x61], '1 byte is one literal')
  t.same([...snappyCompress(Buffer.alloc(20, 0x61))], [20, 0, 0x61, (18 << 2) | 2, 1, 0], 'run of 20: literal then copy 19 at offset 1')
  const zeros = snappyCompress(Buffer.alloc(200))
  t.same([...zeros.subarray(0, 6)], [0xc8, 0x01, 0, 0, (63 << 2) | 2, 1], 'long copies split into 64-byte pieces')
  t.end()
})

test('snappy: decodes every element form', (t) => {
  const cases: Array<[string, Buffer, string]> = [
    ['short literal', new StreamBuilder().varint(3).literal('abc').build(), 'abc'],
    ['literal, 1 length byte', new StreamBuilder().varint(3).literal('abc', 1).build(), 'abc'],
    ['literal, 2 length bytes', new StreamBuilder().varint(3).literal('abc', 2).build(), 'abc'],
    ['literal, 3 length bytes', new StreamBuilder().varint(3).literal('abc', 3).build(), 'abc'],
    ['literal, 4 length bytes', new StreamBuilder().varint(3).literal('abc', 4).build(), 'abc'],
    ['copy1 overlapping run', new StreamBuilder().varint(9).literal('ab').copy1(2, 7).build(), 'ababababa'],
    ['copy1 offset high bits', new StreamBuilder().varint(1800 + 4).literal('x'.repeat(1799) + 'Y').copy1(1800, 4).build(), 'x'.repeat(1799) + 'Yxxxx'],
    ['copy2 non-overlapping', new StreamBuilder().varint(40).literal('0123456789abcdefghij').copy2(20, 20).build(), '0123456789abcdefghij'.repeat(2)],
    ['copy2 overlapping by one', new StreamBuilder().varint(65).literal('z').copy2(1, 64).build(), 'z'.repeat(65)],
    ['copy4', new StreamBuilder().varint(8).literal('wxyz').copy4(4, 4).build(), 'wxyzwxyz'],
    ['empty', new StreamBuilder().varint(0).build(), ''],
    ['non-canonical preamble', new StreamBuilder().raw(0x83, 0x00).literal('abc').build(), 'abc']
  ]
  for (const [name, stream, expected] of cases) {
    t.is(snappyUncompress(stream, NO_LIMIT).toString('latin1'), expected, name)
    t.is(snappyUncompressTs(stream, NO_LIMIT).toString('latin1'), expected, `${name} (TypeScript decoder)`)
  }
  const long = Buffer.alloc(70000, 7)
  t.ok(snappyUncompress(new StreamBuilder().varint(long.length).literal(long, 3).build(), NO_LIMIT).equals(long), 'literal longer than 64 KiB')
  // Snappy stores a long match as a run of 64-byte copy2 elements of one offset, which the decoder
  // takes as one copy: not overlapping, overlapping, ended by a copy of another offset.
  const source = randomBytes(createRandom(2), 200)
  const runOf = (offset: number, count: number, builder: StreamBuilder): StreamBuilder => {
    for (let i = 0; i < count; i++) builder.copy2(offset, 64)
    return builder
  }
  const apart = runOf(200, 3, new StreamBuilder().varint(392).literal(source)).build()
  t.ok(snappyUncompress(apart, NO_LIMIT).equals(Buffer.concat([source, source.subarray(0, 192)])), 'copy2 run of one offset, not overlapping')
  const ten = source.subarray(0, 10)
  const overlapping = runOf(10, 3, new StreamBuilder().varint(202).literal(ten)).build()
  t.ok(snappyUncompress(overlapping, NO_LIMIT).equals(Buffer.concat(Array.from({ length: 21 }, () => ten)).subarray(0, 202)), 'copy2 run of one offset, overlapping')
  const ended = runOf(200, 2, new StreamBuilder().varint(338).literal(source)).copy2(100, 10).build()
  t.ok(snappyUncompress(ended, NO_LIMIT).equals(Buffer.concat([source, source.subarray(0, 128), source.subarray(28, 38)])), 'copy2 run ended by a copy of another offset')
  const far = Buffer.concat([randomBytes(createRandom(1), 70000)])
  const farStream = new StreamBuilder().varint(far.length + 30).literal(far, 3).copy4(70000, 30).build()
  t.ok(snappyUncompress(farStream, NO_LIMIT).equals(Buffer.concat([far, far.subarray(0, 30)])), 'copy4 beyond 64 KiB')
  t.end()
})

test('snappy: round trips of fixed shapes', (t) => {
  const random = createRandom(7)
  roundTrip(t, Buffer.alloc(0), 'empty')
  roundTrip(t, Buffer.from([0xab]), '1 byte')
  for (let length = 2; length <= 40; length++) roundTrip(t, randomBytes(random, length), `${length} random bytes`)
  const zeros = roundTrip(t, Buffer.alloc(100 * 1024), 'all-zero 100 KiB')
  t.ok(zeros.length < 5000, `all-zero 100 KiB compresses well (${zeros.length} bytes)`)
  const incompressible = randomBytes(random, 200 * 1024)
  const randomCompressed = roundTrip(t, incompressible, 'random 200 KiB')
  t.ok(randomCompressed.length > incompressible.length, 'random data does not shrink')
  const text = textLike(random, 300 * 1024)
  const textCompressed = roundTrip(t, text, 'text-like 300 KiB')
  t.ok(textCompressed.length < text.length / 2, `text-like data compresses (${textCompressed.length} of ${text.length})`)
  const repetitive = Buffer.from('abcdefgh'.repeat(5000) + '0123'.repeat(3000))
  roundTrip(t, repetitive, 'repetitive')
  for (let i = 0; i < 5; i++) {
    const block = tableBlockLike(random)
    const compressed = roundTrip(t, block, `table-like 4 KiB block ${i}`)
    t.ok(compressed.length < block.length * 0.8, `table-like block ${i} compresses (${compressed.length} of ${block.length})`)
  }
  for (const length of [65535, 65536, 65537, 2 * 65536, 3 * 65536 + 5]) {
    roundTrip(t, textLike(random, length), `text-like ${length} bytes`)
    roundTrip(t, randomBytes(random, length), `random ${length} bytes`)
    const fragmentEdge = Buffer.alloc(length, 0x41)
    roundTrip(t, fragmentEdge, `constant ${length} bytes`)
  }
  t.end()
})

test('snappy: start/end sub-ranges', (t) => {
  const random = createRandom(11)
  const source = textLike(random, 150000)
  const ranges: Array<[number, number]> = [[0, 0], [5, 5], [0, 1], [1, 2], [100, 4196], [3, 65539], [1000, 150000], [0, 150000], [149999, 150000]]
  for (const [start, end] of ranges) {
    const compressed = snappyCompress(source, start, end)
    t.ok(snappyUncompress(compressed, NO_LIMIT).equals(source.subarray(start, end)), `[${start}, ${end})`)
  }
  const view = new Uint8Array(source.buffer, source.byteOffset + 10, 5000)
  t.ok(snappyUncompress(snappyCompress(view, 7, 4007), NO_LIMIT).equals(source.subarray(17, 4017)), 'Uint8Array view with an offset')
  t.ok(snappyUncompress(snappyCompress(view), NO_LIMIT).equals(Buffer.from(view)), 'default range is the whole view')
  const stream = snappyCompress(source, 0, 20000)
  const padded = new Uint8Array(stream.length + 11)
  padded.fill(0xee)
  padded.set(stream, 7)
  const streamView = padded.subarray(7, 7 + stream.length)
  t.ok(snappyUncompress(streamView, NO_LIMIT).equals(source.subarray(0, 20000)), 'decodes a stream in a Uint8Array view with an offset')
  const bad: Array<[number, number]> = [[-1, 10], [10, 5], [0, 150001], [0.5, 10], [Number.NaN, 10]]
  for (const [start, end] of bad) t.throws(() => snappyCompress(source, start, end), RangeError, `rejects [${start}, ${end})`)
  t.end()
})

test('snappy: a compressed stream lasts until the next call; decoding into a given buffer', (t) => {
  const random = createRandom(12)
  const a = textLike(random, 4096)
  const b = textLike(random, 4096)
  const streamA = snappyCompress(a)
  const copyOfA = Buffer.from(streamA)
  t.ok(snappyUncompress(copyOfA, NO_LIMIT).equals(a), 'the stream decodes to its input')
  const streamB = snappyCompress(b)
  t.ok(snappyUncompress(streamB, NO_LIMIT).equals(b), 'the next stream decodes to its own input')
  t.is(streamB.buffer, streamA.buffer, 'streams of small inputs share one buffer, so a kept stream must be copied')
  const large = textLike(random, 200000)
  t.ok(snappyUncompress(snappyCompress(large), NO_LIMIT).equals(large), 'inputs over 64 KiB round-trip too')

  const into = Buffer.alloc(8192, 0xee)
  const decoded = snappyUncompress(copyOfA, NO_LIMIT, into)
  t.ok(decoded.equals(a), 'decodes into a given buffer')
  t.is(decoded.buffer, into.buffer, 'the result is a view of the given buffer when it fits')
  t.is(decoded.byteOffset, into.byteOffset, 'from its start')
  const tooSmall = Buffer.alloc(100)
  const fresh = snappyUncompress(copyOfA, NO_LIMIT, tooSmall)
  t.ok(fresh.equals(a) && fresh.buffer !== tooSmall.buffer, 'a buffer too short is left alone and a new one returned')
  t.end()
})

test(`snappy: round trips and snappyjs cross-checks on mixed inputs (seed ${SEED})`, (t) => {
  const random = createRandom(SEED)
  const failures: string[] = []
  let oursTotal = 0
  let theirsTotal = 0
  for (let i = 0; i < 300; i++) {
    const input = mixedInput(random)
    const ours = snappyCompress(input)
    const theirs = snappyjsCompress(input)
    oursTotal += ours.length
    theirsTotal += theirs.length
    if (!snappyUncompress(ours, input.length).equals(input)) failures.push(`${i}: ours -> ours`)
    if (!Buffer.from(snappyjsUncompress(ours)).equals(input)) failures.push(`${i}: ours -> snappyjs`)
    if (!snappyUncompress(theirs, input.length).equals(input)) failures.push(`${i}: snappyjs -> ours`)
  }
  t.same(failures, [], 'every input decodes to itself through either codec')
  t.ok(oursTotal <= theirsTotal * 1.05, `compressed sizes comparable to snappyjs (${oursTotal} vs ${theirsTotal})`)
  t.end()
})

test('snappy: malformed streams throw', (t) => {
  const cases: Array<[string, Buffer, RegExp]> = [
    ['empty input', Buffer.alloc(0), /truncated length preamble/],
    ['unterminated preamble', Buffer.from([0x80, 0x80]), /truncated length preamble/],
    ['preamble over 32 bits', Buffer.from([0xff, 0xff, 0xff, 0xff, 0x1f]), /exceeds 32 bits/],
    ['preamble of 6 bytes', Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x00]), /exceeds 32 bits/],
    ['missing elements', new StreamBuilder().varint(5).build(), /cannot hold|produced 0/],
    ['declared length too short', new StreamBuilder().varint(2).literal('abc').build(), /overflows/],
    ['declared length too long', new StreamBuilder().varint(4).literal('abc').build(), /produced 3 bytes but the preamble declared 4/],
    ['copy overflows declared length', new StreamBuilder().varint(6).literal('abc').copy1(3, 4).build(), /overflows/],
    ['copy2 run overflows declared length', new StreamBuilder().varint(300).literal('x'.repeat(200)).copy2(200, 64).copy2(200, 64).build(), /overflows/],
    ['copy offset 0', new StreamBuilder().varint(7).literal('abc').copy1(0, 4).build(), /offset 0/],
    ['copy2 offset 0', new StreamBuilder().varint(7).literal('abc').copy2(0, 4).build(), /offset 0/],
    ['copy before output start', new StreamBuilder().varint(7).literal('abc').copy1(4, 4).build(), /before the start/],
    ['copy2 before output start', new StreamBuilder().varint(13).literal('abc').copy2(1000, 10).build(), /before the start/],
    ['copy4 before output start', new StreamBuilder().varint(13).literal('abc').copy4(0x80000000, 10).build(), /before the start/],
    ['copy as first element', new StreamBuilder().varint(4).copy1(1, 4).build(), /before the start/],
    ['truncated literal', new StreamBuilder().varint(5).literal('abcde').build().subarray(0, 5), /truncated literal/],
    ['truncated literal length', new StreamBuilder().varint(40).raw(61 << 2, 39).build(), /truncated literal length/],
    ['truncated copy1', new StreamBuilder().varint(7).literal('abc').raw(1).build(), /truncated copy/],
    ['truncated copy2', new StreamBuilder().varint(7).literal('abc').raw(2, 3).build(), /truncated copy/],
    ['truncated copy4', new StreamBuilder().varint(7).literal('abc').raw(3, 3, 0, 0).build(), /truncated copy/],
    ['huge literal length', new StreamBuilder().varint(3).raw(63 << 2, 0xff, 0xff, 0xff, 0xff).literal('abc').build(), /truncated literal|overflows/],
    ['length no stream could hold', new StreamBuilder().varint(0xffffffff).literal('a').build(), /cannot hold/]
  ]
  for (const [name, stream, pattern] of cases) {
    t.throws(() => snappyUncompress(stream, NO_LIMIT), pattern, name)
  }
  const valid = snappyCompress(Buffer.alloc(1000, 1))
  t.throws(() => snappyUncompress(valid, 999), /exceeds the maximum of 999/, 'declared length above maxLength')
  t.is(snappyUncompress(valid, 1000).length, 1000, 'declared length equal to maxLength is fine')
  t.throws(() => snappyUncompressedLength(Buffer.from([0x80])), /truncated length preamble/, 'length of a bad varint')
  t.is(snappyUncompressedLength(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f])), 0xffffffff, 'largest declared length')
  t.end()
})

test(`snappy: fuzzed streams throw or decode to the declared length (seed ${SEED})`, (t) => {
  const random = createRandom(SEED + 1)
  const problems: string[] = []
  let threw = 0
  let decoded = 0
  for (let i = 0; i < 3000; i++) {
    const input = mixedInput(random, 5000)
    const stream = Buffer.from(random.chance(0.5) ? snappyCompress(input) : snappyjsCompress(input))
    let mutated: Buffer
    switch (random.int(4)) {
      case 0:
        mutated = stream.subarray(0, random.int(stream.length))
        break
      case 1:
        mutated = Buffer.from(stream)
        for (let flips = random.between(1, 4); flips > 0; flips--) mutated[random.int(mutated.length)] ^= 1 << random.int(8)
        break
      case 2:
        mutated = Buffer.from(stream)
        for (let writes = random.between(1, 3); writes > 0; writes--) mutated[random.int(mutated.length)] = random.int(256)
        break
      default:
        mutated = randomBytes(random, random.int(64))
    }
    let output: Buffer
    try {
      output = snappyUncompress(mutated, 1 << 20)
    } catch (err) {
      if (!(err instanceof Error) || !/^Invalid Snappy stream/.test(err.message)) problems.push(`${i}: unexpected error ${String(err)}`)
      threw++
      continue
    }
    decoded++
    if (output.length !== snappyUncompressedLength(mutated)) problems.push(`${i}: length ${output.length} differs from the preamble`)
    // Decoding is deterministic, so snappyjs must agree whenever it accepts the same stream.
    let reference: Uint8Array | null = null
    try {
      reference = snappyjsUncompress(mutated)
    } catch {
      // snappyjs is laxer or stricter in places; only its successful results are comparable.
    }
    if (reference !== null && !Buffer.from(reference).equals(output)) problems.push(`${i}: differs from snappyjs`)
    if (mutated.equals(stream) && !output.equals(input)) problems.push(`${i}: unmutated stream decoded wrongly`)
  }
  t.same(problems, [], 'no wrong results or unexpected errors')
  t.ok(threw > 100, `many mutations are rejected (${threw})`)
  t.ok(decoded > 10, `some mutations still decode (${decoded})`)
  t.end()
})

test('snappy: the WebAssembly decoder is used where it fits and refuses what it does not', (t) => {
  const input = tableBlockLike(createRandom(SEED + 2), 4096)
  const stream = Buffer.from(snappyCompress(input))
  // Where the elements start: past the length's varint.
  const start = input.length < 0x80 ? 1 : input.length < 0x4000 ? 2 : 3
  const out = Buffer.alloc(input.length)
  t.ok(wasmUncompress(stream, start, stream.length, out, input.length), 'a 4 KiB block decodes in WebAssembly (Node has it)')
  t.ok(out.equals(input), 'to its input')
  t.notOk(wasmUncompress(stream, start, stream.length, Buffer.alloc(input.length + 1), input.length + 1), 'a stream short of the output length is refused')
  t.notOk(wasmUncompress(stream, start, stream.length, Buffer.alloc(input.length - 1), input.length - 1), 'a stream longer than the output is refused')
  const large = Buffer.alloc(MAX_WASM_OUTPUT + 1, 3)
  t.notOk(wasmUncompress(Buffer.from(snappyCompress(large)), 3, 100, Buffer.alloc(large.length), large.length), 'an output over its memory is left to TypeScript')
  t.ok(snappyUncompress(Buffer.from(snappyCompress(large)), NO_LIMIT).equals(large), 'which decodes it')
  const wide = randomBytes(createRandom(3), MAX_WASM_INPUT + 100)
  t.ok(snappyUncompress(Buffer.from(snappyCompress(wide)), NO_LIMIT).equals(wide), 'an input over its memory too')
  t.end()
})

test('snappyUncompressInto decodes a stream\'s start into the start of a longer buffer', (t) => {
  const input = tableBlockLike(createRandom(SEED + 4), 4096)
  const stream = Buffer.concat([Buffer.from(snappyCompress(input)), Buffer.from([1, 0xaa, 0xbb, 0xcc, 0xdd])])
  const end = stream.length - 5
  const into = Buffer.alloc(input.length + 300, 0xee)
  t.is(snappyUncompressInto(stream, end, NO_LIMIT, into), input.length, 'returns the uncompressed length')
  t.ok(into.subarray(0, input.length).equals(input), 'decodes into the start')
  t.ok(into.subarray(input.length).every(byte => byte === 0xee), 'leaves the rest as it was')
  t.throws(() => snappyUncompressInto(stream, end, NO_LIMIT, Buffer.alloc(input.length - 1)), RangeError, 'refuses a buffer too short')
  t.throws(() => snappyUncompressInto(stream, end - 1, NO_LIMIT, into), /Invalid Snappy stream/, 'reads only to the end given')
  const large = Buffer.alloc(MAX_WASM_OUTPUT + 10, 5)
  const largeInto = Buffer.alloc(large.length + 10)
  const largeStream = Buffer.from(snappyCompress(large))
  t.is(snappyUncompressInto(largeStream, largeStream.length, NO_LIMIT, largeInto), large.length, 'through the TypeScript decoder too')
  t.ok(largeInto.subarray(0, large.length).equals(large), 'to the same bytes')
  t.end()
})

test(`snappy: the WebAssembly and TypeScript decoders agree on valid and damaged streams (seed ${SEED})`, (t) => {
  const random = createRandom(SEED + 3)
  const problems: string[] = []
  const decode = (fn: typeof snappyUncompress, stream: Buffer): string => {
    try {
      return fn(stream, 1 << 20).toString('hex')
    } catch (err) {
      return `error ${(err as Error).message}`
    }
  }
  for (let i = 0; i < 3000; i++) {
    const stream = Buffer.from(snappyCompress(mixedInput(random, 20000)))
    if (random.chance(0.5)) {
      for (let writes = random.between(1, 3); writes > 0; writes--) stream[random.int(stream.length)] = random.int(256)
    }
    if (decode(snappyUncompress, stream) !== decode(snappyUncompressTs, stream)) problems.push(`${i}: results differ`)
  }
  t.same(problems, [], 'same output or same error for every stream')
  t.end()
})

test('snappyUncompressPrefix decodes exactly the first bytes of the output, for any prefix length', (t) => {
  const seed = testSeed(777)
  t.comment(`seed ${seed} (replay with AIDB_TEST_SEED)`)
  const random = createRandom(seed)
  let ok = true
  for (let round = 0; round < 200; round++) {
    // Runs, repeats at short and long offsets and random bytes, so every element kind shows up.
    const parts: Buffer[] = []
    for (let total = 0, target = random.between(0, 5000); total < target;) {
      const kind = random.int(3)
      const part = kind === 0
        ? Buffer.alloc(random.between(1, 300), random.int(256))
        : kind === 1 ? Buffer.from(Array.from({ length: random.between(1, 200) }, () => random.int(256))) : Buffer.concat(parts).subarray(0, random.between(0, 400))
      parts.push(part)
      total += part.length
    }
    const input = Buffer.concat(parts)
    const compressed = Buffer.from(snappyCompress(input))
    for (const want of [0, 1, 3, 15, 16, 17, 40, random.int(input.length + 1), input.length, input.length + 10]) {
      const out = Buffer.alloc(input.length + 16, 0xee)
      const n = snappyUncompressPrefix(compressed, compressed.length, out, want)
      if (n !== Math.min(want, input.length) || !out.subarray(0, n).equals(input.subarray(0, n)) || out[n] !== 0xee) ok = false
    }
  }
  t.ok(ok, 'the first min(want, length) bytes, and nothing past them')
  t.throws(() => snappyUncompressPrefix(Buffer.from([10, 0x05, 1, 0]), 4, Buffer.alloc(10), 10), /Invalid Snappy stream/, 'a copy from before the start is an error')
  t.end()
})

test(`snappy: the WebAssembly compressor writes the TypeScript compressor's bytes (seed ${SEED})`, (t) => {
  t.comment(`seed ${SEED} (replay with AIDB_TEST_SEED)`)
  const random = createRandom(SEED + 5)
  t.ok(wasmCompress(Buffer.from('abc'), 0, 3) !== null, 'the WebAssembly compressor is used (Node has WebAssembly)')
  const problems: string[] = []
  let compared = 0
  let compressedBytes = 0
  const compare = (input: Uint8Array, name: string, start = 0, end = input.length): void => {
    const wasm = Buffer.from(snappyCompress(input, start, end))
    const ts = snappyCompressTs(input, start, end)
    compared++
    compressedBytes += wasm.length
    if (!wasm.equals(ts)) problems.push(`${name} [${start}, ${end}): ${wasm.length} bytes against ${ts.length}`)
  }
  compare(Buffer.alloc(0), '0 bytes')
  for (let length = 1; length <= 80; length++) {
    compare(randomBytes(random, length), `${length} random bytes`)
    compare(Buffer.alloc(length, 0x61), `${length} equal bytes`)
    compare(textLike(random, length), `${length} text-like bytes`)
  }
  // Literal and table-size edges, and the fragment boundary (65536) and beyond, of every kind.
  const lengths = [255, 256, 257, 1023, 1024, 4095, 4096, 4097, 16383, 16384, 16385, 65535, 65536, 65537, 65536 + 15, 65536 + 16, 2 * 65536, 3 * 65536 + 5, 300000]
  for (const length of lengths) {
    compare(randomBytes(random, length), `random ${length}`)
    compare(Buffer.alloc(length, 7), `constant ${length}`)
    compare(textLike(random, length), `text-like ${length}`)
    compare(tableBlockLike(random, length), `table-like ${length}`)
  }
  // Blocks as the benchmarks' generator makes them (db_bench-like values of 100 bytes and 4 KiB).
  for (const block of tableBlocks(200, SEED, 100)) compare(block, 'bench block of 100-byte values')
  for (const block of tableBlocks(50, SEED, 4096)) compare(block, 'bench block of a 4 KiB value')
  for (let i = 0; i < 3000; i++) {
    const input = mixedInput(random, random.chance(0.1) ? 200000 : 70000)
    compare(input, `mixed input ${i} of ${input.length} bytes`)
    if (random.chance(0.1)) {
      const start = random.int(input.length + 1)
      compare(input, `mixed input ${i}`, start, start + random.int(input.length - start + 1))
    }
  }
  t.same(problems.slice(0, 10), [], `identical bytes for all ${compared} inputs (${compressedBytes} compressed bytes)`)
  t.ok(compared > 3300, `thousands of inputs (${compared})`)
  t.end()
})

test('snappy: the WebAssembly compressor\'s stream is a view of its memory, overwritten by the next call', (t) => {
  const random = createRandom(SEED + 6)
  const a = textLike(random, 4096)
  const first = snappyCompress(a)
  const kept = Buffer.from(first)
  const second = snappyCompress(textLike(random, 4096))
  t.is(second.buffer, first.buffer, 'one memory serves every input up to 64 KiB')
  t.ok(snappyUncompress(kept, NO_LIMIT).equals(a), 'a copy of the stream decodes to its input')
  const large = textLike(random, 3 * 65536)
  const stream = snappyCompress(large)
  t.not(stream.buffer, second.buffer, 'an input over 64 KiB gets its own buffer')
  t.ok(snappyUncompress(stream, NO_LIMIT).equals(large), 'which decodes to it')
  const secondCopy = Buffer.from(second)
  t.ok(snappyUncompress(snappyCompress(second), NO_LIMIT).equals(secondCopy), 'a stream in its memory can be the next input')
  t.end()
})

test('snappy: without WebAssembly the TypeScript compressor and decoder write and read the same bytes', (t) => {
  // A separate Node without WebAssembly (--noexpose-wasm), as in a runtime without it or a page
  // whose content security policy refuses it.
  const snappyModule = path.join(__dirname, '..', '..', 'lib', 'format', 'snappy.js')
  const script = `
    const snappy = require(${JSON.stringify(snappyModule)})
    const inputs = JSON.parse(require('node:fs').readFileSync(0, 'utf8')).map((hex) => Buffer.from(hex, 'hex'))
    const streams = inputs.map((input) => Buffer.from(snappy.snappyCompress(input)))
    const decoded = streams.every((stream, i) => snappy.snappyUncompress(stream, inputs[i].length).equals(inputs[i]))
    console.log(JSON.stringify({ webAssembly: typeof WebAssembly, decoded, streams: streams.map((s) => s.toString('hex')) }))
  `
  const random = createRandom(SEED + 7)
  const inputs = [Buffer.alloc(0), Buffer.from('x'), tableBlockLike(random, 4096), textLike(random, 70000), randomBytes(random, 5000), ...tableBlocks(5, SEED, 100)]
  const child = spawnSync(process.execPath, ['--noexpose-wasm', '-e', script], { input: JSON.stringify(inputs.map((input) => input.toString('hex'))), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  t.is(child.status, 0, `the child ran ${child.stderr}`)
  const result = JSON.parse(child.stdout) as { webAssembly: string, decoded: boolean, streams: string[] }
  t.is(result.webAssembly, 'undefined', 'the child had no WebAssembly')
  t.ok(result.decoded, 'its streams round-trip through its TypeScript decoder')
  t.same(result.streams, inputs.map((input) => Buffer.from(snappyCompress(input)).toString('hex')), 'its streams are the WebAssembly compressor\'s bytes')
  t.end()
})
