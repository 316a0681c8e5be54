// Snappy raw (block) format codec: a varint uncompressed length, then literal and copy elements.
import { putVarint } from './coding'
import { FRAGMENT_SIZE, maxCompressedLength } from './snappy-format'
import { wasmCompress } from './snappy-wasm-compressor'
import { wasmUncompress } from './snappy-wasm-decoder'

const MIN_HASH_TABLE_BITS = 8
const MAX_HASH_TABLE_BITS = 14
// No match search starts in a fragment's last 15 bytes, so the 4-byte loads there stay inside it.
const INPUT_MARGIN = 15
// Multiplicative hash constant from Snappy; Math.imul keeps the product an exact 32-bit integer.
const HASH_MULTIPLIER = 0x1e35a7bd
// From this length TypedArray#set beats copying a literal 4 bytes at a time (measured).
const LONG_LITERAL = 256
// The decompressor copies up to this many bytes as four unconditional 4-byte words.
const WORD_COPY_SLOP = 16

const TAG_LITERAL = 0
const TAG_COPY_1 = 1
const TAG_COPY_2 = 2

// Positions relative to the fragment start; reset per fragment, so one table serves every call.
const hashTable = new Uint16Array(1 << MAX_HASH_TABLE_BITS)

// Streams are written into one reusable buffer rather than a worst-case allocation per call
// (see snappyCompress); inputs over 64 KiB get their own allocation.
const SCRATCH_LIMIT = maxCompressedLength(FRAGMENT_SIZE)
let scratch: Buffer | null = null
let scratchView: DataView | null = null

function dataViewOf (bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/**
 * Compresses input[start, end) into a raw Snappy stream (preamble varint + elements). The result is
 * consumed at once (a table builder writes it out), so it may be a view of a buffer that the next
 * call overwrites: no allocation or copy per block. Copy it to keep it. Compresses in WebAssembly
 * where it can (snappy-wasm-compressor.ts), which writes the same bytes as the TypeScript
 * compressor below (and both as the Snappy that LevelDB bundles), so tables are the same whichever
 * runtime wrote them.
 */
export function snappyCompress (input: Uint8Array, start: number = 0, end: number = input.length): Buffer {
  if (!trained) train()
  checkRange(input, start, end)
  return wasmCompress(input, start, end) ?? compress(input, start, end)
}

/** As snappyCompress, always with the TypeScript compressor (for tests and benchmarks). */
export function snappyCompressTs (input: Uint8Array, start: number = 0, end: number = input.length): Buffer {
  if (!trained) train()
  checkRange(input, start, end)
  return compress(input, start, end)
}

function checkRange (input: Uint8Array, start: number, end: number): void {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > input.length) {
    throw new RangeError(`Invalid range [${start}, ${end}) for input of length ${input.length}`)
  }
  if (end - start > 0xffffffff) throw new RangeError('Snappy input must be shorter than 4 GiB')
}

function compress (input: Uint8Array, start: number, end: number): Buffer {
  const length = end - start
  const bound = maxCompressedLength(length)
  const useScratch = bound <= SCRATCH_LIMIT
  let out: Buffer
  let outView: DataView
  if (useScratch) {
    if (scratch === null || scratchView === null) {
      scratch = Buffer.allocUnsafe(SCRATCH_LIMIT)
      scratchView = dataViewOf(scratch)
    }
    out = scratch
    outView = scratchView
  } else {
    out = Buffer.allocUnsafe(bound)
    outView = dataViewOf(out)
  }

  let op = putVarint(out, 0, length)

  // DataView reads 4 bytes with one bounds check, far cheaper than assembling them from 4 element loads.
  const inputView = inputViewOf(input)
  for (let fragmentStart = start; fragmentStart < end; fragmentStart += FRAGMENT_SIZE) {
    op = compressFragment(input, inputView, fragmentStart, Math.min(fragmentStart + FRAGMENT_SIZE, end), out, outView, op)
  }

  return out.subarray(0, op)
}

// The view of the last input's memory: a table builder compresses block after block from the
// same buffer (a new subarray of it each time), so the view is made once rather than per block.
// It may extend past the input's end; compressFragment reads only inside [start, end). Only
// buffers up to this size are kept, so that a huge block (one 50 MB value) is not held on to.
const MAX_KEPT_INPUT_BUFFER = 1024 * 1024
let lastInputBuffer: ArrayBufferLike | null = null
let lastInputOffset = 0
let lastInputView: DataView | null = null

function inputViewOf (input: Uint8Array): DataView {
  if (input.buffer.byteLength > MAX_KEPT_INPUT_BUFFER) return dataViewOf(input)
  if (input.buffer !== lastInputBuffer || input.byteOffset !== lastInputOffset || lastInputView === null || lastInputView.byteLength < input.length) {
    lastInputBuffer = input.buffer
    lastInputOffset = input.byteOffset
    lastInputView = new DataView(input.buffer, input.byteOffset, input.buffer.byteLength - input.byteOffset)
  }
  return lastInputView
}

function compressFragment (input: Uint8Array, inputView: DataView, start: number, end: number, out: Uint8Array, outView: DataView, op: number): number {
  let nextEmit = start
  const length = end - start
  if (length > INPUT_MARGIN) {
    let tableBits = MIN_HASH_TABLE_BITS
    while (tableBits < MAX_HASH_TABLE_BITS && (1 << tableBits) < length) tableBits++
    const shift = 32 - tableBits
    const table = hashTable
    table.fill(0, 0, 1 << tableBits)
    const ipLimit = end - INPUT_MARGIN

    let ip = start + 1
    let nextWord = inputView.getInt32(ip, true)
    search: while (true) {
      // Misses stretch the distance between probes, so incompressible data is skipped quickly. The
      // step grows as in the Snappy that LevelDB bundles, so both encoders emit the same bytes.
      let skip = 32
      let nextIp = ip
      let word: number
      let candidate: number
      do {
        ip = nextIp
        word = nextWord
        const step = skip >> 5
        skip += step
        nextIp = ip + step
        if (nextIp > ipLimit) break search
        nextWord = inputView.getInt32(nextIp, true)
        const hash = Math.imul(word, HASH_MULTIPLIER) >>> shift
        candidate = start + table[hash]
        table[hash] = ip - start
      } while (word !== inputView.getInt32(candidate, true))

      op = emitLiteral(input, inputView, nextEmit, ip, out, outView, op)

      // Keep emitting copies while the bytes right after a match match something else.
      do {
        const matchEnd = extendMatch(input, inputView, candidate + 4, ip + 4, end)
        op = emitCopy(out, op, ip - candidate, matchEnd - ip)
        ip = matchEnd
        nextEmit = ip
        if (ip >= ipLimit) break search
        // Index the match's last position too; it is cheap and finds more follow-on matches.
        const previousWord = inputView.getInt32(ip - 1, true)
        table[Math.imul(previousWord, HASH_MULTIPLIER) >>> shift] = ip - 1 - start
        word = inputView.getInt32(ip, true)
        const hash = Math.imul(word, HASH_MULTIPLIER) >>> shift
        candidate = start + table[hash]
        table[hash] = ip - start
      } while (word === inputView.getInt32(candidate, true))

      ip++
      nextWord = inputView.getInt32(ip, true)
    }
  }
  if (nextEmit < end) op = emitLiteral(input, inputView, nextEmit, end, out, outView, op)
  return op
}

// Returns the end of the match that continues with input[from] === input[at] for at < limit.
function extendMatch (input: Uint8Array, inputView: DataView, from: number, at: number, limit: number): number {
  // Sixteen bytes a step while they fit: long matches (a repeated value) run through here, and
  // fewer loop steps pay off most before the function is optimized.
  while (at <= limit - 16) {
    if (inputView.getInt32(from, true) !== inputView.getInt32(at, true)) break
    if (inputView.getInt32(from + 4, true) !== inputView.getInt32(at + 4, true)) {
      from += 4
      at += 4
      break
    }
    if (inputView.getInt32(from + 8, true) !== inputView.getInt32(at + 8, true)) {
      from += 8
      at += 8
      break
    }
    if (inputView.getInt32(from + 12, true) !== inputView.getInt32(at + 12, true)) {
      from += 12
      at += 12
      break
    }
    from += 16
    at += 16
  }
  while (at <= limit - 4) {
    const difference = inputView.getInt32(from, true) ^ inputView.getInt32(at, true)
    // The lowest differing byte ends the match (little-endian: count trailing zero bits).
    if (difference !== 0) return at + ((31 - Math.clz32(difference & -difference)) >>> 3)
    from += 4
    at += 4
  }
  while (at < limit && input[from] === input[at]) {
    from++
    at++
  }
  return at
}

// A fragment is at most 64 KiB, so a literal's length-1 always fits in the two-byte form.
function emitLiteral (input: Uint8Array, inputView: DataView, from: number, to: number, out: Uint8Array, outView: DataView, op: number): number {
  const length = to - from
  const n = length - 1
  if (n < 60) {
    out[op++] = (n << 2) | TAG_LITERAL
  } else if (n < 0x100) {
    out[op++] = (60 << 2) | TAG_LITERAL
    out[op++] = n
  } else {
    out[op++] = (61 << 2) | TAG_LITERAL
    out[op++] = n & 0xff
    out[op++] = n >>> 8
  }
  if (length >= LONG_LITERAL) {
    out.set(new Uint8Array(input.buffer, input.byteOffset + from, length), op)
    return op + length
  }
  while (from + 4 <= to) {
    outView.setInt32(op, inputView.getInt32(from, true), true)
    from += 4
    op += 4
  }
  while (from < to) out[op++] = input[from++]
  return op
}

function emitCopy (out: Uint8Array, op: number, offset: number, length: number): number {
  // Pieces of 64, leaving at least 4 for the last one (60 + 4..8 when 65..67 remain).
  while (length >= 68) {
    op = emitCopy2(out, op, offset, 64)
    length -= 64
  }
  if (length > 64) {
    op = emitCopy2(out, op, offset, 60)
    length -= 60
  }
  if (length < 12 && offset < 2048) {
    out[op++] = ((offset >>> 8) << 5) | ((length - 4) << 2) | TAG_COPY_1
    out[op++] = offset & 0xff
    return op
  }
  return emitCopy2(out, op, offset, length)
}

function emitCopy2 (out: Uint8Array, op: number, offset: number, length: number): number {
  out[op] = ((length - 1) << 2) | TAG_COPY_2
  out[op + 1] = offset & 0xff
  out[op + 2] = offset >>> 8
  return op + 3
}

// Where the length preamble ended, set by readLengthPreamble to avoid allocating a result pair.
let preambleEnd = 0

// The preamble of the stream input[0, end).
function readLengthPreamble (input: Uint8Array, end: number): number {
  let value = 0
  for (let i = 0; i < 4; i++) {
    if (i >= end) throw new Error('Invalid Snappy stream: truncated length preamble')
    const byte = input[i]
    value |= (byte & 0x7f) << (7 * i)
    if (byte < 0x80) {
      preambleEnd = i + 1
      return value
    }
  }
  if (end < 5) throw new Error('Invalid Snappy stream: truncated length preamble')
  // The fifth byte carries bits 28..31 only; anything more means the length exceeds 32 bits.
  if (input[4] > 0x0f) throw new Error('Invalid Snappy stream: length preamble exceeds 32 bits')
  preambleEnd = 5
  return value + input[4] * 0x10000000
}

/** The declared uncompressed length of the stream input[0, end), or throws on a bad varint. */
export function snappyUncompressedLength (input: Uint8Array, end: number = input.length): number {
  return readLengthPreamble(input, end)
}

// Keeping every position below 2^31 lets V8 use int32 arithmetic throughout the decode loop;
// a single float-typed position there makes decoding several times slower (measured).
const MAX_DECODED_LENGTH = 0x7fffffff

/**
 * The most bytes one stream byte can stand for: the densest element is a 3-byte copy of 64 bytes.
 * Refusing impossible lengths up front keeps a corrupt preamble from forcing a large allocation.
 */
export const MAX_SNAPPY_EXPANSION = 22

// The longest copy one 2-byte-offset element holds.
const MAX_COPY_2_LENGTH = 64
// From this length a non-overlapping copy is done with copyWithin rather than word by word.
const LONG_COPY = 128

/**
 * Decompresses a raw Snappy stream. Throws a plain Error with a clear message on any malformed input
 * (bad varint, copy offset 0 or before the start of output, output overflow/underflow vs the declared
 * length, truncated element) and never reads or writes out of bounds. maxLength bounds the declared
 * uncompressed length (throw if exceeded). With `into` long enough, the result is `into` itself
 * when its length is exactly the uncompressed length, else a view of its start, rather than a new
 * buffer.
 */
export function snappyUncompress (input: Uint8Array, maxLength: number, into?: Buffer): Buffer {
  if (!trained) train()
  return uncompress(input, maxLength, into, true)
}

/** As snappyUncompress, always with the TypeScript decoder (for tests and benchmarks). */
export function snappyUncompressTs (input: Uint8Array, maxLength: number, into?: Buffer): Buffer {
  if (!trained) train()
  return uncompress(input, maxLength, into, false)
}

/**
 * As snappyUncompress, for the stream input[0, inputEnd), into into[0, n) for its uncompressed
 * length n, which it returns; `into` must hold that many bytes (see snappyUncompressedLength), and
 * is left as it was from n on. No buffer or view is made.
 */
export function snappyUncompressInto (input: Uint8Array, inputEnd: number, maxLength: number, into: Uint8Array): number {
  if (!trained) train()
  const length = checkedLength(input, inputEnd, maxLength)
  if (length > into.length) throw new RangeError(`Snappy output of ${length} bytes does not fit in ${into.length}`)
  decodeElements(input, preambleEnd, inputEnd, into, length, true)
  return length
}

function uncompress (input: Uint8Array, maxLength: number, into: Buffer | undefined, useWasm: boolean): Buffer {
  const length = checkedLength(input, input.length, maxLength)
  // Unsafe allocation is fine: we return only after writing exactly `length` bytes. Not pooled,
  // since decoded blocks are often cached and a small one would pin a shared 8 KiB pool slab.
  const out = into === undefined || into.length < length ? Buffer.allocUnsafeSlow(length) : into.length === length ? into : into.subarray(0, length)
  decodeElements(input, preambleEnd, input.length, out, length, useWasm)
  return out
}

// The declared length of the stream input[0, inputEnd), checked against maxLength and what the
// stream could hold; preambleEnd is where its elements start.
function checkedLength (input: Uint8Array, inputEnd: number, maxLength: number): number {
  const declaredLength = readLengthPreamble(input, inputEnd)
  if (declaredLength > maxLength) {
    throw new Error(`Invalid Snappy stream: uncompressed length ${declaredLength} exceeds the maximum of ${maxLength}`)
  }
  const ip = preambleEnd
  if (declaredLength > (inputEnd - ip) * MAX_SNAPPY_EXPANSION) {
    throw new Error(`Invalid Snappy stream: ${inputEnd - ip} bytes cannot hold ${declaredLength} uncompressed bytes`)
  }
  if (declaredLength > MAX_DECODED_LENGTH) {
    throw new Error(`Snappy streams longer than ${MAX_DECODED_LENGTH} bytes are not supported (got ${declaredLength})`)
  }
  return declaredLength | 0
}

// Decodes the elements input[start, inputEnd) into out[0, length) (out may be longer, and is not
// written past length): by the WebAssembly decoder where it can (snappy-wasm-decoder.ts), else (or where
// it refuses the stream) by the loop below.
function decodeElements (input: Uint8Array, start: number, inputEnd: number, out: Uint8Array, length: number, useWasm: boolean): void {
  if (useWasm && wasmUncompress(input, start, inputEnd, out, length)) return
  let ip = start
  const inputView = dataViewOf(input)
  const outView = dataViewOf(out)
  // Short elements are copied as whole 4-byte words, possibly past their end (later elements
  // overwrite the excess), which avoids a mispredicted loop exit per element. These bounds keep
  // such over-reads and over-writes inside the buffers.
  const inputWordsEnd = inputEnd - WORD_COPY_SLOP
  const outWordsEnd = length - WORD_COPY_SLOP
  let op = 0
  while (ip < inputEnd) {
    const tag = input[ip++]
    const kind = tag & 3
    if (kind === TAG_LITERAL) {
      // Literal length minus one, read as int32: 4-byte lengths of 2^31 and more come out negative.
      let lengthMinusOne = tag >>> 2
      if (lengthMinusOne < WORD_COPY_SLOP && ip <= inputWordsEnd && op <= outWordsEnd) {
        // Both the element and the 16 bytes copied lie inside input and output, so no other checks apply.
        outView.setInt32(op, inputView.getInt32(ip, true), true)
        outView.setInt32(op + 4, inputView.getInt32(ip + 4, true), true)
        outView.setInt32(op + 8, inputView.getInt32(ip + 8, true), true)
        outView.setInt32(op + 12, inputView.getInt32(ip + 12, true), true)
        ip += lengthMinusOne + 1
        op += lengthMinusOne + 1
        continue
      }
      if (lengthMinusOne >= 60) {
        const lengthBytes = lengthMinusOne - 59
        if (lengthBytes > inputEnd - ip) throw new Error('Invalid Snappy stream: truncated literal length')
        lengthMinusOne = input[ip]
        if (lengthBytes > 1) lengthMinusOne |= input[ip + 1] << 8
        if (lengthBytes > 2) lengthMinusOne |= input[ip + 2] << 16
        if (lengthBytes > 3) lengthMinusOne |= input[ip + 3] << 24
        ip += lengthBytes
      }
      if (lengthMinusOne < 0 || lengthMinusOne >= length - op) {
        throw new Error('Invalid Snappy stream: literal overflows the declared length')
      }
      const literalLength = lengthMinusOne + 1
      if (literalLength > inputEnd - ip) throw new Error('Invalid Snappy stream: truncated literal')
      const literalEnd = ip + literalLength
      if (literalLength >= LONG_LITERAL) {
        out.set(new Uint8Array(input.buffer, input.byteOffset + ip, literalLength), op)
        op += literalLength
      } else if (literalEnd <= inputWordsEnd && op + literalLength <= outWordsEnd) {
        // Four words a step: the bounds above leave room for the up to 15 bytes copied past the end.
        let wordOp = op
        for (let wordIp = ip; wordIp < literalEnd; wordIp += 16, wordOp += 16) {
          outView.setInt32(wordOp, inputView.getInt32(wordIp, true), true)
          outView.setInt32(wordOp + 4, inputView.getInt32(wordIp + 4, true), true)
          outView.setInt32(wordOp + 8, inputView.getInt32(wordIp + 8, true), true)
          outView.setInt32(wordOp + 12, inputView.getInt32(wordIp + 12, true), true)
        }
        op += literalLength
      } else {
        for (let byteIp = ip; byteIp < literalEnd; byteIp++) out[op++] = input[byteIp]
      }
      ip = literalEnd
      continue
    }

    let copyLength: number
    // Read as int32: 4-byte offsets of 2^31 and more come out negative and are rejected with the rest.
    let offset: number
    if (kind === TAG_COPY_1) {
      if (ip >= inputEnd) throw new Error('Invalid Snappy stream: truncated copy')
      copyLength = ((tag >>> 2) & 7) + 4
      offset = ((tag >>> 5) << 8) | input[ip++]
    } else if (kind === TAG_COPY_2) {
      if (ip + 2 > inputEnd) throw new Error('Invalid Snappy stream: truncated copy')
      copyLength = (tag >>> 2) + 1
      offset = input[ip] | (input[ip + 1] << 8)
      ip += 2
    } else {
      // The remaining kind, 3: a copy with a 4-byte offset (never emitted by Snappy for 64 KiB fragments).
      if (ip + 4 > inputEnd) throw new Error('Invalid Snappy stream: truncated copy')
      copyLength = (tag >>> 2) + 1
      offset = input[ip] | (input[ip + 1] << 8) | (input[ip + 2] << 16) | (input[ip + 3] << 24)
      ip += 4
    }
    if (offset === 0) throw new Error('Invalid Snappy stream: copy offset 0')
    if (offset < 0 || offset > op) throw new Error('Invalid Snappy stream: copy offset before the start of the output')
    // A match longer than 64 bytes is stored as a run of 2-byte-offset copies of one offset: taken
    // as one copy, so that a long repeat becomes one native copy below.
    while (copyLength >= MAX_COPY_2_LENGTH && ip + 2 < inputEnd && (input[ip] & 3) === TAG_COPY_2 && (input[ip + 1] | (input[ip + 2] << 8)) === offset) {
      copyLength += (input[ip] >>> 2) + 1
      ip += 3
    }
    if (copyLength > length - op) throw new Error('Invalid Snappy stream: copy overflows the declared length')
    let from = op - offset
    if (copyLength >= LONG_COPY && copyLength <= offset) {
      // Source and destination do not overlap, so a plain copy keeps Snappy's semantics.
      out.copyWithin(op, from, from + copyLength)
      op += copyLength
    } else if (offset >= 4 && op + copyLength <= outWordsEnd) {
      // With offset >= 4 each word read lies wholly in output already written, even for an
      // overlapping copy, so word-at-a-time copying keeps Snappy's repeat semantics.
      if (copyLength <= WORD_COPY_SLOP) {
        outView.setInt32(op, outView.getInt32(from, true), true)
        outView.setInt32(op + 4, outView.getInt32(from + 4, true), true)
        outView.setInt32(op + 8, outView.getInt32(from + 8, true), true)
        outView.setInt32(op + 12, outView.getInt32(from + 12, true), true)
        op += copyLength
      } else {
        // Four words a step, each read after the write before it as in a word-by-word copy; the
        // bounds above leave room for the up to 15 bytes written past the end.
        const copyEnd = op + copyLength
        while (op < copyEnd) {
          outView.setInt32(op, outView.getInt32(from, true), true)
          outView.setInt32(op + 4, outView.getInt32(from + 4, true), true)
          outView.setInt32(op + 8, outView.getInt32(from + 8, true), true)
          outView.setInt32(op + 12, outView.getInt32(from + 12, true), true)
          op += 16
          from += 16
        }
        op = copyEnd
      }
    } else {
      // Byte by byte, so an overlapping copy repeats the bytes it has just written.
      const copyEnd = op + copyLength
      while (op < copyEnd) out[op++] = out[from++]
    }
  }
  if (op !== length) {
    throw new Error(`Invalid Snappy stream: produced ${op} bytes but the preamble declared ${length}`)
  }
}

/**
 * Decodes the first `want` bytes of what the raw Snappy stream input[0, end) uncompresses to into
 * out[0, want), element by element, stopping there: for a reader that needs only the start of a
 * large block (a compaction reads the key of a block's only entry and copies the block as
 * stored). Returns how many bytes it decoded: `want`, or fewer if the stream ends first. Throws a
 * plain Error on malformed input within the part it reads; the rest of the stream is not checked.
 */
export function snappyUncompressPrefix (input: Uint8Array, end: number, out: Uint8Array, want: number): number {
  const declaredLength = readLengthPreamble(input, end)
  const limit = Math.min(want, declaredLength, out.length)
  let ip = preambleEnd
  let op = 0
  while (op < limit && ip < end) {
    const tag = input[ip++]
    const kind = tag & 3
    if (kind === TAG_LITERAL) {
      let lengthMinusOne = tag >>> 2
      if (lengthMinusOne >= 60) {
        const lengthBytes = lengthMinusOne - 59
        if (lengthBytes > end - ip) throw new Error('Invalid Snappy stream: truncated literal length')
        lengthMinusOne = 0
        for (let i = 0; i < lengthBytes; i++) lengthMinusOne += input[ip + i] * 2 ** (8 * i)
        ip += lengthBytes
      }
      const n = Math.min(lengthMinusOne + 1, limit - op)
      if (n > end - ip) throw new Error('Invalid Snappy stream: truncated literal')
      for (let i = 0; i < n; i++) out[op++] = input[ip++]
      ip += lengthMinusOne + 1 - n
      continue
    }
    let copyLength: number
    let offset: number
    if (kind === TAG_COPY_1) {
      if (ip >= end) throw new Error('Invalid Snappy stream: truncated copy')
      copyLength = ((tag >>> 2) & 7) + 4
      offset = ((tag >>> 5) << 8) | input[ip++]
    } else if (kind === TAG_COPY_2) {
      if (ip + 2 > end) throw new Error('Invalid Snappy stream: truncated copy')
      copyLength = (tag >>> 2) + 1
      offset = input[ip] | (input[ip + 1] << 8)
      ip += 2
    } else {
      if (ip + 4 > end) throw new Error('Invalid Snappy stream: truncated copy')
      copyLength = (tag >>> 2) + 1
      offset = input[ip] + input[ip + 1] * 0x100 + input[ip + 2] * 0x10000 + input[ip + 3] * 0x1000000
      ip += 4
    }
    if (offset === 0 || offset > op) throw new Error('Invalid Snappy stream: copy offset before the start of the output')
    // Byte by byte, which keeps the repeat semantics of an overlapping copy.
    const n = Math.min(copyLength, limit - op)
    for (let i = 0; i < n; i++, op++) out[op] = out[op - offset]
  }
  return op
}

// V8 optimises a hot function with the type feedback its earlier calls gathered; an operation that
// no call has reached yet has none, and the first call that reaches it throws the optimised code
// away, to be compiled again later. Real blocks reach the codec's rarer branches (long literals,
// long or overlapping copies, a run of copies of one offset, the `into` cases) one at a time, so in
// a fresh process snappyUncompress was compiled 3 to 9 times per timed read loop (about 10 ms of
// compile-thread CPU each) and the compressor's functions 2 to 3 times. So the first call, in each
// thread, first runs both directions over a sample that takes every one of those branches, and the
// code is optimised once per thread with feedback for all of them (measured: 6 -> 3 compiles in
// getsync's loop, 9 -> 3 in iterate's with 4 KiB values). The training costs 0.5-2 ms once per
// thread. The code compiled then holds every branch, where code built from feedback of short values
// alone leaves the long-element ones out: decoding 4 KiB blocks of 100-byte values took about 3%
// longer in a microbenchmark that never reaches those branches, and the same once both had seen
// long elements.
let trained = false
const TRAINING_ROUNDS = 4

function train (): void {
  trained = true
  const sample = trainingSample()
  // V8 gives a function its feedback slots only after some calls' worth of work, so the first
  // rounds teach nothing: several rounds, each through every `into` case.
  for (let round = 0; round < TRAINING_ROUNDS; round++) {
    const compressed = Buffer.from(snappyCompress(sample))
    uncompress(compressed, sample.length, undefined, false)
    uncompress(compressed, sample.length, Buffer.allocUnsafeSlow(sample.length), false)
    uncompress(compressed, sample.length, Buffer.allocUnsafeSlow(sample.length + 1), false)
  }
}

// Elements of every kind real blocks hold: literals of each length form (short, 1- and 2-byte
// lengths, one past LONG_LITERAL, one ending the stream), copies of 1- and 2-byte offsets, matches
// split in 64-byte pieces of one offset (a long non-overlapping one and an overlapping one), and a
// run of one byte (offset 1). The compressor finds the repeats because each follows its source
// closely (its search skips ahead faster the longer it finds nothing).
function trainingSample (): Buffer {
  let seed = 1
  const noise = (length: number): Buffer => {
    const bytes = Buffer.allocUnsafeSlow(length)
    for (let i = 0; i < length; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
      bytes[i] = 33 + (seed >>> 16) % 94
    }
    return bytes
  }
  const wide = noise(300)
  const parts = [wide, wide, Buffer.from('abcdefgh'.repeat(20)), Buffer.alloc(40, 0x61), noise(100)]
  for (let i = 0; i < 40; i++) parts.push(Buffer.from(String(1000000 + i * 7).padStart(16, '0')), noise(i % 30))
  parts.push(wide.subarray(0, 40), noise(30))
  return Buffer.concat(parts)
}
