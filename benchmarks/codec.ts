// Snappy codecs on real table blocks: our codec (lib/format/snappy.ts, compressing and decoding in
// WebAssembly where it can, and in TypeScript alone) against the native
// `snappy` package (napi-rs, prebuilt) and `snappyjs`, in µs per block and MB/s of uncompressed data,
// for blocks of 100-byte values and of 4 KiB values (one entry a block). Ours is also timed decoding
// into a buffer it is given, as a block-cache miss does once the cache recycles evicted blocks' buffers.
// Every codec's output is checked to round-trip through ours and through the native one, and the
// blocks where ours (either compressor) writes the same bytes as the native codec are counted.
// Run: npm run bench:codec [-- --scale 0.5]   (npm run bench runs it too). Prints Markdown on stdout.
import { parseArgs } from 'node:util'
import * as nativeSnappy from 'snappy'
import * as snappyjs from 'snappyjs'
import { makeInternalKey, ValueType } from '../lib/format/internal-key'
import { snappyCompress, snappyCompressTs, snappyUncompress, snappyUncompressTs } from '../lib/format/snappy'
import { BlockBuilder } from '../lib/table/block-builder'
import { createRandom } from '../test/util/random'
import { decimalKey, printableValue } from './data'
import { formatMicros, markdownTable } from './report'
import { median, rotate } from './summary'

/** LevelDB's default block size and restart interval. */
const BLOCK_SIZE = 4096
const RESTART_INTERVAL = 16
const VALUE_SIZES = [100, 4096]
const DEFAULT_BLOCKS = 2000
const ROUNDS = 5

export interface Codec {
  name: string
  compress (block: Buffer): Uint8Array
  uncompress (compressed: Uint8Array, length: number): Uint8Array
  // Decodes into `into` (at least `length` bytes), where the codec can.
  uncompressInto?: (compressed: Uint8Array, length: number, into: Buffer) => Uint8Array
}

export const codecs: readonly Codec[] = [
  {
    name: 'ai-level (lib/format/snappy.ts)',
    // The result is a view of a reused buffer, which is how the table builder uses it.
    compress: (block) => snappyCompress(block),
    uncompress: (compressed, length) => snappyUncompress(compressed, length),
    uncompressInto: (compressed, length, into) => snappyUncompress(compressed, length, into)
  },
  {
    name: 'snappy (native, napi-rs)',
    compress: (block) => nativeSnappy.compressSync(block),
    uncompress: (compressed) => nativeSnappy.uncompressSync(compressed, { asBuffer: true }) as Buffer
  },
  {
    name: 'snappyjs',
    compress: (block) => snappyjs.compress(block),
    uncompress: (compressed, length) => snappyjs.uncompress(compressed, length)
  },
  {
    // Ours without its WebAssembly compressor and decoder (lib/format/snappy-wasm-*.ts): what
    // runtimes without WebAssembly use, and what streams over 64 KiB decode with.
    name: 'ai-level, TypeScript only',
    compress: (block) => snappyCompressTs(block),
    uncompress: (compressed, length) => snappyUncompressTs(compressed, length),
    uncompressInto: (compressed, length, into) => snappyUncompressTs(compressed, length, into)
  }
]

/** Data blocks as a table builder cuts them: sorted internal keys with db_bench-like values (100 bytes unless told), cut at 4 KiB. */
export function tableBlocks (count: number, seed: number, valueSize = 100): Buffer[] {
  const random = createRandom(seed)
  const builder = new BlockBuilder(RESTART_INTERVAL)
  const blocks: Buffer[] = []
  let index = 0
  while (blocks.length < count) {
    builder.add(makeInternalKey(Buffer.from(decimalKey(index), 'latin1'), index + 1, ValueType.Value), printableValue(random, valueSize))
    index += 1 + random.int(3)
    if (builder.currentSizeEstimate() >= BLOCK_SIZE) {
      blocks.push(Buffer.from(builder.finish()))
      builder.reset()
    }
  }
  return blocks
}

export interface CodecCheck {
  /** Blocks whose compressed form (by any codec) did not decompress to the block, by any of our and the native decoder. */
  failures: string[]
  /** For each of our codecs, the blocks where its compressed bytes equal the native codec's. */
  identical: number[]
}

function sameBytes (a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0
}

export function checkCodecs (blocks: readonly Buffer[], candidates: readonly Codec[], reference: Codec, ours: readonly Codec[]): CodecCheck {
  const failures: string[] = []
  const identical = ours.map(() => 0)
  blocks.forEach((block, blockIndex) => {
    for (const codec of candidates) {
      const compressed = Buffer.from(codec.compress(block))
      for (const decoder of [ours[0], reference]) {
        if (!sameBytes(decoder.uncompress(compressed, block.length), block)) {
          failures.push(`block ${blockIndex}: ${codec.name}'s output did not round-trip through ${decoder.name}`)
        }
      }
    }
    const expected = Buffer.from(reference.compress(block))
    ours.forEach((codec, i) => { if (sameBytes(codec.compress(block), expected)) identical[i]++ })
  })
  return { failures, identical }
}

interface CodecTiming {
  compressMicros: number[]
  uncompressMicros: number[]
  uncompressIntoMicros: number[]
  compressedBytes: number
}

// CPU time rather than wall time: all three codecs run on the calling thread, and on a shared
// machine CPU time is far steadier.
function cpuMicros (body: () => void): number {
  const before = process.cpuUsage()
  body()
  const used = process.cpuUsage(before)
  return used.user + used.system
}

/** ROUNDS passes over all blocks per codec, codecs in rotated order each round; the first round warms up and is dropped. */
function measure (blocks: readonly Buffer[]): Map<Codec, CodecTiming> {
  const timings = new Map<Codec, CodecTiming>(codecs.map((codec) => [codec, { compressMicros: [], uncompressMicros: [], uncompressIntoMicros: [], compressedBytes: 0 }]))
  const into = Buffer.allocUnsafeSlow(Math.max(...blocks.map((block) => block.length)))
  const compressedBy = new Map<Codec, Uint8Array[]>(codecs.map((codec) => [codec, blocks.map((block) => Buffer.from(codec.compress(block)))]))
  for (const codec of codecs) {
    (timings.get(codec) as CodecTiming).compressedBytes = (compressedBy.get(codec) as Uint8Array[]).reduce((sum, bytes) => sum + bytes.length, 0)
  }
  for (let round = 0; round <= ROUNDS; round++) {
    for (const codec of rotate(codecs, round)) {
      const timing = timings.get(codec) as CodecTiming
      const compressed = compressedBy.get(codec) as Uint8Array[]
      const compressMicros = cpuMicros(() => { for (const block of blocks) codec.compress(block) })
      const uncompressMicros = cpuMicros(() => { for (let i = 0; i < blocks.length; i++) codec.uncompress(compressed[i], blocks[i].length) })
      const uncompressInto = codec.uncompressInto
      const uncompressIntoMicros = uncompressInto === undefined ? NaN : cpuMicros(() => { for (let i = 0; i < blocks.length; i++) uncompressInto(compressed[i], blocks[i].length, into) })
      if (round === 0) continue
      timing.compressMicros.push(compressMicros)
      timing.uncompressMicros.push(uncompressMicros)
      timing.uncompressIntoMicros.push(uncompressIntoMicros)
    }
  }
  return timings
}

const USAGE = `Usage: npm run bench:codec -- [--scale <factor>] [--seed <n>]   (or node dist/benchmarks/codec.js)

Times our Snappy codec, the native snappy package and snappyjs on table blocks of 100-byte and
4 KiB values, checks that every codec's output round-trips, and prints Markdown tables.

  --scale <factor>  multiply the number of blocks (default 2,000 per value size); default: 1
  --seed <n>        seed for keys and values; default: 42
  --help            show this help`

function main (): void {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { scale: { type: 'string' }, seed: { type: 'string' }, help: { type: 'boolean' } } })
  if (values.help === true) {
    console.log(USAGE)
    return
  }
  const scale = values.scale === undefined ? 1 : Number(values.scale)
  if (!Number.isFinite(scale) || scale <= 0) throw new RangeError(`--scale must be a positive number, got ${String(values.scale)}`)
  const seed = values.seed === undefined ? 42 : Number(values.seed)
  const [ours, reference, , oursTs] = codecs
  for (const valueSize of VALUE_SIZES) {
    const blocks = tableBlocks(Math.max(10, Math.round(DEFAULT_BLOCKS * scale)), seed, valueSize)
    const totalBytes = blocks.reduce((sum, block) => sum + block.length, 0)
    const check = checkCodecs(blocks, codecs, reference, [ours, oursTs])
    const timings = measure(blocks)

    const rows = codecs.map((codec) => {
      const timing = timings.get(codec) as CodecTiming
      const compress = median(timing.compressMicros)
      const uncompress = median(timing.uncompressMicros)
      const uncompressInto = median(timing.uncompressIntoMicros)
      return [
        codec.name,
        formatMicros(compress / blocks.length),
        (totalBytes / compress).toFixed(0),
        formatMicros(uncompress / blocks.length),
        (totalBytes / uncompress).toFixed(0),
        Number.isNaN(uncompressInto) ? '-' : formatMicros(uncompressInto / blocks.length),
        `${(timing.compressedBytes / totalBytes * 100).toFixed(1)}%`
      ]
    })
    console.log(`${valueSize}-byte values:`)
    console.log('')
    console.log(markdownTable(['codec', 'compress CPU µs/block', 'compress MB/s', 'uncompress CPU µs/block', 'uncompress MB/s', 'uncompress into a given buffer µs/block', 'compressed size'], rows))
    console.log('')
    console.log(`${blocks.length.toLocaleString('en-US')} data blocks of ${Math.round(totalBytes / blocks.length)} bytes on average (16-byte decimal keys with 8-byte tags, ` +
      `${valueSize}-byte values of ${Math.ceil(valueSize / 2)} random printable bytes repeated twice, restart interval ${RESTART_INTERVAL}), built by lib/table/block-builder.ts. ` +
      `CPU time (process.cpuUsage) per block, medians of ${ROUNDS} passes over all blocks per codec in one process, codecs in rotated order, after one warm-up pass; MB/s of uncompressed bytes (10^6) per CPU second. ` +
      `Ours wrote the same bytes as the native codec for ${check.identical[0].toLocaleString('en-US')} of ${blocks.length.toLocaleString('en-US')} blocks ` +
      `(${check.identical[1].toLocaleString('en-US')} with its TypeScript compressor); ` +
      `every codec's output round-tripped through ours and the native decoder${check.failures.length === 0 ? '' : ` except in ${check.failures.length} cases`}.`)
    console.log('')
    if (check.failures.length > 0) {
      console.error(check.failures.slice(0, 10).join('\n'))
      process.exitCode = 1
    }
    // Our compressors take the same steps as the Snappy bundled with LevelDB, so the bytes must
    // match: a difference is a regression to fix.
    check.identical.forEach((identical, i) => {
      if (identical === blocks.length) return
      console.error(`${[ours, oursTs][i].name}'s Snappy output differs from the native codec's in ${blocks.length - identical} of ${blocks.length} blocks (${valueSize}-byte values)`)
      process.exitCode = 1
    })
  }
}

if (require.main === module) main()
