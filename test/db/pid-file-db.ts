// The engine opened with the pid-file lock, the fallback of runtimes that can take no OS lock,
// behind the open()/close() shape the lock tests use for AiLevel and classic-level.
import { DB } from '../../lib/db/db'
import type { DBOptions } from '../../lib/db/options'
import { NodeEnv } from '../../lib/env/node-env'
import { pidFileLockStrategy } from '../../lib/env/locks/file-lock'

export interface PidFileDb {
  open (): Promise<void>
  close (): Promise<void>
  engine (): DB
}

export function openWithPidFileLock (location: string, options: Partial<DBOptions> = {}): PidFileDb {
  const strategy = pidFileLockStrategy()
  let db: DB | null = null
  return {
    open: async () => { db = await DB.open(location, { ...options, env: new NodeEnv(() => strategy) }) },
    close: async () => { await db?.close() },
    engine: () => {
      if (db === null) throw new Error('not open')
      return db
    }
  }
}
