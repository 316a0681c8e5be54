import fs from 'node:fs'
import path from 'node:path'
import tape from 'tape'
import { BlockCache } from '../../lib/table/block-cache'
import { defaultEnv } from '../../lib/env/node-env'
import { compareInternalKeys, makeInternalKey, ValueType } from '../../lib/format/internal-key'
import { errorCode } from '../../lib/util/errors'
import { decodeFooter, FOOTER_LENGTH } from '../../lib/table/block-handle'
import { Table } from '../../lib/table/table'
import { TableBuilder, TableBuilderOptions } from '../../lib/table/table-builder'
import { TableScanner } from '../../lib/table/table-scanner'
import { ReadaheadFile } from '../../lib/env/readahead-file'
import { createRandom, testSeed } from '../util/random'
import { removeDir, tempDir } from '../util/temp-dir'
import { tableGet } from './table-get'

const SEED = testSeed(20240611)
let nextCacheId = 1

interface Entry { key: Buffer, value: Buffer }

function makeEntries (count: number, seed: number): Entry[] {
  const random = createRandom(seed).next
  const entries: Entry[] = []
  for (let i = 0; i < count; i++) {
    // Compressible values, some user keys repeated with different sequences.
    const user = Buffer.from(`user-${String(Math.floor(i / 3) * 7).padStart(8, '0')}`)
    const value = Buffer.from(`value-${i}-`.repeat(1 + Math.floor(random() * 8)))
    entries.push({ key: makeInternalKey(user, 100000 - i, i % 5 === 0 ? ValueType.Deletion : ValueType.Value), value })
  }
  return entries.sort((a, b) => compareInternalKeys(a.key, b.key))
}

function writeTable (file: string, entries: Entry[], options: TableBuilderOptions): number {
  const out = defaultEnv.newWritableFile(file)
  const builder = new TableBuilder(out, options)
  for (const e of entries) builder.add(e.key, e.value)
  assertWhileWriting(builder.numEntries() === entries.length)
  builder.finish()
  const size = builder.fileSize()
  out.sync()
  out.close()
  return size
}

function assertWhileWriting (cond: boolean): void {
  if (!cond) throw new Error('assertion failed while writing table')
}

function openTable (file: string, cache?: BlockCache, verifyChecksums = true): Table {
  return Table.open(defaultEnv.newRandomAccessFile(file), defaultEnv.getFileSize(file), { verifyChecksums, blockCache: cache, cacheId: nextCacheId++ })
}

function withDir (fn: (dir: string) => void): void {
  const dir = tempDir('table')
  try {
    fn(dir)
  } finally {
    removeDir(dir)
  }
}

function corruptionCode (fn: () => void): string | undefined {
  try {
    fn()
  } catch (err) {
    return errorCode(err)
  }
  return 'no error'
}

for (const compression of [false, true]) {
  tape(`table: round trip of thousands of entries (compression ${compression})`, (t) => {
    t.comment(`seed ${SEED}`)
    const entries = makeEntries(6000, SEED)
    withDir((dir) => {
      const file = path.join(dir, '000005.ldb')
      const size = writeTable(file, entries, { blockSize: 1024, compression })
      t.is(size, fs.statSync(file).size, 'fileSize() matches the file')
      const footer = decodeFooter(fs.readFileSync(file).subarray(size - FOOTER_LENGTH))
      t.ok(footer.indexHandle.offset > footer.metaindexHandle.offset, 'index follows metaindex')

      const cache = new BlockCache(1 << 20)
      const table = openTable(file, cache)
      const iter = table.newIterator()
      let i = 0
      let forwardOk = true
      for (iter.seekToFirst(); iter.valid(); iter.next(), i++) {
        if (!iter.key().equals(entries[i].key) || !iter.value().equals(entries[i].value)) forwardOk = false
      }
      t.ok(forwardOk && i === entries.length, 'forward iteration yields every entry in order')
      t.ok(cache.totalCharge > 0, 'blocks were cached')

      i = entries.length - 1
      let backwardOk = true
      for (iter.seekToLast(); iter.valid(); iter.prev(), i--) {
        if (!iter.key().equals(entries[i].key) || !iter.value().equals(entries[i].value)) backwardOk = false
      }
      t.ok(backwardOk && i === -1, 'backward iteration yields every entry in reverse')

      let seekOk = true
      let getOk = true
      const random = createRandom(SEED + 1).next
      for (let n = 0; n < 2000; n++) {
        const user = Buffer.from(`user-${String(Math.floor(random() * 14100)).padStart(8, '0')}`)
        const probe = makeInternalKey(user, Math.floor(random() * 110000), ValueType.Value)
        const expected = entries.find((e) => compareInternalKeys(e.key, probe) >= 0)
        iter.seek(probe)
        if (expected === undefined ? iter.valid() : !iter.valid() || !iter.key().equals(expected.key)) seekOk = false
        // get() may stop at the end of a block (or skip by the filter) when the user key is absent.
        const got = tableGet(table, probe)
        const sameUser = expected !== undefined && expected.key.subarray(0, -8).equals(user)
        if (sameUser) {
          if (got === undefined || !got.key.equals(expected.key) || !got.value.equals(expected.value)) getOk = false
        } else if (got !== undefined && got.key.subarray(0, -8).equals(user)) {
          getOk = false
        }
      }
      t.ok(seekOk, 'seeks agree with a linear search')
      t.ok(getOk, 'get finds the newest visible entry of present user keys and nothing for absent ones')

      // Mixed directions around a block boundary.
      iter.seek(entries[2000].key)
      iter.prev()
      t.ok(iter.key().equals(entries[1999].key))
      iter.next()
      iter.next()
      t.ok(iter.key().equals(entries[2001].key))
      iter.close()

      let last = -1
      let monotonic = true
      for (let n = 0; n < entries.length; n += 100) {
        const off = table.approximateOffsetOf(entries[n].key)
        if (off < last) monotonic = false
        last = off
      }
      t.ok(monotonic, 'approximateOffsetOf is monotonic')
      t.is(table.approximateOffsetOf(makeInternalKey(Buffer.from('zzz'), 1, ValueType.Value)), footer.metaindexHandle.offset)
      t.is(table.approximateOffsetOf(entries[0].key), 0)
      table.close()
    })
    t.end()
  })
}

tape('table: keys and values an iterator hands out stay intact, and blocks it caches own their bytes', (t) => {
  // Enough for the readahead to refill its window in place several times.
  const entries = makeEntries(40000, SEED)
  for (const compression of [true, false]) {
    withDir((dir) => {
      const file = path.join(dir, '000005.ldb')
      writeTable(file, entries, { blockSize: 1024, compression })
      const cache = new BlockCache(1 << 24)
      const table = openTable(file, cache)
      const scan = (fillCache: boolean, reverse: boolean): Entry[] => {
        const iter = table.newIterator({ fillCache })
        const seen: Entry[] = []
        if (reverse) {
          for (iter.seekToLast(); iter.valid(); iter.prev()) seen.unshift({ key: iter.key(), value: iter.value() })
        } else {
          for (iter.seekToFirst(); iter.valid(); iter.next()) seen.push({ key: iter.key(), value: iter.value() })
        }
        iter.close()
        return seen
      }
      const same = (seen: Entry[]): boolean => seen.length === entries.length && seen.every((e, i) => e.key.equals(entries[i].key) && e.value.equals(entries[i].value))
      t.ok(same(scan(false, false)), `compression ${compression}: a forward scan that does not fill the cache`)
      t.ok(same(scan(false, true)), `compression ${compression}: a reverse scan that does not fill the cache`)
      t.is(cache.totalCharge, 0, `compression ${compression}: nothing cached`)
      t.ok(same(scan(true, false)), `compression ${compression}: a scan that fills the cache`)
      t.ok(cache.totalCharge > 0, `compression ${compression}: blocks cached`)
      t.ok(same(scan(false, true)), `compression ${compression}: a scan of the cached blocks, read while later blocks went through the readahead`)
      table.close()
    })
  }
  t.end()
})

for (const compression of [false, true]) {
  tape(`table: get of keys beside those of one-entry blocks, through a small cache and again (compression ${compression})`, (t) => {
    // 4 KiB values: a block per entry and a 64-bit filter per block, which passes a key differing
    // from the block's only in its last byte, so get() reads the neighbour's block (or, the second
    // time, remembers that block's first key). Every present key is found, with its newest
    // visible version, and no absent one.
    withDir((dir) => {
      const file = path.join(dir, '000007.ldb')
      const entries: Entry[] = []
      const present = new Set<number>()
      for (let i = 0; i < 400; i += 3) {
        present.add(i)
        const user = Buffer.from(String(i).padStart(16, '0'))
        entries.push({ key: makeInternalKey(user, 500 + i, ValueType.Value), value: Buffer.from(`${i} `.repeat(2048).slice(0, 4096)) })
        if (i % 9 === 0) entries.push({ key: makeInternalKey(user, 100 + i, ValueType.Value), value: Buffer.from('older') })
      }
      entries.sort((a, b) => compareInternalKeys(a.key, b.key))
      writeTable(file, entries, { compression })
      const table = openTable(file, new BlockCache(16 * 1024))
      const uncached = openTable(file)
      let right = 0
      let agree = 0
      const rounds = 2
      for (let round = 0; round < rounds; round++) {
        for (let i = 0; i < 402; i++) {
          const user = Buffer.from(String(i).padStart(16, '0'))
          const probe = makeInternalKey(user, 10000, ValueType.Value)
          const got = tableGet(table, probe)
          const found = got !== undefined && got.key.subarray(0, -8).equals(user)
          if (found === present.has(i) && (!found || (got.value.length === 4096 && got.value.toString('latin1', 0, String(i).length) === String(i)))) right++
          const plain = tableGet(uncached, probe)
          if (found === (plain !== undefined && plain.key.subarray(0, -8).equals(user))) agree++
        }
      }
      t.equal(right, 402 * rounds, 'present keys found with their newest value, absent ones not')
      t.equal(agree, 402 * rounds, 'as a table without a block cache finds them')
      table.close()
      uncached.close()
    })
    t.end()
  })
}

tape('table: compression shrinks compressible data, and incompressible data is stored raw', (t) => {
  const entries = makeEntries(3000, SEED)
  withDir((dir) => {
    const raw = writeTable(path.join(dir, 'raw.ldb'), entries, { compression: false })
    const compressed = writeTable(path.join(dir, 'snappy.ldb'), entries, { compression: true })
    t.ok(compressed < raw * 0.8, `compressed ${compressed} < raw ${raw}`)

    const random = createRandom(SEED).next
    const noisy = entries.map((e) => ({ key: e.key, value: Buffer.from(Array.from({ length: 50 }, () => Math.floor(random() * 256))) }))
    const noisyRaw = writeTable(path.join(dir, 'noisy-raw.ldb'), noisy, { compression: false })
    const noisyCompressed = writeTable(path.join(dir, 'noisy-snappy.ldb'), noisy, { compression: true })
    t.ok(noisyCompressed <= noisyRaw, 'never larger than raw')
  })
  t.end()
})

tape('table: empty table and table without filter', (t) => {
  withDir((dir) => {
    const emptyFile = path.join(dir, 'empty.ldb')
    writeTable(emptyFile, [], {})
    const empty = openTable(emptyFile)
    const iter = empty.newIterator()
    iter.seekToFirst()
    t.notOk(iter.valid())
    iter.seekToLast()
    t.notOk(iter.valid())
    t.is(tableGet(empty, makeInternalKey(Buffer.from('a'), 1, ValueType.Value)), undefined)
    empty.close()

    const entries = makeEntries(500, SEED)
    const file = path.join(dir, 'nofilter.ldb')
    writeTable(file, entries, { bloomBitsPerKey: 0 })
    const table = openTable(file)
    t.ok(tableGet(table, entries[250].key)?.value.equals(entries[250].value))
    table.close()
  })
  t.end()
})

tape('table: checksum corruption is detected', (t) => {
  const entries = makeEntries(2000, SEED)
  withDir((dir) => {
    for (const compression of [false, true]) {
      const file = path.join(dir, `corrupt-${compression}.ldb`)
      writeTable(file, entries, { compression, bloomBitsPerKey: 0 })
      const bytes = fs.readFileSync(file)
      bytes[10] ^= 0x40 // inside the first data block
      fs.writeFileSync(file, bytes)

      const table = openTable(file)
      t.is(corruptionCode(() => tableGet(table, entries[0].key)), 'LEVEL_CORRUPTION', `get throws (compression ${compression})`)
      t.is(corruptionCode(() => {
        const iter = table.newIterator()
        for (iter.seekToFirst(); iter.valid(); iter.next()) iter.key()
      }), 'LEVEL_CORRUPTION', `iteration throws (compression ${compression})`)
      t.ok(tableGet(table, entries[1999].key)?.value.equals(entries[1999].value), 'other blocks remain readable')
      table.close()
    }

    const good = path.join(dir, 'good.ldb')
    writeTable(good, entries, {})
    const bytes = fs.readFileSync(good)
    const badMagic = path.join(dir, 'badmagic.ldb')
    const flipped = Buffer.from(bytes)
    flipped[flipped.length - 1] ^= 1
    fs.writeFileSync(badMagic, flipped)
    t.is(corruptionCode(() => openTable(badMagic)), 'LEVEL_CORRUPTION', 'bad magic')

    const short = path.join(dir, 'short.ldb')
    fs.writeFileSync(short, bytes.subarray(0, 20))
    t.is(corruptionCode(() => openTable(short)), 'LEVEL_CORRUPTION', 'too short')

    const badIndex = path.join(dir, 'badindex.ldb')
    const indexHandle = decodeFooter(bytes.subarray(bytes.length - FOOTER_LENGTH)).indexHandle
    const damaged = Buffer.from(bytes)
    damaged[indexHandle.offset + 1] ^= 0xff
    fs.writeFileSync(badIndex, damaged)
    t.is(corruptionCode(() => openTable(badIndex)), 'LEVEL_CORRUPTION', 'index block checksum')
  })
  t.end()
})

tape('table: keys must be strictly increasing', (t) => {
  withDir((dir) => {
    const out = defaultEnv.newWritableFile(path.join(dir, 'x.ldb'))
    const builder = new TableBuilder(out)
    builder.add(makeInternalKey(Buffer.from('b'), 1, ValueType.Value), Buffer.from('1'))
    t.throws(() => builder.add(makeInternalKey(Buffer.from('a'), 1, ValueType.Value), Buffer.from('1')), RangeError)
    builder.abandon()
    out.close()
  })
  t.end()
})

// The order check decides within the user keys by the first differing byte and otherwise (one
// user key a prefix of the other, or the same user key) by the full internal-key comparison.
tape('table: the order check, for keys that share a prefix, with a block boundary between them', (t) => {
  withDir((dir) => {
    const key = (user: string, sequence: number): Buffer => makeInternalKey(Buffer.from(user), sequence, ValueType.Value)
    const cases: Array<{ first: Buffer, second: Buffer, ok: boolean, name: string }> = [
      { first: key('ab', 1), second: key('ac', 1), ok: true, name: 'larger byte after the shared prefix' },
      { first: key('ac', 1), second: key('ab', 1), ok: false, name: 'smaller byte after the shared prefix' },
      { first: key('a', 1), second: key('ab', 1), ok: true, name: 'a user key after its prefix' },
      { first: key('ab', 1), second: key('a', 1), ok: false, name: 'a user key before its prefix' },
      { first: key('a', 5), second: key('a', 4), ok: true, name: 'same user key, older sequence' },
      { first: key('a', 4), second: key('a', 5), ok: false, name: 'same user key, newer sequence' },
      { first: key('a', 4), second: key('a', 4), ok: false, name: 'the same key twice' }
    ]
    for (const blockSize of [4096, 1]) {
      for (const { first, second, ok, name } of cases) {
        const out = defaultEnv.newWritableFile(path.join(dir, 'x.ldb'))
        const builder = new TableBuilder(out, { blockSize })
        builder.add(first, Buffer.from('1'))
        const add = (): void => builder.add(second, Buffer.from('2'))
        if (ok) t.doesNotThrow(add, `${name} (block size ${blockSize})`)
        else t.throws(add, RangeError, `${name} (block size ${blockSize})`)
        builder.abandon()
        out.close()
      }
    }
  })
  t.end()
})

function scanAll (file: string, verifyChecksums = true, readaheadBytes = 8192): Entry[] {
  const scanner = new TableScanner(new ReadaheadFile(defaultEnv.newRandomAccessFile(file), Buffer.alloc(readaheadBytes)), defaultEnv.getFileSize(file), verifyChecksums)
  const out: Entry[] = []
  try {
    for (; scanner.valid(); scanner.next()) {
      out.push({
        key: Buffer.from(scanner.keyBytes.subarray(scanner.keyStart, scanner.keyEnd)),
        value: Buffer.from(scanner.valueBytes.subarray(scanner.valueStart, scanner.valueEnd))
      })
    }
  } finally {
    scanner.close()
  }
  return out
}

// Readahead reads go over the same buffer again, so the scanner must not keep views of it: with
// 64 KiB of readahead, the index block and the first data blocks come through the same window.
tape('TableScanner yields every entry in order, compressed or not, through a readahead file', (t) => {
  withDir((dir) => {
    const entries = makeEntries(3000, SEED + 7)
    for (const compression of [false, true]) {
      const file = path.join(dir, `scan-${String(compression)}.ldb`)
      writeTable(file, entries, { blockSize: 512, compression })
      for (const readahead of [8192, 65536]) {
        const scanned = scanAll(file, true, readahead)
        const what = `compression ${String(compression)}, readahead ${readahead}`
        t.equal(scanned.length, entries.length, `${what}: entry count`)
        t.ok(scanned.every((e, i) => e.key.equals(entries[i].key) && e.value.equals(entries[i].value)), `${what}: keys and values match what was written`)
      }
    }
    const empty = path.join(dir, 'empty.ldb')
    writeTable(empty, [], {})
    t.equal(scanAll(empty).length, 0, 'an empty table scans as no entries')
  })
  t.end()
})

tape('TableScanner reads compressed blocks larger than its decode buffer between ones that fit', (t) => {
  withDir((dir) => {
    // Values of 100 KiB make blocks of their own, decoded into buffers of their own; the small
    // entries around them share the scanner's reusable buffer before and after.
    const entries: Entry[] = []
    for (let i = 0; i < 60; i++) {
      const big = i % 20 === 10
      const value = Buffer.from(`${big ? 'large' : 'small'}-${i}-`.repeat(big ? 10000 : 20))
      entries.push({ key: makeInternalKey(Buffer.from(`key-${String(i).padStart(4, '0')}`), 1000 - i, ValueType.Value), value })
    }
    const file = path.join(dir, 'large-blocks.ldb')
    writeTable(file, entries, { blockSize: 4096, compression: true })
    const scanned = scanAll(file)
    t.equal(scanned.length, entries.length, 'entry count')
    t.ok(scanned.every((e, i) => e.key.equals(entries[i].key) && e.value.equals(entries[i].value)), 'keys and values match what was written')
  })
  t.end()
})

tape('TableScanner reports a damaged data block as LEVEL_CORRUPTION', (t) => {
  withDir((dir) => {
    const file = path.join(dir, 'damaged.ldb')
    writeTable(file, makeEntries(2000, SEED + 8), { blockSize: 512, compression: false })
    const bytes = fs.readFileSync(file)
    bytes[3000] ^= 0x10
    fs.writeFileSync(file, bytes)
    try {
      scanAll(file)
      t.fail('the scan succeeded')
    } catch (err) {
      t.equal(errorCode(err), 'LEVEL_CORRUPTION', 'checksum mismatch is LEVEL_CORRUPTION')
    }
  })
  t.end()
})
