// Child process of read-only.test: opens a database read-only, reads every entry, reports over IPC
// what it read (or the error's codes), and holds the database open until told to close.
// argv: location, lock ('os' | 'pid-file'), user ('' to stay as is, or 'nobody' to drop to that
// user first, so the directory cannot be written).
import fs from 'node:fs'
import path from 'node:path'
import { DB } from '../../lib/db/db'
import { NodeEnv } from '../../lib/env/node-env'
import { pidFileLockStrategy } from '../../lib/env/locks/file-lock'

const NOBODY = 65534

export interface ReaderMessage {
  opened?: boolean
  entries?: Array<[string, string]>
  lockKind?: string
  // Whether this process could create a file in the database directory (it must not matter).
  canWriteDir?: boolean
  failed?: string
  cause?: string
  closed?: boolean
}

function canWrite (dir: string): boolean {
  const probe = path.join(dir, `probe-${process.pid}`)
  try {
    fs.writeFileSync(probe, '')
  } catch {
    return false
  }
  fs.rmSync(probe)
  return true
}

async function main (): Promise<void> {
  const [location, lock, user] = process.argv.slice(2)
  if (user === 'nobody') {
    if (process.setgid === undefined || process.setuid === undefined) throw new Error('cannot change user here')
    process.setgid(NOBODY)
    process.setuid(NOBODY)
  }
  const strategy = pidFileLockStrategy()
  const env = lock === 'pid-file' ? new NodeEnv(() => strategy) : undefined
  let db: DB
  try {
    db = await DB.open(location, { readOnly: true, ...(env === undefined ? {} : { env }) })
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause
    process.send?.({ failed: (err as { code?: string }).code, cause: cause?.code } satisfies ReaderMessage)
    process.disconnect()
    return
  }
  const entries: Array<[string, string]> = []
  const it = db.newIterator()
  try {
    for (it.seekToFirst(); it.valid(); it.next()) entries.push([it.key().toString(), it.value().toString()])
  } finally {
    it.close()
  }
  process.send?.({ opened: true, entries, lockKind: db.getProperty('aidb.lock'), canWriteDir: canWrite(location) } satisfies ReaderMessage)
  process.on('message', (message: string) => {
    if (message !== 'close') return
    db.close().then(() => {
      process.send?.({ closed: true } satisfies ReaderMessage)
      process.disconnect()
    }, (err: Error) => {
      process.send?.({ failed: err.message } satisfies ReaderMessage)
      process.disconnect()
    })
  })
}

void main()
