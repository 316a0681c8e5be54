// The human-readable LOG file LevelDB keeps in the database directory; the previous one is kept as
// LOG.old. A read-only database keeps none: its messages are dropped, and LOG and LOG.old stay as they were.
import type { Env, WritableFile } from '../env/env'
import { infoLogFileName, oldInfoLogFileName } from '../format/filenames'

export class InfoLog {
  private readonly file: WritableFile | null = null

  constructor (env: Env, dbname: string, readOnly = false) {
    if (readOnly) return
    const path = infoLogFileName(dbname)
    if (env.fileExists(path)) env.renameFile(path, oldInfoLogFileName(dbname))
    this.file = env.newWritableFile(path)
  }

  log (message: string): void {
    if (this.file === null) return
    try {
      this.file.append(Buffer.from(`${new Date().toISOString()} ${message}\n`, 'utf8'))
      this.file.flush()
    } catch {
      // Diagnostics must never fail the operation they describe.
    }
  }

  close (): void {
    try {
      this.file?.close()
    } catch {
      // As above.
    }
  }
}
