// Tables written by native LevelDB (through classic-level) are read by Table, and a table
// rebuilt from their entries by TableBuilder matches LevelDB's byte for byte, compressed or not.
import fs from 'node:fs'
import path from 'node:path'
import tape from 'tape'
import { ClassicLevel } from 'classic-level'
import { defaultEnv } from '../../lib/env/node-env'
import { ValueType, makeInternalKey } from '../../lib/format/internal-key'
import { Table } from '../../lib/table/table'
import { TableBuilder } from '../../lib/table/table-builder'
import { createRandom, testSeed } from '../util/random'
import { removeDir, tempDir } from '../util/temp-dir'
import { tableGet } from '../table/table-get'

const KEY_COUNT = 20000
const SEED = testSeed(7)

function dataset (): Map<string, string> {
  const random = createRandom(SEED).next
  const data = new Map<string, string>()
  for (let i = 0; i < KEY_COUNT; i++) {
    const key = `key-${Math.floor(random() * 1e9).toString(36)}-${i}`
    data.set(key, `value-${i}-`.repeat(1 + Math.floor(random() * 10)))
  }
  return data
}

async function writeWithLevelDB (dir: string, data: Map<string, string>, compression: boolean): Promise<void> {
  const db = new ClassicLevel<string, string>(dir, { compression, writeBufferSize: 256 * 1024, maxFileSize: 128 * 1024 })
  await db.open()
  let batch = db.batch()
  for (const [key, value] of data) {
    batch.put(key, value)
    if (batch.length >= 500) {
      await batch.write()
      batch = db.batch()
    }
  }
  await batch.write()
  await db.compactRange('\x00', '\xff')
  await db.close()
}

interface Entry { key: Buffer, value: Buffer }

for (const compression of [false, true]) {
  tape(`interop: tables written by LevelDB (compression ${compression})`, async (t) => {
    t.comment(`seed ${SEED}`)
    const dir = tempDir('interop-table')
    try {
      const data = dataset()
      await writeWithLevelDB(dir, data, compression)
      const tableFiles = fs.readdirSync(dir).filter((f) => f.endsWith('.ldb') || f.endsWith('.sst'))
      t.ok(tableFiles.length > 0, `${tableFiles.length} table files`)

      const found = new Map<string, string>()
      let identical = 0
      let cacheId = 1
      let getOk = true
      for (const name of tableFiles) {
        const file = path.join(dir, name)
        const original = fs.readFileSync(file)
        const table = Table.open(defaultEnv.newRandomAccessFile(file), original.length, { verifyChecksums: true, cacheId: cacheId++ })
        const entries: Entry[] = []
        const iter = table.newIterator()
        for (iter.seekToFirst(); iter.valid(); iter.next()) entries.push({ key: iter.key(), value: iter.value() })
        iter.close()

        for (const e of entries) {
          const userKey = e.key.subarray(0, e.key.length - 8).toString()
          assertValueType(e.key[e.key.length - 8] === ValueType.Value)
          found.set(userKey, e.value.toString())
          const got = tableGet(table, makeInternalKey(e.key.subarray(0, e.key.length - 8), 2 ** 48, ValueType.Value))
          if (got === undefined || !got.key.equals(e.key) || !got.value.equals(e.value)) getOk = false
        }
        const absent = tableGet(table, makeInternalKey(Buffer.from('key-absent'), 2 ** 48, ValueType.Value))
        if (absent !== undefined && absent.key.subarray(0, absent.key.length - 8).toString() === 'key-absent') getOk = false
        table.close()

        // Rebuild with LevelDB's options: the bytes must match exactly.
        const rebuiltPath = path.join(dir, name + '.rebuilt')
        const out = defaultEnv.newWritableFile(rebuiltPath)
        const builder = new TableBuilder(out, { blockSize: 4096, blockRestartInterval: 16, compression, bloomBitsPerKey: 10 })
        for (const e of entries) builder.add(e.key, e.value)
        builder.finish()
        out.close()
        const rebuilt = fs.readFileSync(rebuiltPath)
        // Our Snappy encoder chooses the same matches as Google's, so compressed tables match too.
        const same = rebuilt.equals(original)
        fs.rmSync(rebuiltPath)
        if (same) identical++
        else t.comment(`${name}: rebuilt ${rebuilt.length} bytes vs LevelDB ${original.length}`)
      }
      t.ok(getOk, 'get() finds every entry of every table')
      t.is(found.size, data.size, 'every key written is in the tables')
      let valuesOk = true
      for (const [key, value] of data) if (found.get(key) !== value) valuesOk = false
      t.ok(valuesOk, 'with the right values')
      t.is(identical, tableFiles.length, 'tables rebuilt by TableBuilder are byte-identical to LevelDB\'s')
    } finally {
      removeDir(dir)
    }
  })
}

function assertValueType (cond: boolean): void {
  if (!cond) throw new Error('unexpected entry type in a freshly written database')
}
