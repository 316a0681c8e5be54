// Corruption: bytes flipped in, or files truncated, for every kind of file (table, log, MANIFEST,
// CURRENT). Every case must end in correct data or a coded error: never a wrong value, a partial
// batch, a crash or a hang. Lost data is allowed only where LevelDB drops it too (damaged log
// records are skipped; a MANIFEST cut at a record boundary reads as an older state); with
// paranoidChecks, damaged logs refuse to open. Then repair() salvages what is readable.
import fs from 'node:fs'
import path from 'node:path'
import tape from 'tape'
import { AiLevel } from '../../index'
import { DB } from '../../lib/db/db'
import type { DBOptions } from '../../lib/db/options'
import { createRandom, integerFromEnv, testSeed, type Random } from '../util/random'
import * as presets from '../util/options'
import { batchEntries, codeOf, engineBatch, verifyContents } from './workload'
import { scan } from '../util/db'
import { removeDir, tempDir } from '../util/temp-dir'

// Block CRCs are checked on every read here (not the default), so that damage is always caught.
const SMALL: Partial<DBOptions> = { ...presets.SMALL, maxFileSize: 8192, levelSizeBase: 16 * 1024, backgroundWorker: false, verifyChecksums: true }
const TABLE_BATCHES = 400
const LOG_BATCHES = 60
const ALL_IDS = Array.from({ length: TABLE_BATCHES + LOG_BATCHES }, (_, i) => i)
// Written in the first session on top of the compacted tables.
const EXTRA_IDS = Array.from({ length: 40 }, (_, i) => i + 10_000)
const CODED = new Set(['LEVEL_CORRUPTION', 'LEVEL_IO_ERROR'])

type Kind = 'table' | 'log' | 'manifest' | 'current'

// Tables on several levels from a first session, then a log full of writes from a second one.
async function buildDatabase (dir: string): Promise<void> {
  const db = await DB.open(dir, SMALL)
  for (let id = 0; id < TABLE_BATCHES; id++) await db.write(engineBatch(id), {})
  await db.compactRange(null, null)
  for (const id of EXTRA_IDS) await db.write(engineBatch(id), {})
  await db.close()
  const db2 = await DB.open(dir, { ...SMALL, writeBufferSize: 1 << 20 })
  for (let id = TABLE_BATCHES; id < TABLE_BATCHES + LOG_BATCHES; id++) await db2.write(engineBatch(id), {})
  await db2.close()
}

/** Builds the standard database (buildDatabase) in a fresh temporary directory, runs body on it, and removes the directory, pass or fail. */
async function withBuiltDatabase (name: string, body: (dir: string) => Promise<void>): Promise<void> {
  const dir = tempDir(name)
  try {
    await buildDatabase(dir)
    await body(dir)
  } finally {
    removeDir(dir)
  }
}

function filesOf (dir: string, kind: Kind): string[] {
  return fs.readdirSync(dir).filter(name => {
    switch (kind) {
      case 'table': return name.endsWith('.ldb')
      case 'log': return name.endsWith('.log') && fs.statSync(path.join(dir, name)).size > 0
      case 'manifest': return name.startsWith('MANIFEST-')
      case 'current': return name === 'CURRENT'
    }
    return false
  }).sort()
}

function mutate (file: string, random: Random, how: 'flip' | 'truncate'): string {
  const data = fs.readFileSync(file)
  if (how === 'truncate') {
    const size = random.int(data.length)
    fs.truncateSync(file, size)
    return `truncated ${path.basename(file)} from ${data.length} to ${size}`
  }
  const offset = random.int(data.length)
  const bit = 1 << random.int(8)
  data[offset] ^= bit
  fs.writeFileSync(file, data)
  return `flipped bit ${bit} at ${offset} of ${data.length} in ${path.basename(file)}`
}

// Runs every read; returns what it saw. Errors must carry a code.
function readEverything (t: tape.Test, db: DB, label: string): { entries: Array<[string, string]>, wrong: string[], missing: number, errors: number } {
  const wrong: string[] = []
  let missing = 0
  let errors = 0
  const uncoded = (err: unknown): void => {
    errors++
    if (!CODED.has(codeOf(err) ?? '')) wrong.push(`uncoded error ${(err as Error).message}`)
  }
  for (const id of [...ALL_IDS, ...EXTRA_IDS]) {
    for (const [key, value] of batchEntries(id)) {
      try {
        const got = db.get(Buffer.from(key))?.toString()
        if (got === undefined) missing++
        else if (got !== value) wrong.push(`get ${key} returned a wrong value`)
      } catch (err) {
        uncoded(err)
      }
    }
  }
  let entries: Array<[string, string]> = []
  try {
    entries = scan(db)
  } catch (err) {
    uncoded(err)
  }
  const verdict = verifyContents(entries, [])
  wrong.push(...verdict.problems)
  if (wrong.length > 0) t.comment(`${label}: ${wrong.slice(0, 3).join('; ')}`)
  return { entries, wrong, missing, errors }
}

const CASES_PER_KIND = integerFromEnv('AIDB_CORRUPTION_CASES', 12)

tape('random bit flips and truncations end in correct data or a coded error', async (t) => {
  const seed = testSeed(161803)
  t.comment(`seed ${seed} (replay with AIDB_TEST_SEED)`)
  const random = createRandom(seed)
  const base = tempDir('corrupt-base')
  await buildDatabase(base)
  const tally: Record<string, number> = {}
  try {
    for (const kind of ['table', 'log', 'manifest', 'current'] as Kind[]) {
      for (let i = 0; i < CASES_PER_KIND; i++) {
        const how = random.chance(0.6) ? 'flip' : 'truncate'
        for (const paranoidChecks of [false, true]) {
          const dir = tempDir('corrupt')
          fs.cpSync(base, dir, { recursive: true })
          // The same mutation for both settings.
          const local = createRandom(seed + i * 7919 + kind.length)
          const files = filesOf(dir, kind)
          const what = mutate(path.join(dir, local.pick(files)), local, how)
          const label = `${kind} ${what}${paranoidChecks ? ' (paranoid)' : ''}`
          let outcome: string
          let db: DB | null = null
          try {
            db = await DB.open(dir, { ...SMALL, paranoidChecks })
          } catch (err) {
            t.ok(CODED.has(codeOf(err) ?? ''), `${label}: open refused with ${codeOf(err)} (${(err as Error).message.slice(0, 80)})`)
            outcome = `open:${codeOf(err)}`
          }
          if (db !== null) {
            try {
              const seen = readEverything(t, db, label)
              t.same(seen.wrong.slice(0, 3), [], `${label}: no wrong data (${seen.errors} coded errors, ${seen.missing} keys missing)`)
              // Only damaged log records (or a MANIFEST cut back to an older state) may lose data silently.
              const lossAllowed = kind === 'log' || kind === 'manifest'
              if (!lossAllowed) t.is(seen.missing, 0, `${label}: nothing silently missing`)
              // Even with paranoidChecks a record whose length runs past the end of the file reads as
              // a torn tail (LevelDB 1.20's rule; a small log is one 32 KiB block), so loss is possible there too.
              outcome = seen.errors > 0 ? 'read errors' : seen.missing > 0 ? 'records dropped' : 'intact'
            } finally {
              await db.close()
            }
          }
          tally[`${kind} ${outcome!}`] = (tally[`${kind} ${outcome!}`] ?? 0) + 1
          removeDir(dir)
        }
      }
    }
    t.comment(`outcomes: ${JSON.stringify(tally)}`)
  } finally {
    removeDir(base)
  }
})

// Deterministic cases for each guarantee.
tape('a damaged record in the middle of a log: skipped by default, refused with paranoidChecks', async (t) => {
  const base = tempDir('corrupt-log')
  await buildDatabase(base)
  try {
    const log = filesOf(base, 'log')[0]
    const file = path.join(base, log)
    const data = fs.readFileSync(file)
    data[Math.floor(data.length / 2)] ^= 0x40
    fs.writeFileSync(file, data)
    const copy = tempDir('corrupt-log-copy')
    fs.cpSync(base, copy, { recursive: true })
    try {
      await DB.open(base, { ...SMALL, paranoidChecks: true })
      t.fail('paranoid open succeeded')
    } catch (err) {
      t.is(codeOf(err), 'LEVEL_CORRUPTION', `paranoidChecks: open fails with LEVEL_CORRUPTION (${(err as Error).message})`)
    }
    const db = await DB.open(copy, SMALL)
    const verdict = verifyContents(scan(db), ALL_IDS.slice(0, TABLE_BATCHES))
    t.same(verdict.problems, [], 'default: opens, all table data intact, no partial batch')
    t.ok(verdict.present.size < ALL_IDS.length + 40 && verdict.present.size >= TABLE_BATCHES, `some log records dropped (${verdict.present.size} batches present)`)
    await db.close()
    t.ok(fs.readFileSync(path.join(copy, 'LOG'), 'utf8').includes('dropped'), 'the LOG says what was dropped')
    removeDir(copy)

    // Through AiLevel too: the option reaches the engine.
    const ai = new AiLevel(base, { paranoidChecks: true })
    try {
      await ai.open()
      t.fail('AiLevel paranoid open succeeded')
    } catch (err) {
      t.is(codeOf((err as { cause?: unknown }).cause), 'LEVEL_CORRUPTION', 'AiLevel({ paranoidChecks: true }): open fails, caused by LEVEL_CORRUPTION')
    }
  } finally {
    removeDir(base)
  }
})

tape('a torn tail of the last log is skipped, even with paranoidChecks', async (t) => {
  await withBuiltDatabase('corrupt-tail', async (dir) => {
    const file = path.join(dir, filesOf(dir, 'log')[0])
    fs.truncateSync(file, fs.statSync(file).size - 5)
    const db = await DB.open(dir, { ...SMALL, paranoidChecks: true })
    const verdict = verifyContents(scan(db), ALL_IDS.slice(0, -1))
    t.same(verdict.problems, [], 'everything but the torn final batch')
    t.notOk(verdict.present.has(ALL_IDS.length - 1), 'the torn batch is gone entirely')
    await db.close()
  })
})

tape('with verifyChecksums, a damaged table block gives LEVEL_CORRUPTION on the reads that touch it', async (t) => {
  await withBuiltDatabase('corrupt-table', async (dir) => {
    const table = filesOf(dir, 'table')[0]
    const file = path.join(dir, table)
    const data = fs.readFileSync(file)
    data[10] ^= 0x01
    fs.writeFileSync(file, data)
    const db = new AiLevel(dir, { verifyChecksums: true })
    await db.open()
    let corruptions = 0
    let good = 0
    for (const id of ALL_IDS) {
      for (const [key, value] of batchEntries(id)) {
        try {
          const got = await db.get(key)
          if (got === value) good++
          else t.fail(`get ${key}: wrong value ${got}`)
        } catch (err) {
          if (codeOf(err) === 'LEVEL_CORRUPTION') corruptions++
          else t.fail(`get ${key}: ${codeOf(err)} ${(err as Error).message}`)
        }
      }
    }
    t.ok(corruptions > 0 && good > 0, `${corruptions} gets gave LEVEL_CORRUPTION, ${good} correct values`)
    try {
      await db.iterator().all()
      t.fail('iteration over the damaged block succeeded')
    } catch (err) {
      t.is(codeOf(err), 'LEVEL_CORRUPTION', 'iteration: LEVEL_CORRUPTION')
    }
    await db.close()

    // With verifyChecksums off the damage may go unnoticed by the block CRC, but never crashes.
    const lax = new AiLevel(dir, { verifyChecksums: false })
    await lax.open()
    try {
      await lax.iterator().all()
    } catch (err) {
      t.ok(CODED.has(codeOf(err) ?? ''), 'verifyChecksums: false, coded error if any')
    }
    await lax.close()
    t.pass('verifyChecksums: false reaches the engine without crashing')

    const result = await AiLevel.repair(dir)
    t.ok(result.droppedRecords > 0 || result.droppedFiles > 0, `repair reports the loss: ${JSON.stringify(result)}`)
    t.ok(/repair: .*dropped/.test(fs.readFileSync(path.join(dir, 'LOG'), 'utf8')), 'and writes it to the LOG')
    const repaired = new AiLevel(dir)
    await repaired.open()
    const entries = await repaired.iterator().all()
    const verdict = verifyContents(entries, [], undefined, true)
    t.same(verdict.problems, [], `repaired database reads cleanly, every value right (${entries.length} keys)`)
    const total = [...ALL_IDS, ...EXTRA_IDS].reduce((n, id) => n + batchEntries(id).length, 0)
    t.ok(entries.length < total && entries.length >= total - 200, `only the damaged block's keys are lost (${total - entries.length} of ${total})`)
    await repaired.close()
  })
})

tape('repair salvages a database whose MANIFEST and CURRENT are gone, and a damaged log', async (t) => {
  await withBuiltDatabase('repair', async (dir) => {
    for (const name of fs.readdirSync(dir)) {
      if (name.startsWith('MANIFEST-') || name === 'CURRENT') fs.rmSync(path.join(dir, name))
    }
    try {
      await DB.open(dir, SMALL)
      t.fail('opened without CURRENT')
    } catch (err) {
      t.is(codeOf(err), 'LEVEL_CORRUPTION', 'open without CURRENT but with tables: LEVEL_CORRUPTION')
    }
    const log = path.join(dir, filesOf(dir, 'log')[0])
    const data = fs.readFileSync(log)
    data[100] ^= 0x10
    fs.writeFileSync(log, data)
    const result = await AiLevel.repair(dir)
    t.ok(result.droppedRecords > 0, `repair counts the dropped log records: ${JSON.stringify(result)}`)
    const db = new AiLevel(dir)
    await db.open()
    const verdict = verifyContents(await db.iterator().all(), ALL_IDS.slice(0, TABLE_BATCHES))
    t.same(verdict.problems, [], `all table data back, no partial batch (${verdict.present.size} batches)`)
    await db.put('after', 'repair')
    await db.close()
  })
})
