// Child process of lock.test: opens a database with AiLevel or classic-level, reports 'opened'
// (or the error's code) over IPC, and holds it until told to close or killed.
// argv: 'ai' | 'ai-read' (read-only) | 'classic' | 'ai-pid-file' (the engine with the pid-file lock), location
import { ClassicLevel } from 'classic-level'
import { AiLevel } from '../../index'
import { openWithPidFileLock } from './pid-file-db'

interface Closable {
  open (): Promise<void>
  close (): Promise<void>
}

async function main (): Promise<void> {
  const [kind, location] = process.argv.slice(2)
  const db: Closable = kind === 'classic' ? new ClassicLevel(location) : kind === 'ai-pid-file' ? openWithPidFileLock(location) : new AiLevel(location, { readOnly: kind === 'ai-read' })
  try {
    await db.open()
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause
    process.send?.({ failed: (err as { code?: string }).code, cause: cause?.code })
    process.disconnect()
    return
  }
  process.send?.({ opened: true })
  process.on('message', (message: string) => {
    if (message === 'close') {
      db.close().then(() => {
        process.send?.({ closed: true })
        process.disconnect()
      }, (err: Error) => {
        process.send?.({ error: err.message })
        process.disconnect()
      })
    }
  })
}

void main()
