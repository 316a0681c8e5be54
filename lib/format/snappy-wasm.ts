// A Snappy element decoder in WebAssembly, written here instruction by instruction (no toolchain,
// no binary checked in): the module's bytes are assembled when it is first needed. It exists
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

interface WasmInstance {
  exports: { d: DecodeFunction, m: { buffer: ArrayBuffer } }
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => WasmInstance
}

let decode: DecodeFunction | null = null
let memory: Uint8Array | null = null
let loaded = false

// Instantiates the module once per thread; false where WebAssembly is missing or refused (a
// content security policy without 'wasm-unsafe-eval', a runtime built without it).
function load (): boolean {
  loaded = true
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly
  if (api === undefined) return false
  try {
    const instance = new api.Instance(new api.Module(moduleBytes()), {})
    decode = instance.exports.d
    memory = new Uint8Array(instance.exports.m.buffer)
  } catch {
    decode = null
    memory = null
  }
  return decode !== null
}

/**
 * Decodes the elements of the raw Snappy stream input[start, end) (start: just past the length
 * preamble) into out[0, length). False, with out[0, length) unspecified, when this decoder cannot
 * be used (no WebAssembly, a stream or output too long for its memory) or refuses the stream;
 * the caller then decodes with the TypeScript decoder. Copies all of `input` into its memory
 * (a block's 5-byte trailer after its stream costs less than a view to leave it out).
 */
export function wasmUncompress (input: Uint8Array, start: number, end: number, out: Uint8Array, length: number): boolean {
  if (!loaded && !load()) return false
  if (decode === null || memory === null || input.length > MAX_WASM_INPUT || length > MAX_WASM_OUTPUT) return false
  memory.set(input)
  if (decode(start, end, OUTPUT_BASE, OUTPUT_BASE + length) !== OUTPUT_BASE + length) return false
  out.set(new Uint8Array(memory.buffer, OUTPUT_BASE, length))
  return true
}

// Opcodes used below.
const enum Op {
  Block = 0x02, Loop = 0x03, If = 0x04, Else = 0x05, End = 0x0b, Br = 0x0c, BrIf = 0x0d, Return = 0x0f,
  LocalGet = 0x20, LocalSet = 0x21, LocalTee = 0x22,
  I32Load = 0x28, I64Load = 0x29, I32Load8U = 0x2d, I32Load16U = 0x2f, I32Store8 = 0x3a, I64Store = 0x37,
  I32Const = 0x41, I32Eqz = 0x45, I32Eq = 0x46, I32LtU = 0x49, I32GtU = 0x4b, I32GeU = 0x4f,
  I32Add = 0x6a, I32Sub = 0x6b, I32And = 0x71, I32Or = 0x72, I32Shl = 0x74, I32ShrU = 0x76
}
const VOID = 0x40
const I32 = 0x7f

// The function's locals: its four parameters, then the decoder's state.
const enum L { Ip, InEnd, OutBase, OutEnd, Op, Tag, Length, Offset, From, End }
const EXTRA_LOCALS = 6

// Emits instructions, naming branch targets by label instead of counting nesting depth.
class Code {
  readonly bytes: number[] = []
  private readonly labels: string[] = []

  op (...codes: number[]): this {
    this.bytes.push(...codes)
    return this
  }

  get (local: L): this { return this.op(Op.LocalGet, local) }
  set (local: L): this { return this.op(Op.LocalSet, local) }
  tee (local: L): this { return this.op(Op.LocalTee, local) }

  // Signed LEB128, as i32.const takes it.
  const (value: number): this {
    this.bytes.push(Op.I32Const)
    while (true) {
      const byte = value & 0x7f
      value >>= 7
      if ((value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0)) {
        this.bytes.push(byte)
        return this
      }
      this.bytes.push(byte | 0x80)
    }
  }

  // A load or store with its alignment hint (log2 bytes) and offset 0.
  memory (code: Op, align: number): this { return this.op(code, align, 0) }

  open (code: Op.Block | Op.Loop | Op.If, label: string): this {
    this.labels.push(label)
    return this.op(code, VOID)
  }

  else (): this { return this.op(Op.Else) }

  end (): this {
    this.labels.pop()
    return this.op(Op.End)
  }

  br (label: string): this { return this.op(Op.Br, this.depth(label)) }
  brIf (label: string): this { return this.op(Op.BrIf, this.depth(label)) }

  private depth (label: string): number {
    const at = this.labels.lastIndexOf(label)
    if (at < 0) throw new Error(`unknown label ${label}`)
    return this.labels.length - 1 - at
  }
}

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

function unsignedLeb (value: number): number[] {
  const bytes: number[] = []
  do {
    let byte = value & 0x7f
    value >>>= 7
    if (value !== 0) byte |= 0x80
    bytes.push(byte)
  } while (value !== 0)
  return bytes
}

function section (id: number, contents: number[]): number[] {
  return [id, ...unsignedLeb(contents.length), ...contents]
}

function name (text: string): number[] {
  return [text.length, ...Array.from(text, (ch) => ch.charCodeAt(0))]
}

function moduleBytes (): Uint8Array {
  const body = [1, EXTRA_LOCALS, I32, ...decoderBody()]
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    // One type: (i32, i32, i32, i32) -> i32.
    ...section(1, [1, 0x60, 4, I32, I32, I32, I32, 1, I32]),
    // One function of that type.
    ...section(3, [1, 0]),
    // One memory of MEMORY_PAGES pages, no maximum.
    ...section(5, [1, 0x00, MEMORY_PAGES]),
    // Exports: the function as "d", the memory as "m".
    ...section(7, [2, ...name('d'), 0x00, 0, ...name('m'), 0x02, 0]),
    ...section(10, [1, ...unsignedLeb(body.length), ...body])
  ])
}
