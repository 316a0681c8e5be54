// The background error: the first failure after which the database may no longer be written.
//
// Invariants:
// - Set at most once (the first failure wins) and never cleared: after a failed log write or
//   fdatasync, a failed flush or compaction, or a failed MANIFEST write, the files may end in a
//   partial record, so only reads go on until the database is reopened.
// - The error held always has an abstract-level code (LEVEL_IO_ERROR unless it came with one).
import type { InfoLog } from './info-log'
import { hasLevelCode, ioError } from '../util/errors'

export class BackgroundError {
  private error: Error | null = null

  constructor (private readonly infoLog: InfoLog) {}

  get current (): Error | null {
    return this.error
  }

  // Latches err unless an error is already latched; returns the latched error.
  latch (err: Error): Error {
    if (this.error !== null) return this.error
    const coded = hasLevelCode(err) ? err : ioError(err.message, err)
    this.error = coded
    this.infoLog.log(`background error: ${err.message}`)
    return coded
  }
}
