// Opening a table file by number, whichever of its two names it has.
import type { Env, RandomAccessFile } from '../env/env'
import { sstTableFileName, tableFileName } from '../format/filenames'

// LevelDB before 1.14 named tables .sst; such files may still be in a database it wrote.
export function openTableFile (env: Env, dbname: string, fileNumber: number): RandomAccessFile {
  const path = tableFileName(dbname, fileNumber)
  if (env.fileExists(path)) return env.newRandomAccessFile(path)
  const oldPath = sstTableFileName(dbname, fileNumber)
  return env.newRandomAccessFile(env.fileExists(oldPath) ? oldPath : path)
}
