// Salvages whatever is readable into a fresh MANIFEST, as LevelDB's RepairDB does: logs become
// tables, every table is scanned for its key range, and all tables are placed at level 0.
import path from 'node:path'
import type { Env } from '../env/env'
import { FileType, descriptorFileName, logFileName, parseFileName, tableFileName, sstTableFileName } from '../format/filenames'
import { INTERNAL_KEY_COMPARATOR_NAME, sequenceOf } from '../format/internal-key'
import { LogWriter } from '../log/log-writer'
import { Table } from '../table/table'
import type { InternalIterator } from '../iterator/iterator'
import { VersionEdit } from '../version/version-edit'
import type { FileMetaData } from '../version/file-metadata'
import { runLogFlush } from '../compaction/flush-job'
import { TableOutput, type TableOutputOptions } from '../compaction/table-output'
import { setCurrentFile } from '../version/version-set'

export interface RepairResult {
  tables: number
  // Log records and table entries that could not be read.
  droppedRecords: number
  // Files that held nothing readable and were moved to lost/.
  droppedFiles: number
}

interface Salvaged {
  meta: FileMetaData
  maxSequence: number
}

export function repairDatabase (env: Env, dbname: string, tableOptions: TableOutputOptions, log: (message: string) => void): RepairResult {
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
  const file = env.newWritableFile(descriptorFileName(dbname, manifestNumber))
  const writer = new LogWriter(file)
  writer.addRecord(edit.encode())
  writer.sync()
  writer.close()
  setCurrentFile(env, dbname, manifestNumber)
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

// Reads a table to its end (or first damage). A damaged table's readable entries are copied into a new one.
function scanTable (env: Env, dbname: string, number: number, newFileNumber: () => number, options: TableOutputOptions): { table?: Salvaged, dropped: number, replacedFile?: string } {
  let filePath = tableFileName(dbname, number)
  if (!env.fileExists(filePath)) filePath = sstTableFileName(dbname, number)
  const name = path.basename(filePath)
  const entries: Array<[Buffer, Buffer]> = []
  let damaged = false
  let maxSequence = 0
  let file
  try {
    file = env.newRandomAccessFile(filePath)
  } catch {
    return { dropped: 0, replacedFile: name }
  }
  let iter: InternalIterator | undefined
  try {
    const table = Table.open(file, file.size(), { verifyChecksums: true, cacheId: 0 })
    iter = table.newIterator({ fillCache: false })
    for (iter.seekToFirst(); iter.valid(); iter.next()) {
      entries.push([iter.key(), iter.value()])
      maxSequence = Math.max(maxSequence, sequenceOf(iter.key()))
    }
  } catch {
    damaged = true
  } finally {
    iter?.close()
    file.close()
  }
  if (entries.length === 0) return { dropped: damaged ? 1 : 0, replacedFile: name }
  if (!damaged) {
    return { table: { meta: { number, fileSize: env.getFileSize(filePath), smallest: entries[0][0], largest: entries[entries.length - 1][0] }, maxSequence }, dropped: 0 }
  }
  const output = new TableOutput(env, dbname, newFileNumber(), options)
  for (const [key, value] of entries) output.add(key, value)
  return { table: { meta: output.finish(), maxSequence }, dropped: 1, replacedFile: name }
}
