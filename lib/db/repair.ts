// Salvages whatever is readable into a fresh MANIFEST, as LevelDB's RepairDB does: logs become
// tables, every table is scanned for its key range, and all tables are placed at level 0.
import { notOpenable } from '../util/errors'
import { path } from '../platform/node'
import type { Env } from '../env/env'
import type { DBOptions } from './options'
import { tableOptionsOf, withDefaults } from './options'
import { InfoLog } from './info-log'
import { FileType, lockFileName, logFileName, parseFileName } from '../format/filenames'
import { compareInternalKeys, compareInternalKeySlices, INTERNAL_KEY_COMPARATOR_NAME, sequenceOf } from '../format/internal-key'
import { Block } from '../table/block'
import { decodeBlockHandle } from '../table/block-handle'
import { readTableIndex } from '../table/table'
import { findTableFile } from '../table/table-file'
import { readBlockContents } from '../table/block-reader'
import { VersionEdit } from '../version/version-edit'
import type { FileMetaData } from '../version/file-metadata'
import { runLogFlush } from '../compaction/flush-job'
import { TableOutput, type TableOutputOptions } from '../compaction/table-output'
import { writeManifest } from '../version/manifest'

export interface RepairResult {
  tables: number
  // Log records and table blocks that could not be read.
  droppedRecords: number
  // Files that held nothing readable and were moved to lost/.
  droppedFiles: number
}

interface Salvaged {
  meta: FileMetaData
  maxSequence: number
}

// Rebuilds the MANIFEST from whatever logs and tables are readable. The database must be closed.
export async function repairDatabase (location: string, userOptions: Partial<DBOptions> = {}): Promise<RepairResult> {
  const options = withDefaults(userOptions)
  const env = options.env
  const dbname = path.resolve(location)
  await env.loadDirectory?.(dbname, false)
  if (!env.fileExists(dbname)) throw notOpenable(`${location} does not exist`)
  const lock = await env.lockFile(lockFileName(dbname))
  const infoLog = new InfoLog(env, dbname)
  try {
    return salvage(env, dbname, tableOptionsOf(options), message => infoLog.log(message))
  } finally {
    infoLog.close()
    await env.unlockFile(lock)
  }
}

function salvage (env: Env, dbname: string, tableOptions: TableOutputOptions, log: (message: string) => void): RepairResult {
  const result: RepairResult = { tables: 0, droppedRecords: 0, droppedFiles: 0 }
  const logs: number[] = []
  const tables: number[] = []
  const manifests: string[] = []
  let nextFileNumber = 1
  for (const name of env.getChildren(dbname)) {
    const parsed = parseFileName(name)
    if (parsed === undefined) continue
    nextFileNumber = Math.max(nextFileNumber, parsed.number + 1)
    if (parsed.type === FileType.Log) logs.push(parsed.number)
    else if (parsed.type === FileType.Table) tables.push(parsed.number)
    else if (parsed.type === FileType.Descriptor) manifests.push(name)
  }
  const newFileNumber = (): number => nextFileNumber++
  const archive = (name: string): void => {
    const lost = path.join(dbname, 'lost')
    env.createDir(lost)
    env.renameFile(path.join(dbname, name), path.join(lost, name))
  }

  for (const number of logs.sort((a, b) => a - b)) {
    const converted = convertLogToTable(env, dbname, number, newFileNumber(), tableOptions, log)
    result.droppedRecords += converted.dropped
    if (converted.table !== undefined) tables.push(converted.table)
    archive(path.basename(logFileName(dbname, number)))
  }

  const salvaged: Salvaged[] = []
  for (const number of tables) {
    const scanned = scanTable(env, dbname, number, newFileNumber, tableOptions)
    result.droppedRecords += scanned.dropped
    if (scanned.table === undefined) {
      result.droppedFiles++
      log(`repair: table #${number} holds nothing readable`)
    } else {
      salvaged.push(scanned.table)
      if (scanned.dropped > 0) log(`repair: table #${number}: ${scanned.dropped} unreadable blocks dropped, the rest copied to #${scanned.table.meta.number}`)
    }
    if (scanned.replacedFile !== undefined) archive(scanned.replacedFile)
  }

  const edit = new VersionEdit()
  edit.comparator = INTERNAL_KEY_COMPARATOR_NAME
  edit.logNumber = 0
  edit.lastSequence = salvaged.reduce((max, s) => Math.max(max, s.maxSequence), 0)
  for (const s of salvaged) edit.addFile(0, s.meta)
  const manifestNumber = newFileNumber()
  edit.nextFileNumber = nextFileNumber
  writeManifest(env, dbname, manifestNumber, edit)
  for (const name of manifests) archive(name)
  result.tables = salvaged.length
  log(`repair: ${result.tables} tables kept, ${result.droppedRecords} records and ${result.droppedFiles} files dropped`)
  return result
}

function convertLogToTable (env: Env, dbname: string, logNumber: number, fileNumber: number, options: TableOutputOptions, log: (message: string) => void): { table?: number, dropped: number } {
  const result = runLogFlush(env, { dbname, fileNumber, logNumber, options, tolerateDamage: true })
  for (const message of result.damage) log(`repair: ${message}`)
  return { table: result.meta?.number, dropped: result.damage.length }
}

// Reads every data block of a table. As LevelDB's repairer (whose table iterator steps over
// blocks it cannot read), damaged blocks are skipped and the rest kept; a damaged table's readable
// entries are copied into a new one. `dropped` counts the damaged blocks (or 1 for a table whose
// footer or index is unreadable).
function scanTable (env: Env, dbname: string, number: number, newFileNumber: () => number, options: TableOutputOptions): { table?: Salvaged, dropped: number, replacedFile?: string } {
  const filePath = findTableFile(env, dbname, number)
  const name = path.basename(filePath)
  const entries: Array<[Buffer, Buffer]> = []
  let damagedBlocks = 0
  let maxSequence = 0
  let file
  try {
    file = env.newRandomAccessFile(filePath)
  } catch {
    return { dropped: 0, replacedFile: name }
  }
  try {
    const index = readTableIndex(file, file.size(), true).indexBlock.newIterator(compareInternalKeySlices)
    for (index.seekToFirst(); index.valid(); index.next()) {
      const blockEntries: Array<[Buffer, Buffer]> = []
      try {
        const block = new Block(readBlockContents(file, decodeBlockHandle(index.value()), true)).newIterator(compareInternalKeySlices)
        for (block.seekToFirst(); block.valid(); block.next()) blockEntries.push([Buffer.from(block.key()), Buffer.from(block.value())])
      } catch {
        damagedBlocks++
        continue
      }
      for (const entry of blockEntries) {
        // Keys must keep ascending; anything else is damage that happened to pass the checksum.
        if (entries.length > 0 && compareInternalKeys(entries[entries.length - 1][0], entry[0]) >= 0) {
          damagedBlocks++
          break
        }
        entries.push(entry)
        maxSequence = Math.max(maxSequence, sequenceOf(entry[0]))
      }
    }
  } catch {
    // Footer or index unreadable: nothing in the table can be found.
    damagedBlocks = Math.max(damagedBlocks, 1)
  } finally {
    file.close()
  }
  if (entries.length === 0) return { dropped: damagedBlocks, replacedFile: name }
  if (damagedBlocks === 0) {
    return { table: { meta: { number, fileSize: env.getFileSize(filePath), smallest: entries[0][0], largest: entries[entries.length - 1][0] }, maxSequence }, dropped: 0 }
  }
  const output = new TableOutput(env, dbname, newFileNumber(), options)
  try {
    for (const [key, value] of entries) output.add(key, value)
    return { table: { meta: output.finish(), maxSequence }, dropped: damagedBlocks, replacedFile: name }
  } catch (err) {
    output.abandon()
    throw err
  }
}
