// The write-ahead log: the file each write is appended to before it enters the memtable, its
// replacement at every memtable switch, and group commit of the fdatasyncs sync writers wait for.
//
// Invariants:
// - `writer` is the log of the current memtable and `number` its file number; only rotate()
//   replaces them. A replaced log is closed only once no fdatasync of it is still running.
// - At most one fdatasync runs (syncInFlight) and at most one waits for it (syncQueued); the
//   waiting one starts when the running one ends and covers every write made before it starts.
// - A sync writer is acknowledged only once the current log's bytes and its name are durable:
//   the first fdatasync of each new log also syncs the directory that holds it (nameDurable),
//   or a power cut could keep the bytes and lose the file.
// - A failed append or fdatasync is latched as the background error: the log may now end in a
//   partial record, so no later write may be acknowledged (LevelDB stops accepting writes too).
// - reservedEnd is how far the current log has been zero-filled ahead of its records; only
//   startSync extends it, and rotate() resets it with the new log. Zeros are never durable data:
//   a crash leaves them after the last record, which readers take as the end of the log.
import type { Env } from '../env/env'
import { ByteWriter } from '../format/coding'
import { logFileName } from '../format/filenames'
import { LogWriter } from '../log/log-writer'
import type { BackgroundError } from './background-error'

// Before an fdatasync the log is zero-filled ahead of its records (LogWriter.reserve): an
// fdatasync after records grew the file must also write the inode (its size), a second device
// write it waits for, which records written into zeros spare it. The space reserved ahead is as
// much as the log holds, from RESERVE_MIN to RESERVE_MAX, so a log that a small memtable keeps
// short is not given far more zeros than records; it is refilled once a quarter of it is left.
const RESERVE_MIN = 32 * 1024
const RESERVE_MAX = 1024 * 1024

export class WriteAheadLog {
  private syncInFlight: Promise<void> | null = null
  private syncQueued: Promise<void> | null = null
  // Whether the current log's directory entry has been made durable since it was created.
  private nameDurable = false
  // How far the current log has been zero-filled (see startSync), 0 for none yet.
  private reservedEnd = 0

  private constructor (
    private readonly env: Env,
    private readonly dbname: string,
    private writer: LogWriter,
    private number: number,
    // Shared by every log this database writes: large records are assembled there (LogWriter).
    private readonly recordAssembly: ByteWriter,
    private readonly backgroundError: BackgroundError
  ) {}

  // Creates log file `number` and writes to it from now on.
  static create (env: Env, dbname: string, number: number, backgroundError: BackgroundError): WriteAheadLog {
    const recordAssembly = new ByteWriter()
    const writer = new LogWriter(env.newWritableFile(logFileName(dbname, number)), 0, recordAssembly)
    return new WriteAheadLog(env, dbname, writer, number, recordAssembly, backgroundError)
  }

  get fileNumber (): number {
    return this.number
  }

  // `tail` follows `record` in the same log record (a large value the batch holds by reference).
  add (record: Uint8Array, tail?: Uint8Array): void {
    try {
      this.writer.addRecord(record, tail)
    } catch (err) {
      throw this.failed(err as Error)
    }
  }

  async addAsync (record: Uint8Array, tail?: Uint8Array): Promise<void> {
    await this.writer.addRecordAsync(record, tail).catch((err: Error) => { throw this.failed(err) })
  }

  // The log may now end in a partial record; LevelDB stops accepting writes here too.
  private failed (err: Error): Error {
    this.backgroundError.latch(err)
    return err
  }

  // Sync writers share fdatasyncs (group commit): those arriving while one runs all wait for
  // the next, which covers every write made before it starts.
  sync (): Promise<void> {
    if (this.syncInFlight === null) return this.startSync()
    if (this.syncQueued === null) {
      this.syncQueued = this.syncInFlight.catch(() => {}).then(() => {
        this.syncQueued = null
        return this.startSync()
      })
    }
    return this.syncQueued
  }

  // One reaction on the fdatasync's promise, which both settles the writers and ends the sync in
  // flight: every further promise on a sync put's path was a turn of the microtask queue.
  private startSync (): Promise<void> {
    const writer = this.writer
    const ahead = Math.min(RESERVE_MAX, Math.max(RESERVE_MIN, writer.length))
    if (writer.length + ahead / 4 > this.reservedEnd) {
      writer.reserve(ahead)
      this.reservedEnd = writer.length + ahead
    }
    const synced = this.nameDurable ? writer.syncAsync() : Promise.all([this.env.syncDirAsync(this.dbname), writer.syncAsync()])
    const sync: Promise<void> = synced.then(() => {
      if (this.syncInFlight === sync) this.syncInFlight = null
      if (this.writer === writer) this.nameDurable = true
    }, (err: Error) => {
      if (this.syncInFlight === sync) this.syncInFlight = null
      throw this.backgroundError.latch(err)
    })
    this.syncInFlight = sync
    return sync
  }

  // Switches to a new log file, numbered `number`; the creation can fail (EMFILE, ENOSPC).
  rotate (number: number): void {
    const file = this.env.newWritableFile(logFileName(this.dbname, number))
    this.retire(this.writer)
    this.writer = new LogWriter(file, 0, this.recordAssembly)
    this.number = number
    this.nameDurable = false
    this.reservedEnd = 0
  }

  // A log being replaced may still owe sync writers their fdatasync, and may have one running.
  private retire (log: LogWriter): void {
    if (this.syncInFlight === null) {
      log.close()
      return
    }
    try {
      log.sync()
    } catch (err) {
      this.backgroundError.latch(err as Error)
    }
    this.syncInFlight.catch(() => {}).finally(() => log.close())
  }

  // Waits for the fdatasyncs sync writers are owed, then closes the log.
  async close (): Promise<void> {
    await this.syncQueued?.catch(() => {})
    await this.syncInFlight?.catch(() => {})
    this.writer.close()
  }
}
