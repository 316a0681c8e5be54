import { path, platform } from '../platform/node'
import type { Env } from '../env/env'
import { FileType, lockFileName, parseFileName } from '../format/filenames'

// Removes every LevelDB file of a database and then its directory, if nothing else is left in it.
export async function destroyDatabase (location: string, env: Env = platform.defaultEnv): Promise<void> {
  const dbname = path.resolve(location)
  await env.loadDirectory?.(dbname, false)
  if (!env.fileExists(dbname)) return
  const lockPath = lockFileName(dbname)
  const lock = await env.lockFile(lockPath)
  try {
    for (const name of env.getChildren(dbname)) {
      const parsed = parseFileName(name)
      if (parsed !== undefined && parsed.type !== FileType.DBLock) env.removeFile(path.join(dbname, name))
    }
  } finally {
    await env.unlockFile(lock)
  }
  env.removeFile(lockPath)
  try {
    env.removeDir(dbname)
  } catch {
    // Foreign files stay, and so does the directory, as in LevelDB.
  }
}
