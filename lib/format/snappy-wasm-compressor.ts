// A Snappy compressor in WebAssembly, written here instruction by instruction (no toolchain, no
// binary checked in; see snappy-wasm-assembler.ts): the module's bytes are assembled when it is
// first needed. It exists because compression was a quarter of the compaction worker's CPU in a
// 2M-entry fill, whose critical path that worker is: the TypeScript compressor reads the input
// through DataView calls, bounds-checked, and compares a match 4 bytes a step; this one loads
// 4 and 8 bytes a step without checks (the memory's guard regions make the over-reads past a
// fragment's end and the over-writes past an element's end safe) and copies long literals with
// memory.copy.
//
// It takes the same steps as the TypeScript compressor in snappy.ts (the hash, the table of 16-bit
// positions reset per 64 KiB fragment, the search's growing skip, the copies' split in 64-byte
// pieces), so it writes the same bytes: tables are identical whichever compressor, runtime or
// thread wrote them, and identical to what LevelDB's Snappy writes. test/format/snappy.test.ts
// compares the two compressors' bytes over thousands of inputs.
//
// Memory layout (one memory of MEMORY_PAGES 64 KiB pages, owned by this module, never grown):
// the fragment being compressed at [0, FRAGMENT_SIZE), its hash table at [TABLE_BASE,
// TABLE_BASE + TABLE_BYTES), the output at [OUTPUT_BASE, OUTPUT_BASE + OUTPUT_BYTES), each
// region followed by at least GUARD bytes. An input longer than a fragment is compressed one
// fragment at a time, each copied in and its elements copied out, so that a block of a 50 MB value
// costs no memory here beyond the fixed regions.
import { putVarint } from './coding'
import { FRAGMENT_SIZE, maxCompressedLength } from './snappy-format'
import { Code, instantiate, moduleBytes, Op, type WasmFunction } from './snappy-wasm-assembler'

const PAGE = 64 * 1024
// Over-reads: a literal's word copy reads up to 15 bytes past its end, the match extension up to 7
// past the fragment's end. Over-writes: up to 15 bytes past a literal, 1 past a copy element.
const GUARD = 64
const TABLE_BASE = FRAGMENT_SIZE + GUARD
// Snappy's largest table: 2^14 16-bit positions.
const MAX_HASH_TABLE_BITS = 14
const MIN_HASH_TABLE_BITS = 8
const TABLE_BYTES = 2 << MAX_HASH_TABLE_BITS
const OUTPUT_BASE = TABLE_BASE + TABLE_BYTES
// One fragment's elements after a preamble of at most 5 bytes.
const OUTPUT_BYTES = maxCompressedLength(FRAGMENT_SIZE) + 5
const MEMORY_PAGES = Math.ceil((OUTPUT_BASE + OUTPUT_BYTES + GUARD) / PAGE)

// As in snappy.ts: the fragment's last 15 bytes start no match search; Snappy's hash multiplier.
const INPUT_MARGIN = 15
const HASH_MULTIPLIER = 0x1e35a7bd
// From this length a literal is copied with memory.copy rather than 16 bytes a step.
const LONG_LITERAL = 64

const TAG_LITERAL_1 = 60 << 2
const TAG_LITERAL_2 = 61 << 2
const TAG_COPY_1 = 1
const TAG_COPY_2 = 2

// The compressor function: compresses the fragment [0, end) into elements written from op, and
// returns where they end.
type CompressFunction = (end: number, op: number) => number

let compressor: WasmFunction<CompressFunction> | null = null
// The output region as a Buffer, of which a single fragment's stream is returned as a view.
let output: Buffer | null = null
let loaded = false

function load (): void {
  loaded = true
  compressor = instantiate<CompressFunction>(moduleBytes(PARAMS, EXTRA_LOCALS, compressorBody(), MEMORY_PAGES))
  if (compressor !== null) output = Buffer.from(compressor.memory.buffer, OUTPUT_BASE, OUTPUT_BYTES)
}

/**
 * Compresses input[start, end) (a range snappyCompress has checked) into a raw Snappy stream, as
 * snappyCompress describes it: for inputs up to a fragment, a view of this module's memory that
 * the next call overwrites. Null where WebAssembly is missing or refused; the caller then
 * compresses with the TypeScript compressor.
 */
export function wasmCompress (input: Uint8Array, start: number, end: number): Buffer | null {
  if (!loaded) load()
  if (compressor === null || output === null) return null
  const memory = compressor.memory
  const length = end - start
  if (length <= FRAGMENT_SIZE) {
    // A table builder passes the whole block, which needs no view to copy.
    memory.set(start === 0 && end === input.length ? input : input.subarray(start, end))
    const op = compressor.f(length, putVarint(memory, OUTPUT_BASE, length))
    return output.subarray(0, op - OUTPUT_BASE)
  }
  const out = Buffer.allocUnsafe(maxCompressedLength(length))
  let op = putVarint(out, 0, length)
  for (let fragmentStart = start; fragmentStart < end; fragmentStart += FRAGMENT_SIZE) {
    const fragmentEnd = Math.min(fragmentStart + FRAGMENT_SIZE, end)
    memory.set(input.subarray(fragmentStart, fragmentEnd))
    const elementsEnd = compressor.f(fragmentEnd - fragmentStart, OUTPUT_BASE)
    out.set(memory.subarray(OUTPUT_BASE, elementsEnd), op)
    op += elementsEnd - OUTPUT_BASE
  }
  return out.subarray(0, op)
}

// The function's locals: its two parameters, then the compressor's state. Positions in the
// fragment are addresses, since it starts at 0.
const enum L {
  End, Op,
  Ip, NextIp, NextEmit, IpLimit, Shift, Skip, Step, Word, NextWord, Candidate, Slot, Length, Offset, From, To
}
const PARAMS = 2
const EXTRA_LOCALS = 15

// Pushes the hash table slot's byte offset in the table for the 4 bytes in `word`.
function slotOf (c: Code, word: () => void): void {
  word()
  c.const(HASH_MULTIPLIER).op(Op.I32Mul).get(L.Shift).op(Op.I32ShrU).const(1).op(Op.I32Shl)
}

// Candidate becomes the position the hash table holds for Word, and the table then holds Ip there.
function probeTable (c: Code): void {
  slotOf(c, () => c.get(L.Word))
  c.tee(L.Slot).memory(Op.I32Load16U, 0, TABLE_BASE).set(L.Candidate)
  c.get(L.Slot).get(L.Ip).memory(Op.I32Store16, 0, TABLE_BASE)
}

// Emits the literal of Length bytes at From (1 to FRAGMENT_SIZE of them); advances Op past it.
// Clobbers From and To.
function emitLiteral (c: Code): void {
  // The tag with length - 1 in it, or the tag and 1 or 2 length bytes (a 4-byte store whose
  // excess the literal overwrites).
  c.get(L.Length).const(61).op(Op.I32LtU).open(Op.If, 'short')
  c.get(L.Op).get(L.Length).const(1).op(Op.I32Sub).const(2).op(Op.I32Shl).memory(Op.I32Store8, 0)
  c.get(L.Op).const(1).op(Op.I32Add).set(L.Op)
  c.else()
  c.get(L.Length).const(1).op(Op.I32Sub).const(8).op(Op.I32Shl).set(L.To)
  c.get(L.Length).const(257).op(Op.I32LtU).open(Op.If, 'one byte')
  c.get(L.Op).get(L.To).const(TAG_LITERAL_1).op(Op.I32Or).memory(Op.I32Store, 0)
  c.get(L.Op).const(2).op(Op.I32Add).set(L.Op)
  c.else()
  c.get(L.Op).get(L.To).const(TAG_LITERAL_2).op(Op.I32Or).memory(Op.I32Store, 0)
  c.get(L.Op).const(3).op(Op.I32Add).set(L.Op)
  c.end()
  c.end()
  c.get(L.Op).get(L.Length).op(Op.I32Add).set(L.To)
  c.get(L.Length).const(LONG_LITERAL).op(Op.I32GeU).open(Op.If, 'long')
  c.get(L.Op).get(L.From).get(L.Length).copy()
  c.else()
  // Two 8-byte words a step, up to 15 bytes past the literal's end (the next element overwrites them).
  c.open(Op.Loop, 'words')
  c.get(L.Op).get(L.From).memory(Op.I64Load, 0).memory(Op.I64Store, 0)
  c.get(L.Op).get(L.From).memory(Op.I64Load, 0, 8).memory(Op.I64Store, 0, 8)
  c.get(L.From).const(16).op(Op.I32Add).set(L.From)
  c.get(L.Op).const(16).op(Op.I32Add).tee(L.Op).get(L.To).op(Op.I32LtU).brIf('words')
  c.end()
  c.end()
  c.get(L.To).set(L.Op)
}

// Emits a copy of Length (4 or more) bytes from Offset (1 to 65535) back; advances Op past it.
// Clobbers Length. Each element is stored as one 2- or 4-byte word (the excess byte is overwritten).
function emitCopy (c: Code): void {
  const copy2 = (tagLength: () => void): void => {
    c.get(L.Op)
    tagLength()
    c.const(1).op(Op.I32Sub).const(2).op(Op.I32Shl).const(TAG_COPY_2).op(Op.I32Or)
    c.get(L.Offset).const(8).op(Op.I32Shl).op(Op.I32Or).memory(Op.I32Store, 0)
    c.get(L.Op).const(3).op(Op.I32Add).set(L.Op)
  }
  // Pieces of 64, leaving at least 4 for the last one (60 + 4..8 when 65..67 remain).
  c.open(Op.Block, 'pieces')
  c.open(Op.Loop, 'piece')
  c.get(L.Length).const(68).op(Op.I32LtU).brIf('pieces')
  copy2(() => c.const(64))
  c.get(L.Length).const(64).op(Op.I32Sub).set(L.Length)
  c.br('piece')
  c.end()
  c.end()
  c.get(L.Length).const(64).op(Op.I32GtU).open(Op.If, 'over 64')
  copy2(() => c.const(60))
  c.get(L.Length).const(60).op(Op.I32Sub).set(L.Length)
  c.end()
  c.get(L.Length).const(12).op(Op.I32LtU).get(L.Offset).const(2048).op(Op.I32LtU).op(Op.I32And).open(Op.If, 'copy1')
  c.get(L.Op)
  c.get(L.Offset).const(8).op(Op.I32ShrU).const(5).op(Op.I32Shl)
  c.get(L.Length).const(4).op(Op.I32Sub).const(2).op(Op.I32Shl).op(Op.I32Or).const(TAG_COPY_1).op(Op.I32Or)
  c.get(L.Offset).const(0xff).op(Op.I32And).const(8).op(Op.I32Shl).op(Op.I32Or).memory(Op.I32Store16, 0)
  c.get(L.Op).const(2).op(Op.I32Add).set(L.Op)
  c.else()
  copy2(() => c.get(L.Length))
  c.end()
}

// To = the end of the match that continues with [From] === [To], at most End: 8 bytes a step
// while they are equal (a constant step, so the next loads do not wait on this step's compare),
// then the first differing byte of the 8, by counting trailing zero bits (little-endian). Loads
// may pass End, into the guard, and a difference found there is clamped to End.
function extendMatch (c: Code): void {
  c.open(Op.Block, 'extended')
  c.open(Op.Block, 'differs')
  c.open(Op.Loop, 'extend')
  c.get(L.To).memory(Op.I64Load, 0).get(L.From).memory(Op.I64Load, 0).op(Op.I64Ne).brIf('differs')
  c.get(L.From).const(8).op(Op.I32Add).set(L.From)
  c.get(L.To).const(8).op(Op.I32Add).tee(L.To).get(L.End).op(Op.I32LtU).brIf('extend')
  c.end()
  c.br('extended')
  c.end()
  c.get(L.To).get(L.To).memory(Op.I64Load, 0).get(L.From).memory(Op.I64Load, 0).op(Op.I64Xor).op(Op.I64Ctz).op(Op.I32WrapI64).const(3).op(Op.I32ShrU).op(Op.I32Add).set(L.To)
  c.end()
  c.get(L.To).get(L.End).op(Op.I32GtU).open(Op.If, 'past end')
  c.get(L.End).set(L.To)
  c.end()
}

function compressorBody (): number[] {
  const c = new Code()
  c.open(Op.Block, 'search done')
  c.get(L.End).const(INPUT_MARGIN).op(Op.I32LeU).brIf('search done')
  // The table's size: the smallest power of two from 2^8 to 2^14 at least the fragment's length
  // (2^14 when none is), as Shift = 32 - bits = clz(End - 1) clamped to [18, 24]; cleared.
  c.get(L.End).const(1).op(Op.I32Sub).op(Op.I32Clz).set(L.Shift)
  c.get(L.Shift).const(32 - MIN_HASH_TABLE_BITS).op(Op.I32GtU).open(Op.If, 'small').const(32 - MIN_HASH_TABLE_BITS).set(L.Shift).end()
  c.get(L.Shift).const(32 - MAX_HASH_TABLE_BITS).op(Op.I32LtU).open(Op.If, 'large').const(32 - MAX_HASH_TABLE_BITS).set(L.Shift).end()
  c.const(TABLE_BASE).const(0).const(1).const(33).get(L.Shift).op(Op.I32Sub).op(Op.I32Shl).fill()
  c.get(L.End).const(INPUT_MARGIN).op(Op.I32Sub).set(L.IpLimit)
  c.const(1).tee(L.Ip).memory(Op.I32Load, 0).set(L.NextWord)
  c.open(Op.Loop, 'search')
  {
    // Misses stretch the distance between probes, as in the TypeScript compressor.
    c.const(32).set(L.Skip)
    c.get(L.Ip).set(L.NextIp)
    c.open(Op.Loop, 'probe')
    c.get(L.NextIp).set(L.Ip)
    c.get(L.NextWord).set(L.Word)
    c.get(L.Skip).const(5).op(Op.I32ShrU).set(L.Step)
    c.get(L.Skip).get(L.Step).op(Op.I32Add).set(L.Skip)
    c.get(L.Ip).get(L.Step).op(Op.I32Add).tee(L.NextIp).get(L.IpLimit).op(Op.I32GtU).brIf('search done')
    c.get(L.NextIp).memory(Op.I32Load, 0).set(L.NextWord)
    probeTable(c)
    c.get(L.Word).get(L.Candidate).memory(Op.I32Load, 0).op(Op.I32Ne).brIf('probe')
    c.end()

    c.get(L.NextEmit).set(L.From)
    c.get(L.Ip).get(L.NextEmit).op(Op.I32Sub).set(L.Length)
    emitLiteral(c)

    // Keep emitting copies while the bytes right after a match match something else.
    c.open(Op.Loop, 'matches')
    c.get(L.Ip).get(L.Candidate).op(Op.I32Sub).set(L.Offset)
    c.get(L.Candidate).const(4).op(Op.I32Add).set(L.From)
    c.get(L.Ip).const(4).op(Op.I32Add).set(L.To)
    extendMatch(c)
    c.get(L.To).get(L.Ip).op(Op.I32Sub).set(L.Length)
    emitCopy(c)
    c.get(L.To).tee(L.Ip).set(L.NextEmit)
    c.get(L.Ip).get(L.IpLimit).op(Op.I32GeU).brIf('search done')
    // Index the match's last position too.
    slotOf(c, () => c.get(L.Ip).const(1).op(Op.I32Sub).memory(Op.I32Load, 0))
    c.get(L.Ip).const(1).op(Op.I32Sub).memory(Op.I32Store16, 0, TABLE_BASE)
    c.get(L.Ip).memory(Op.I32Load, 0).set(L.Word)
    probeTable(c)
    c.get(L.Word).get(L.Candidate).memory(Op.I32Load, 0).op(Op.I32Eq).brIf('matches')
    c.end()

    c.get(L.Ip).const(1).op(Op.I32Add).tee(L.Ip).memory(Op.I32Load, 0).set(L.NextWord)
    c.br('search')
  }
  c.end() // search
  c.end() // search done
  // The rest of the fragment as one literal.
  c.get(L.NextEmit).get(L.End).op(Op.I32LtU).open(Op.If, 'rest')
  c.get(L.NextEmit).set(L.From)
  c.get(L.End).get(L.NextEmit).op(Op.I32Sub).set(L.Length)
  emitLiteral(c)
  c.end()
  c.get(L.Op)
  c.op(Op.End)
  return c.bytes
}
