// Writes WebAssembly modules instruction by instruction, for the Snappy codec's WebAssembly parts
// (snappy-wasm-decoder.ts, snappy-wasm-compressor.ts): no toolchain and no binary in the package,
// the bytes are assembled in the thread that first needs them. Each module holds one function,
// exported as "f", of i32 parameters and locals returning an i32, and one memory of its own,
// exported as "m".

// The opcodes the codec uses. Bulk-memory instructions (memory.fill, memory.copy) are two bytes:
// Op.Bulk then a BulkOp.
export const enum Op {
  Block = 0x02, Loop = 0x03, If = 0x04, Else = 0x05, End = 0x0b, Br = 0x0c, BrIf = 0x0d, Return = 0x0f,
  LocalGet = 0x20, LocalSet = 0x21, LocalTee = 0x22,
  I32Load = 0x28, I64Load = 0x29, I32Load8U = 0x2d, I32Load16U = 0x2f,
  I32Store = 0x36, I64Store = 0x37, I32Store8 = 0x3a, I32Store16 = 0x3b,
  I32Const = 0x41, I32Eqz = 0x45, I32Eq = 0x46, I32Ne = 0x47, I32LtU = 0x49, I32GtU = 0x4b, I32LeU = 0x4d, I32GeU = 0x4f,
  I64Ne = 0x52,
  I32Clz = 0x67, I32Add = 0x6a, I32Sub = 0x6b, I32Mul = 0x6c, I32And = 0x71, I32Or = 0x72, I32Shl = 0x74, I32ShrU = 0x76,
  I64Ctz = 0x7a, I64Xor = 0x85, I32WrapI64 = 0xa7,
  Bulk = 0xfc
}
export const enum BulkOp { MemoryCopy = 0x0a, MemoryFill = 0x0b }
const VOID = 0x40
const I32 = 0x7f

/** Emits instructions, naming branch targets by label instead of counting nesting depth. */
export class Code {
  readonly bytes: number[] = []
  private readonly labels: string[] = []

  op (...codes: number[]): this {
    this.bytes.push(...codes)
    return this
  }

  get (local: number): this { return this.op(Op.LocalGet, local) }
  set (local: number): this { return this.op(Op.LocalSet, local) }
  tee (local: number): this { return this.op(Op.LocalTee, local) }

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

  // A load or store with its alignment hint (log2 bytes) and a constant offset added to its address.
  memory (code: Op, align: number, offset = 0): this { return this.op(code, align, ...unsignedLeb(offset)) }

  // memory.fill (address, value, length) and memory.copy (to, from, length) of memory 0.
  fill (): this { return this.op(Op.Bulk, BulkOp.MemoryFill, 0) }
  copy (): this { return this.op(Op.Bulk, BulkOp.MemoryCopy, 0, 0) }

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

/**
 * The bytes of a module of one function of `params` i32 parameters and `locals` more i32 locals,
 * returning an i32, whose instructions are `code` (its final `end` included), and one memory of
 * `memoryPages` 64 KiB pages with no maximum.
 */
export function moduleBytes (params: number, locals: number, code: number[], memoryPages: number): Uint8Array {
  const body = [1, ...unsignedLeb(locals), I32, ...code]
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, params, ...new Array<number>(params).fill(I32), 1, I32]),
    ...section(3, [1, 0]),
    ...section(5, [1, 0x00, ...unsignedLeb(memoryPages)]),
    ...section(7, [2, ...name('f'), 0x00, 0, ...name('m'), 0x02, 0]),
    ...section(10, [1, ...unsignedLeb(body.length), ...body])
  ])
}

interface WasmInstance {
  exports: { f: (...args: number[]) => number, m: { buffer: ArrayBuffer } }
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => WasmInstance
}

/** A module's function and its memory's bytes. */
export interface WasmFunction<F> {
  f: F
  memory: Uint8Array
}

/**
 * Compiles and instantiates `bytes` (from moduleBytes); null where WebAssembly is missing or
 * refused (a content security policy without 'wasm-unsafe-eval', a runtime built without it, or
 * one without an instruction the module uses).
 */
export function instantiate<F> (bytes: Uint8Array): WasmFunction<F> | null {
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly
  if (api === undefined) return null
  try {
    const instance = new api.Instance(new api.Module(bytes), {})
    return { f: instance.exports.f as F, memory: new Uint8Array(instance.exports.m.buffer) }
  } catch {
    return null
  }
}
