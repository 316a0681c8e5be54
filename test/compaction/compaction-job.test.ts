// runCompaction on real table files: which versions and tombstones survive, and how outputs are cut.
import fs from 'node:fs'
import test from 'tape'
import { defaultEnv } from '../../lib/env/node-env'
import { BlockCache } from '../../lib/table/block-cache'
import { TableCache } from '../../lib/cache/table-cache'
import { TableOutput, type TableOutputOptions } from '../../lib/compaction/table-output'
import { runCompaction } from '../../lib/compaction/compaction-job'
import { ScanBuffers } from '../../lib/compaction/compaction-input'
import type { Compaction } from '../../lib/compaction/compaction'
import type { FileMetaData } from '../../lib/version/file-metadata'
import { compareInternalKeys, makeInternalKey, parseInternalKey, ValueType } from '../../lib/format/internal-key'
import { tableFileName } from '../../lib/format/filenames'
import { createRandom, testSeed } from '../util/random'
import { removeDir, tempDir } from '../util/temp-dir'

const tableOptions: TableOutputOptions = { blockSize: 1024, blockRestartInterval: 16, compression: false, bloomBitsPerKey: 10 }

interface Entry {
  key: string
  seq: number
  type: ValueType
  value: string
}

const put = (key: string, seq: number, value: string): Entry => ({ key, seq, type: ValueType.Value, value })
const del = (key: string, seq: number): Entry => ({ key, seq, type: ValueType.Deletion, value: '' })

class Fixture {
  readonly dir = tempDir('compaction-job')
  readonly tableCache = new TableCache(defaultEnv, this.dir, { verifyChecksums: true, blockCache: new BlockCache(1 << 20) }, 100)
  // Shared by every compaction of the fixture, as a job runner shares them.
  readonly buffers = new ScanBuffers()
  private nextNumber = 1

  allocate = (): number => this.nextNumber++

  // Entries are sorted into internal-key order before writing.
  table (entries: Entry[]): FileMetaData {
    const keyed = entries.map(e => ({ ik: makeInternalKey(Buffer.from(e.key), e.seq, e.type), value: Buffer.from(e.value) }))
    keyed.sort((a, b) => compareInternalKeys(a.ik, b.ik))
    const output = new TableOutput(defaultEnv, this.dir, this.allocate(), tableOptions)
    for (const e of keyed) output.add(e.ik, e.value)
    return output.finish()
  }

  read (meta: FileMetaData): Entry[] {
    const out: Entry[] = []
    const iter = this.tableCache.newIterator(meta.number, meta.fileSize)
    try {
      for (iter.seekToFirst(); iter.valid(); iter.next()) {
        const parsed = parseInternalKey(iter.key())
        out.push({ key: parsed.userKey.toString(), seq: parsed.sequence, type: parsed.type, value: iter.value().toString() })
      }
    } finally {
      iter.close()
    }
    return out
  }

  readAll (files: FileMetaData[]): Entry[] {
    return files.flatMap(f => this.read(f))
  }

  cleanup (): void {
    this.tableCache.close()
    removeDir(this.dir)
  }
}

function compaction (inputs: [FileMetaData[], FileMetaData[]], over: Partial<Compaction> = {}): Compaction {
  return { level: 1, inputs, grandparents: [], deeperLevels: [[], [], [], [], []], maxOutputFileSize: 1 << 20, ...over }
}

function run (fx: Fixture, c: Compaction, smallestSnapshot: number): FileMetaData[] {
  return runCompaction(defaultEnv, { dbname: fx.dir, compaction: c, smallestSnapshot, verifyChecksums: true, options: tableOptions }, fx.allocate, fx.buffers).outputs
}

const describe = (entries: Entry[]): string[] => entries.map(e => `${e.key}@${e.seq}${e.type === ValueType.Deletion ? ':del' : '=' + e.value}`)

/** Runs body with a fresh Fixture, cleaned up afterwards, pass or fail. */
function withFixture (body: (fx: Fixture) => void): void {
  const fx = new Fixture()
  try {
    body(fx)
  } finally {
    fx.cleanup()
  }
}

test('compaction keeps the newest version and drops versions no snapshot needs', (t) => {
  withFixture((fx) => {
    const upper = fx.table([put('a', 10, 'a-new'), del('b', 11), put('d', 12, 'd-new')])
    const lower = fx.table([put('a', 5, 'a-old'), put('b', 3, 'b-old'), put('c', 4, 'c'), put('d', 2, 'd-old'), put('d', 1, 'd-older')])

    const out = run(fx, compaction([[upper], [lower]]), 100)
    t.same(describe(fx.readAll(out)), ['a@10=a-new', 'c@4=c', 'd@12=d-new'],
      'no snapshot: only newest versions; the tombstone and what it hides are gone')
    t.equal(out.length, 1)
    t.ok(out[0].smallest.equals(makeInternalKey(Buffer.from('a'), 10, ValueType.Value)), 'smallest key recorded')
    t.ok(out[0].largest.equals(makeInternalKey(Buffer.from('d'), 12, ValueType.Value)), 'largest key recorded')
    t.equal(out[0].fileSize, fs.statSync(tableFileName(fx.dir, out[0].number)).size, 'fileSize matches the file')

    const kept = run(fx, compaction([[upper], [lower]]), 7)
    t.same(describe(fx.readAll(kept)), ['a@10=a-new', 'a@5=a-old', 'b@11:del', 'b@3=b-old', 'c@4=c', 'd@12=d-new', 'd@2=d-old'],
      'snapshot at 7: each key keeps the newest version <= 7 and everything newer; d@1 is hidden by d@2')

    const at5 = run(fx, compaction([[upper], [lower]]), 5)
    t.same(describe(fx.readAll(at5)), ['a@10=a-new', 'a@5=a-old', 'b@11:del', 'b@3=b-old', 'c@4=c', 'd@12=d-new', 'd@2=d-old'],
      'a version whose sequence equals the snapshot is the one it sees')

    const at11 = run(fx, compaction([[upper], [lower]]), 11)
    t.same(describe(fx.readAll(at11)), ['a@10=a-new', 'c@4=c', 'd@12=d-new', 'd@2=d-old'],
      'snapshot at 11: tombstone b@11 is visible to all and dropped at the base level; d@2 is still needed')
  })
  t.end()
})

test('tombstones are dropped only when no deeper level can hold the key', (t) => {
  withFixture((fx) => {
    const upper = fx.table([del('b', 20), del('m', 21), put('x', 22, 'x')])
    const lower = fx.table([put('b', 3, 'b-old'), put('m', 4, 'm-old')])
    // Level 3 (deeperLevels[0] when level = 1) holds a file covering b..c, nothing near m.
    const deep = fx.table([put('b', 1, 'b-ancient'), put('c', 1, 'c')])
    const c = compaction([[upper], [lower]], { deeperLevels: [[deep], [], [], [], []] })
    const out = run(fx, c, 100)
    t.same(describe(fx.readAll(out)), ['b@20:del', 'x@22=x'],
      'b keeps its tombstone (a deeper level has b), m loses it; the older versions are dropped either way')

    const deeper = compaction([[upper], [lower]], { deeperLevels: [[], [], [], [deep], []] })
    t.same(describe(fx.readAll(run(fx, deeper, 100))), ['b@20:del', 'x@22=x'], 'any deeper level counts')

    const other = fx.table([put('n', 1, 'n'), put('z', 1, 'z')])
    const elsewhere = compaction([[upper], [lower]], { deeperLevels: [[other], [], [], [], []] })
    t.same(describe(fx.readAll(run(fx, elsewhere, 100))), ['x@22=x'], 'a deeper file outside b and m does not keep tombstones')

    const old = compaction([[upper], [lower]], { deeperLevels: [[deep], [], [], [], []] })
    t.same(describe(fx.readAll(run(fx, old, 19))), ['b@20:del', 'b@3=b-old', 'm@21:del', 'm@4=m-old', 'x@22=x'],
      'tombstones newer than the oldest snapshot are kept even at the base level')

    // Only tombstones: the compaction produces no output file at all.
    const onlyDel = fx.table([del('q', 30)])
    const under = fx.table([put('q', 2, 'q')])
    t.same(run(fx, compaction([[onlyDel], [under]]), 100), [], 'nothing left: no outputs')
  })
  t.end()
})

test('level-0 inputs: overlapping files merge newest first', (t) => {
  withFixture((fx) => {
    const older = fx.table([put('k', 1, 'v1'), put('l', 2, 'l1')])
    const newer = fx.table([put('k', 5, 'v5'), del('l', 6)])
    const l1 = fx.table([put('k', 0, 'v0'), put('z', 0, 'z')])
    const out = run(fx, compaction([[older, newer], [l1]], { level: 0 }), 100)
    t.same(describe(fx.readAll(out)), ['k@5=v5', 'z@0=z'])
  })
  t.end()
})

test('level-0 inputs: any number of runs, of any lengths, of short and high-byte keys merge in internal-key order', (t) => {
  const seed = testSeed(4242)
  t.comment(`seed ${seed}`)
  const random = createRandom(seed)
  // Bytes that matter to the merge's 4-byte key prefixes: zero (padding ties), 0x80 and up (sign).
  const bytes = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff]
  const randomKey = (): Buffer => Buffer.from(Array.from({ length: random.int(7) }, () => bytes[random.int(bytes.length)]))
  // Level-0 file counts around powers of two, where the merge's tournament tree changes shape;
  // runs end at different times, and the level-1 run may be empty from the start.
  for (const level0Files of [1, 2, 3, 5, 8, 13]) {
    for (const emptyLevel1 of [false, true]) {
      withFixture((fx) => {
        const all: Buffer[] = []
        let sequence = 1
        const runOf = (count: number): FileMetaData => {
          const keys = new Map<string, Buffer>()
          for (let i = 0; i < count; i++) {
            const ik = makeInternalKey(randomKey(), sequence++, ValueType.Value)
            keys.set(ik.toString('hex'), ik)
          }
          const sorted = [...keys.values()].sort(compareInternalKeys)
          all.push(...sorted)
          const output = new TableOutput(defaultEnv, fx.dir, fx.allocate(), tableOptions)
          for (const ik of sorted) output.add(ik, ik)
          return output.finish()
        }
        const level0 = Array.from({ length: level0Files }, () => runOf(1 + random.int(80)))
        const level1 = emptyLevel1 ? [] : [runOf(1 + random.int(80))]
        const out = run(fx, compaction([level0, level1], { level: 0 }), 0)
        const merged: Buffer[] = []
        for (const meta of out) {
          const iter = fx.tableCache.newIterator(meta.number, meta.fileSize)
          for (iter.seekToFirst(); iter.valid(); iter.next()) merged.push(Buffer.from(iter.key()))
          iter.close()
        }
        t.same(merged.map(k => k.toString('hex')), all.sort(compareInternalKeys).map(k => k.toString('hex')),
          `${level0Files} level-0 files${emptyLevel1 ? ', no level-1 file' : ' and a level-1 file'}: every version, in internal-key order`)
      })
    }
  }
  t.end()
})

test('outputs are cut at maxOutputFileSize and are sorted and disjoint', (t) => {
  const seed = testSeed(8191)
  t.comment(`seed ${seed} (replay with AIDB_TEST_SEED)`)
  const random = createRandom(seed)
  withFixture((fx) => {
    const upper: Entry[] = []
    const lower: Entry[] = []
    const expected = new Map<string, string>()
    let seq = 1
    for (let i = 0; i < 1500; i++) {
      const key = `key${String(i).padStart(5, '0')}`
      const value = 'x'.repeat(random.between(20, 120)) + i
      lower.push(put(key, seq++, value))
      expected.set(key, value)
    }
    for (let i = 0; i < 600; i++) {
      const key = `key${String(random.int(1800)).padStart(5, '0')}`
      if (upper.some(e => e.key === key)) continue
      if (random.chance(0.3)) {
        upper.push(del(key, seq++))
        expected.delete(key)
      } else {
        const value = 'y'.repeat(random.between(20, 120))
        upper.push(put(key, seq++, value))
        expected.set(key, value)
      }
    }
    const maxOutputFileSize = 8 * 1024
    const out = run(fx, compaction([[fx.table(upper)], [fx.table(lower)]], { maxOutputFileSize }), seq)
    t.ok(out.length >= 10, `cut into ${out.length} files`)
    let ok = true
    for (let i = 0; i < out.length; i++) {
      const f = out[i]
      // A file is closed once it reaches the limit, so it overshoots by at most one block plus the footer.
      if (f.fileSize > maxOutputFileSize + tableOptions.blockSize + 2048) ok = false
      if (i < out.length - 1 && f.fileSize < maxOutputFileSize) ok = false
      if (compareInternalKeys(f.smallest, f.largest) > 0) ok = false
      if (i > 0 && compareInternalKeys(out[i - 1].largest, f.smallest) >= 0) ok = false
      const entries = fx.read(f)
      if (!makeInternalKey(Buffer.from(entries[0].key), entries[0].seq, entries[0].type).equals(f.smallest)) ok = false
      const last = entries[entries.length - 1]
      if (!makeInternalKey(Buffer.from(last.key), last.seq, last.type).equals(f.largest)) ok = false
    }
    t.ok(ok, 'sizes near the limit, key ranges sorted, disjoint and matching the contents')
    const got = fx.readAll(out)
    t.ok(got.every(e => e.type === ValueType.Value), 'no tombstones survive')
    t.same(got.map(e => [e.key, e.value]), [...expected].sort((a, b) => a[0] < b[0] ? -1 : 1), 'contents equal the model')
  })
  t.end()
})

test('outputs are cut where they would overlap too much of level + 2', (t) => {
  withFixture((fx) => {
    const keys = Array.from({ length: 40 }, (_, i) => `k${String(i).padStart(3, '0')}`)
    const input = fx.table(keys.map((k, i) => put(k, i + 1, 'v')))
    // Grandparents: one per 10 keys, each bigger than 10 x maxOutputFileSize on its own.
    const grandparents: FileMetaData[] = [0, 10, 20, 30].map((start, i) => ({
      number: 1000 + i,
      fileSize: 50000,
      smallest: makeInternalKey(Buffer.from(keys[start]), 100, ValueType.Value),
      largest: makeInternalKey(Buffer.from(keys[start + 9]), 0, ValueType.Value)
    }))
    const out = run(fx, compaction([[input], []], { grandparents, maxOutputFileSize: 1000 }), 100)
    t.same(out.map(f => [parseInternalKey(f.smallest).userKey.toString(), parseInternalKey(f.largest).userKey.toString()]),
      [['k000', 'k009'], ['k010', 'k019'], ['k020', 'k029'], ['k030', 'k039']],
      'a new output starts at each grandparent boundary')

    // The first key already lies in the first grandparent and the second lies beyond it: LevelDB
    // counts that overlap (seen_key_ is set by the first key) and starts a new output.
    const sparse = fx.table([put('k005', 1, 'v'), put('k025', 2, 'v')])
    const out2 = run(fx, compaction([[sparse], []], { grandparents, maxOutputFileSize: 1000 }), 100)
    t.equal(out2.length, 2, 'second key starts a new output after skipping past grandparents')
  })
  t.end()
})

test('a long compaction offers the caller regular chances to flush, without changing its output', (t) => {
  withFixture((fx) => {
    const entries = Array.from({ length: 3000 }, (_, i) => put(`k${String(i).padStart(5, '0')}`, i + 1, `v${i}`))
    const first = fx.table(entries.filter((_, i) => i % 2 === 0))
    const second = fx.table(entries.filter((_, i) => i % 2 === 1))
    const c = compaction([[first], [second]])
    const plain = fx.readAll(run(fx, c, 100000))
    let calls = 0
    const job = { dbname: fx.dir, compaction: c, smallestSnapshot: 100000, verifyChecksums: true, options: tableOptions }
    const polled = fx.readAll(runCompaction(defaultEnv, job, fx.allocate, fx.buffers, () => { calls++ }).outputs)
    t.ok(calls >= Math.floor(3000 / 256) - 1, `runWaitingFlushes was called ${calls} times over 3000 entries`)
    t.same(polled, plain, 'the output is the same with and without the calls')
    t.equal(polled.length, 3000, 'every entry survives')
  })
  t.end()
})

test('a corrupt input block fails the compaction with LEVEL_CORRUPTION and leaves no output', (t) => {
  withFixture((fx) => {
    const entries = Array.from({ length: 500 }, (_, i) => put(`k${String(i).padStart(4, '0')}`, i + 1, 'value'))
    const input = fx.table(entries)
    const file = tableFileName(fx.dir, input.number)
    const bytes = fs.readFileSync(file)
    bytes[100] ^= 0x40
    fs.writeFileSync(file, bytes)
    const before = fs.readdirSync(fx.dir).length
    try {
      run(fx, compaction([[input], []]), 1000)
      t.fail('compaction of a corrupt table succeeded')
    } catch (err) {
      t.equal((err as { code?: string }).code, 'LEVEL_CORRUPTION', 'LEVEL_CORRUPTION')
    }
    t.equal(fs.readdirSync(fx.dir).length, before, 'no partial output is left behind')
  })
  t.end()
})

test('compactions take their read buffers from the pools and hand each back once, failed or not', (t) => {
  withFixture((fx) => {
    const entries = Array.from({ length: 2000 }, (_, i) => put(`k${String(i).padStart(5, '0')}`, i + 1, `v${i}`))
    const runs = [0, 1, 2, 3].map(r => fx.table(entries.filter((_, i) => i % 4 === r)))
    const c = compaction([runs.slice(0, 3), [runs[3]]], { level: 0 })
    const first = fx.readAll(run(fx, c, 100000))
    t.equal(first.length, 2000, 'every entry of the four runs comes out')
    t.equal(fx.buffers.readahead.idleCount, 4, 'four readahead buffers are pooled after a merge of four runs')
    t.equal(fx.buffers.decoded.idleCount, 4, 'and four decode buffers')
    t.same(fx.readAll(run(fx, c, 100000)), first, 'a second compaction through the pooled buffers gives the same output')
    t.equal(fx.buffers.readahead.idleCount, 4, 'and takes no buffers beyond those')

    // Damage in the first block fails the compaction as it opens its inputs; damage further on,
    // in the middle of the merge.
    for (const where of ['first block', 'middle']) {
      const damaged = fx.table(entries.slice(0, 500))
      const file = tableFileName(fx.dir, damaged.number)
      const bytes = fs.readFileSync(file)
      bytes[where === 'first block' ? 100 : bytes.length >> 1] ^= 0x40
      fs.writeFileSync(file, bytes)
      t.throws(() => run(fx, compaction([[runs[0], damaged, runs[1]], [runs[3]]], { level: 0 }), 100000), /checksum/, `a compaction reading a table damaged in the ${where} fails`)
      t.equal(fx.buffers.readahead.idleCount, 4, 'having handed back each readahead buffer it took, once')
      t.equal(fx.buffers.decoded.idleCount, 4, 'and each decode buffer')
      t.same(fx.readAll(run(fx, c, 100000)), first, 'the next compaction still gives the same output')
    }
  })
  t.end()
})

test('a compaction writes the same table bytes as a table builder given its surviving entries, large values copied as stored blocks or not', (t) => {
  const seed = testSeed(4242)
  t.comment(`seed ${seed} (replay with AIDB_TEST_SEED)`)
  const random = createRandom(seed)
  for (const compression of [true, false]) {
    withFixture((fx) => {
      const options: TableOutputOptions = { blockSize: 1024, blockRestartInterval: 16, compression, bloomBitsPerKey: 10 }
      // Values below, around and above a block; half of them compressible, half random bytes
      // (which a compressing builder stores uncompressed).
      const value = (): Buffer => {
        const size = random.chance(0.3) ? random.between(1, 60) : random.between(900, 2600)
        if (random.chance(0.5)) return Buffer.alloc(size, String.fromCharCode(97 + random.int(26)))
        return Buffer.from(Array.from({ length: size }, () => random.int(256)))
      }
      const write = (entries: Array<{ ik: Buffer, value: Buffer }>): FileMetaData => {
        const sorted = entries.slice().sort((a, b) => compareInternalKeys(a.ik, b.ik))
        const output = new TableOutput(defaultEnv, fx.dir, fx.allocate(), options)
        for (const e of sorted) output.add(e.ik, e.value)
        return output.finish()
      }
      let seq = 1
      const runs = [0, 1, 2].map(() => Array.from({ length: 150 }, () => ({ ik: makeInternalKey(Buffer.from(`key${String(random.int(300)).padStart(4, '0')}`), seq++, ValueType.Value), value: value() })))
      // Within a run each user key once, its newest version.
      const unique = runs.map(entries => [...new Map(entries.map(e => [e.ik.subarray(0, e.ik.length - 8).toString(), e])).values()])
      const inputs = unique.map(write)
      const newest = new Map<string, { ik: Buffer, value: Buffer }>()
      for (const e of unique.flat()) newest.set(e.ik.subarray(0, e.ik.length - 8).toString(), e)
      const out = runCompaction(defaultEnv, { dbname: fx.dir, compaction: compaction([inputs, []], { level: 0 }), smallestSnapshot: seq, verifyChecksums: true, options }, fx.allocate, fx.buffers).outputs
      t.equal(out.length, 1, `compression ${String(compression)}: one output`)
      const expected = write([...newest.values()])
      t.ok(fs.readFileSync(tableFileName(fx.dir, out[0].number)).equals(fs.readFileSync(tableFileName(fx.dir, expected.number))), `compression ${String(compression)}: the output is byte for byte the table built from the newest versions`)
    })
  }
  t.end()
})

test('damage in a compressed block of one large value fails the compaction, which reads only that block\'s key', (t) => {
  withFixture((fx) => {
    const options: TableOutputOptions = { blockSize: 1024, blockRestartInterval: 16, compression: true, bloomBitsPerKey: 10 }
    const output = new TableOutput(defaultEnv, fx.dir, fx.allocate(), options)
    for (let i = 0; i < 20; i++) output.add(makeInternalKey(Buffer.from(`k${String(i).padStart(3, '0')}`), i + 1, ValueType.Value), Buffer.alloc(3000, 97 + i))
    const input = output.finish()
    const file = tableFileName(fx.dir, input.number)
    const bytes = fs.readFileSync(file)
    // Inside the second block's value, past its key.
    bytes[Math.floor(input.fileSize / 20) + 40] ^= 0x40
    fs.writeFileSync(file, bytes)
    const job = (verifyChecksums: boolean): Parameters<typeof runCompaction>[1] => ({ dbname: fx.dir, compaction: compaction([[input], []]), smallestSnapshot: 100, verifyChecksums, options })
    t.throws(() => runCompaction(defaultEnv, job(true), fx.allocate, fx.buffers), /checksum/, 'with checksums verified the compaction fails')
    // Unverified, the block is copied with its stored checksum, so readers still find the damage.
    const out = runCompaction(defaultEnv, job(false), fx.allocate, fx.buffers).outputs
    t.throws(() => fx.readAll(out), /checksum/, 'unverified, the damage is carried over where a verifying read finds it')
  })
  t.end()
})
