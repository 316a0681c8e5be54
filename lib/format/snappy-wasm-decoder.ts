// A Snappy element decoder in WebAssembly, written here instruction by instruction (no toolchain,
// no binary checked in; see snappy-wasm-assembler.ts): the module's bytes are assembled when it is first needed. It exists
// because decoding is most of a block-cache miss's CPU: the TypeScript decoder copies at most 4
// bytes per DataView access, this one 8 per load and store, without bounds checks (the memory's
// guard regions make over-reads and over-writes safe). Decoding a 4 KiB block of 100-byte values
// took 2.7 µs in TypeScript and about 1 µs here with the copy in and out (measured on the bench
// database's blocks).
//
// The TypeScript decoder stays the reference: snappyUncompress uses this one only for streams
// that fit its memory, where WebAssembly is available and the module compiled, and any stream
// this one rejects is decoded again by the TypeScript decoder, which reports the error precisely
// (or, should this one be wrong, decodes it). So this decoder only has to be right for valid
// streams and to refuse, never read or write outside its regions, for invalid ones.
//
// Memory layout (one memory of MEMORY_PAGES 64 KiB pages, owned by this module): the compressed
// stream at [0, MAX_INPUT), the output at [OUTPUT_BASE, OUTPUT_BASE + MAX_OUTPUT); between and
// after them at least GUARD bytes that the word copies may touch past an element's end.
import { Code, instantiate, moduleBytes, Op, type WasmFunction } from './snappy-wasm-assembler'

const PAGE = 64 * 1024
const MEMORY_PAGES = 4
// Room for the copies past an element's end: two 8-byte words a step, at most 15 bytes past it;
// a literal's length bytes are read as one 4-byte word.
const GUARD = 64
export const MAX_WASM_INPUT = PAGE - GUARD
const OUTPUT_BASE = PAGE
export const MAX_WASM_OUTPUT = 2 * PAGE
// OUTPUT_BASE + MAX_OUTPUT + GUARD <= MEMORY_PAGES * PAGE.

// The decoder function: decodes input [ip, inEnd) into [outBase, outEnd) and returns outEnd, or
// -1 for a stream it refuses (malformed, or not filling the output exactly).
type DecodeFunction = (ip: number, inEnd: number, outBase: number, outEnd: number) => number

let decoder: WasmFunction<DecodeFunction> | null = null
let loaded = false

/**
 * Decodes the elements of the raw Snappy stream input[start, end) (start: just past the length
 * preamble) into out[0, length). False, with out[0, length) unspecified, when this decoder cannot
 * be used (no WebAssembly, a stream or output too long for its memory) or refuses the stream;
 * the caller then decodes with the TypeScript decoder. Copies all of `input` into its memory
 * (a block's 5-byte trailer after its stream costs less than a view to leave it out).
 */
export function wasmUncompress (input: Uint8Array, start: number, end: number, out: Uint8Array, length: number): boolean {
  if (!loaded) {
    loaded = true
    decoder = instantiate<DecodeFunction>(moduleBytes(PARAMS, EXTRA_LOCALS, decoderBody(), MEMORY_PAGES))
  }
  if (decoder === null || input.length > MAX_WASM_INPUT || length > MAX_WASM_OUTPUT) return false
  const memory = decoder.memory
  memory.set(input)
  if (decoder.f(start, end, OUTPUT_BASE, OUTPUT_BASE + length) !== OUTPUT_BASE + length) return false
  out.set(new Uint8Array(memory.buffer, OUTPUT_BASE, length))
  return true
}

// The function's locals: its four parameters, then the decoder's state.
const enum L { Ip, InEnd, OutBase, OutEnd, Op, Tag, Length, Offset, From, End }
const PARAMS = 4
const EXTRA_LOCALS = 6

// Copies from `source` to [Op, End) two 8-byte words a step while Op < End, Op and the source
// advancing together, each word loaded after the one before it is stored (as a copy of 8 bytes a
// step would); leaves Op at or up to 15 bytes past End.
function wordCopy (c: Code, source: L, label: string): void {
  c.open(Op.Loop, label)
  c.get(L.Op).get(source).memory(Op.I64Load, 3).memory(Op.I64Store, 3)
  c.get(L.Op).const(8).op(Op.I32Add).get(source).const(8).op(Op.I32Add).memory(Op.I64Load, 3).memory(Op.I64Store, 3)
  c.get(source).const(16).op(Op.I32Add).set(source)
  c.get(L.Op).const(16).op(Op.I32Add).tee(L.Op).get(L.End).op(Op.I32LtU).brIf(label)
  c.end()
}

function decoderBody (): number[] {
  const c = new Code()
  c.get(L.OutBase).set(L.Op)
  c.open(Op.Block, 'refuse')
  c.open(Op.Loop, 'element')
  // The end of the input: the output must be full.
  c.get(L.Ip).get(L.InEnd).op(Op.I32GeU).open(Op.If, 'done')
  c.get(L.Op).get(L.OutEnd).op(Op.I32Eq).open(Op.If, 'full').get(L.Op).op(Op.Return).end()
  c.br('refuse')
  c.end()
  c.get(L.Ip).memory(Op.I32Load8U, 0).set(L.Tag)
  c.get(L.Ip).const(1).op(Op.I32Add).set(L.Ip)
  c.get(L.Tag).const(3).op(Op.I32And).op(Op.I32Eqz).open(Op.If, 'literal')
  {
    // Length - 1 in the tag, or in the 1 to 4 bytes after it (tag values 60 to 63).
    c.get(L.Tag).const(2).op(Op.I32ShrU).set(L.Length)
    c.get(L.Length).const(60).op(Op.I32GeU).open(Op.If, 'long')
    c.get(L.Length).const(59).op(Op.I32Sub).set(L.Offset)
    c.get(L.Offset).get(L.InEnd).get(L.Ip).op(Op.I32Sub).op(Op.I32GtU).brIf('refuse')
    // The 4 bytes at ip, masked to the first (Offset) of them.
    c.get(L.Ip).memory(Op.I32Load, 2).const(-1).const(32).get(L.Offset).const(3).op(Op.I32Shl).op(Op.I32Sub).op(Op.I32ShrU).op(Op.I32And).set(L.Length)
    c.get(L.Ip).get(L.Offset).op(Op.I32Add).set(L.Ip)
    c.end()
    // Length - 1 < OutEnd - Op (unsigned), so Length neither overflows nor passes the output's end.
    c.get(L.Length).get(L.OutEnd).get(L.Op).op(Op.I32Sub).op(Op.I32GeU).brIf('refuse')
    c.get(L.Length).const(1).op(Op.I32Add).set(L.Length)
    c.get(L.Length).get(L.InEnd).get(L.Ip).op(Op.I32Sub).op(Op.I32GtU).brIf('refuse')
    c.get(L.Op).get(L.Length).op(Op.I32Add).set(L.End)
    wordCopy(c, L.Ip, 'literal words')
    // The words went past the literal's end: step back to it.
    c.get(L.Ip).get(L.Op).get(L.End).op(Op.I32Sub).op(Op.I32Sub).set(L.Ip)
    c.get(L.End).set(L.Op)
    c.br('element')
  }
  c.end()
  // A copy: its length and offset.
  c.get(L.Tag).const(3).op(Op.I32And).set(L.Offset)
  c.get(L.Offset).const(1).op(Op.I32Eq).open(Op.If, 'copy1')
  {
    c.get(L.Ip).get(L.InEnd).op(Op.I32GeU).brIf('refuse')
    c.get(L.Tag).const(2).op(Op.I32ShrU).const(7).op(Op.I32And).const(4).op(Op.I32Add).set(L.Length)
    c.get(L.Tag).const(5).op(Op.I32ShrU).const(8).op(Op.I32Shl).get(L.Ip).memory(Op.I32Load8U, 0).op(Op.I32Or).set(L.Offset)
    c.get(L.Ip).const(1).op(Op.I32Add).set(L.Ip)
  }
  c.else()
  {
    c.get(L.Tag).const(2).op(Op.I32ShrU).const(1).op(Op.I32Add).set(L.Length)
    c.get(L.Offset).const(2).op(Op.I32Eq).open(Op.If, 'copy2')
    c.get(L.InEnd).get(L.Ip).op(Op.I32Sub).const(2).op(Op.I32LtU).brIf('refuse')
    c.get(L.Ip).memory(Op.I32Load16U, 1).set(L.Offset)
    c.get(L.Ip).const(2).op(Op.I32Add).set(L.Ip)
    c.else()
    c.get(L.InEnd).get(L.Ip).op(Op.I32Sub).const(4).op(Op.I32LtU).brIf('refuse')
    c.get(L.Ip).memory(Op.I32Load, 2).set(L.Offset)
    c.get(L.Ip).const(4).op(Op.I32Add).set(L.Ip)
    c.end()
  }
  c.end()
  // 0 < Offset <= Op - OutBase, Length <= OutEnd - Op (unsigned).
  c.get(L.Offset).op(Op.I32Eqz).brIf('refuse')
  c.get(L.Offset).get(L.Op).get(L.OutBase).op(Op.I32Sub).op(Op.I32GtU).brIf('refuse')
  c.get(L.Length).get(L.OutEnd).get(L.Op).op(Op.I32Sub).op(Op.I32GtU).brIf('refuse')
  c.get(L.Op).get(L.Offset).op(Op.I32Sub).set(L.From)
  c.get(L.Op).get(L.Length).op(Op.I32Add).set(L.End)
  c.get(L.Offset).const(8).op(Op.I32GeU).open(Op.If, 'far')
  // Each word read lies wholly in output already written, so an overlapping copy repeats as it must.
  wordCopy(c, L.From, 'copy words')
  c.else()
  // Byte by byte, so an overlapping copy repeats the bytes it has just written.
  c.open(Op.Loop, 'copy bytes')
  c.get(L.Op).get(L.From).memory(Op.I32Load8U, 0).memory(Op.I32Store8, 0)
  c.get(L.From).const(1).op(Op.I32Add).set(L.From)
  c.get(L.Op).const(1).op(Op.I32Add).tee(L.Op).get(L.End).op(Op.I32LtU).brIf('copy bytes')
  c.end()
  c.end()
  c.get(L.End).set(L.Op)
  c.br('element')
  c.end() // element
  c.end() // refuse
  c.const(-1)
  c.op(Op.End)
  return c.bytes
}
