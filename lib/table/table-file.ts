// Finding a table file by number, whichever of its two names it has.
import type { Env, RandomAccessFile } from '../env/env'
import { sstTableFileName, tableFileName } from '../format/filenames'

// LevelDB before 1.14 named tables .sst; such files may still be in a database it wrote. The
// .ldb name is returned when neither exists, so that is the name an error reports.
export function findTableFile (env: Env, dbname: string, fileNumber: number): string {
  const path = tableFileName(dbname, fileNumber)
  if (env.fileExists(path)) return path
  const oldPath = sstTableFileName(dbname, fileNumber)
  return env.fileExists(oldPath) ? oldPath : path
}

export function openTableFile (env: Env, dbname: string, fileNumber: number): RandomAccessFile {
  return env.newRandomAccessFile(findTableFile(env, dbname, fileNumber))
}
