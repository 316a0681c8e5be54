// LevelDB's file naming inside a database directory.
import { path } from '../platform/node'

export const enum FileType {
  Log,
  DBLock,
  Table,
  Descriptor,
  Current,
  Temp,
  InfoLog
}

function numbered (dbname: string, number: number, suffix: string): string {
  return path.join(dbname, String(number).padStart(6, '0') + '.' + suffix)
}

export const logFileName = (dbname: string, number: number): string => numbered(dbname, number, 'log')
export const tableFileName = (dbname: string, number: number): string => numbered(dbname, number, 'ldb')
// LevelDB before 1.14 named tables .sst; they are still read.
export const sstTableFileName = (dbname: string, number: number): string => numbered(dbname, number, 'sst')
export const tempFileName = (dbname: string, number: number): string => numbered(dbname, number, 'dbtmp')
export const descriptorFileName = (dbname: string, number: number): string =>
  path.join(dbname, 'MANIFEST-' + String(number).padStart(6, '0'))
export const currentFileName = (dbname: string): string => path.join(dbname, 'CURRENT')
export const lockFileName = (dbname: string): string => path.join(dbname, 'LOCK')
export const infoLogFileName = (dbname: string): string => path.join(dbname, 'LOG')
export const oldInfoLogFileName = (dbname: string): string => path.join(dbname, 'LOG.old')

export interface ParsedFileName {
  type: FileType
  number: number
}

const NUMBERED = /^(\d+)\.(log|ldb|sst|dbtmp)$/
const SUFFIX_TYPES: Record<string, FileType> = { log: FileType.Log, ldb: FileType.Table, sst: FileType.Table, dbtmp: FileType.Temp }

export function parseFileName (name: string): ParsedFileName | undefined {
  if (name === 'CURRENT') return { type: FileType.Current, number: 0 }
  if (name === 'LOCK') return { type: FileType.DBLock, number: 0 }
  if (name === 'LOG' || name === 'LOG.old') return { type: FileType.InfoLog, number: 0 }
  if (name.startsWith('MANIFEST-')) {
    const rest = name.slice('MANIFEST-'.length)
    return /^\d+$/.test(rest) ? { type: FileType.Descriptor, number: Number(rest) } : undefined
  }
  const match = NUMBERED.exec(name)
  return match === null ? undefined : { type: SUFFIX_TYPES[match[2]], number: Number(match[1]) }
}
