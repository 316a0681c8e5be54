// The database's file-level state: the current Version, the MANIFEST that records every change
// to it, and the counters (file numbers, sequence, live log) that recovery needs.
import { path } from '../platform/node'
import type { Env } from '../env/env'
import { Version, NUM_LEVELS } from './version'
import { applyEdit, VersionBuilder } from './version-builder'
import { VersionEdit } from './version-edit'
import type { LogWriter } from '../log/log-writer'
import { LogReader } from '../log/log-reader'
import { currentFileName } from '../format/filenames'
import { INTERNAL_KEY_COMPARATOR_NAME } from '../format/internal-key'
import { computeCompactionScore, type PickerOptions } from './compaction-score'
import { corruption } from '../util/errors'
import { FileNumberCounter } from './file-number-counter'
import { abandonManifest, startManifest, setCurrentFile, writeManifest } from './manifest'

export class VersionSet {
  readonly fileNumbers = new FileNumberCounter()
  manifestFileNumber = 0
  lastSequence = 0
  logNumber = 0
  prevLogNumber = 0
  current: Version = new Version()
  readonly compactPointers: Array<Buffer | undefined> = new Array(NUM_LEVELS).fill(undefined)
  private manifest: LogWriter | null = null
  private applying: Promise<void> = Promise.resolve()
  // Set when a MANIFEST write or sync fails: the file may now end in a partial record, so nothing
  // may be appended after it (a later record would turn a torn tail into mid-file corruption).
  private manifestError: Error | null = null
  // Versions still read by iterators; their files must outlive them.
  private readonly pinned = new Set<Version>()

  constructor (private readonly env: Env, private readonly dbname: string, private readonly options: PickerOptions) {
    this.fileNumbers.value = 2
    computeCompactionScore(this.current, options)
  }

  get nextFileNumber (): number {
    return this.fileNumbers.value
  }

  newFileNumber (): number {
    return this.fileNumbers.allocate()
  }

  markFileNumberUsed (number: number): void {
    this.fileNumbers.markUsed(number)
  }

  // Writes the MANIFEST and CURRENT of a new, empty database.
  static create (env: Env, dbname: string): void {
    const edit = new VersionEdit()
    edit.comparator = INTERNAL_KEY_COMPARATOR_NAME
    edit.logNumber = 0
    edit.nextFileNumber = 2
    edit.lastSequence = 0
    writeManifest(env, dbname, 1, edit)
  }

  // Rebuilds the current version by replaying the MANIFEST that CURRENT names.
  recover (): void {
    const current = this.env.readFile(currentFileName(this.dbname)).toString('latin1')
    if (current.length === 0 || !current.endsWith('\n')) throw corruption('CURRENT file does not end with a newline')
    const manifestName = current.slice(0, -1)
    if (!/^MANIFEST-\d+$/.test(manifestName)) throw corruption(`CURRENT names an invalid MANIFEST: ${manifestName}`)
    const file = this.env.newRandomAccessFile(path.join(this.dbname, manifestName))
    const damage: string[] = []
    const builder = new VersionBuilder(this.current)
    let logNumber: number | undefined
    let prevLogNumber: number | undefined
    let nextFileNumber: number | undefined
    let lastSequence: number | undefined
    try {
      const reader = new LogReader(file, { checksum: true, reporter: (bytes, reason) => damage.push(`${bytes} bytes: ${reason}`) })
      for (let record = reader.readRecord(); record !== null; record = reader.readRecord()) {
        if (damage.length > 0) break
        const edit = VersionEdit.decode(record)
        if (edit.comparator !== undefined && edit.comparator !== INTERNAL_KEY_COMPARATOR_NAME) {
          throw corruption(`${manifestName}: comparator ${edit.comparator} does not match ${INTERNAL_KEY_COMPARATOR_NAME}`)
        }
        builder.apply(edit)
        for (const { level, key } of edit.compactPointers) this.compactPointers[level] = key
        if (edit.logNumber !== undefined) logNumber = edit.logNumber
        if (edit.prevLogNumber !== undefined) prevLogNumber = edit.prevLogNumber
        if (edit.nextFileNumber !== undefined) nextFileNumber = edit.nextFileNumber
        if (edit.lastSequence !== undefined) lastSequence = edit.lastSequence
      }
    } finally {
      file.close()
    }
    if (damage.length > 0) throw corruption(`${manifestName} is damaged: ${damage[0]}`)
    if (nextFileNumber === undefined) throw corruption(`${manifestName}: no next-file entry`)
    if (logNumber === undefined) throw corruption(`${manifestName}: no log-number entry`)
    if (lastSequence === undefined) throw corruption(`${manifestName}: no last-sequence entry`)

    this.install(builder.build())
    this.fileNumbers.value = nextFileNumber
    this.markFileNumberUsed(logNumber)
    this.markFileNumberUsed(prevLogNumber ?? 0)
    this.logNumber = logNumber
    this.prevLogNumber = prevLogNumber ?? 0
    this.lastSequence = lastSequence
    // Every open starts a fresh MANIFEST, as LevelDB does, so a long history is compacted away.
    this.manifestFileNumber = this.newFileNumber()
  }

  // Records the edit durably in the MANIFEST, then makes the resulting version current. Edits are
  // applied one at a time, in call order; the fdatasync runs off the calling thread.
  logAndApply (edit: VersionEdit): Promise<void> {
    const applied = this.applying.then(() => this.applyNow(edit))
    this.applying = applied.catch(() => {})
    return applied
  }

  private async applyNow (edit: VersionEdit): Promise<void> {
    if (edit.logNumber === undefined) edit.logNumber = this.logNumber
    if (edit.prevLogNumber === undefined) edit.prevLogNumber = this.prevLogNumber
    edit.nextFileNumber = this.nextFileNumber
    edit.lastSequence = this.lastSequence
    if (this.manifestError !== null) throw this.manifestError

    const version = applyEdit(this.current, edit)

    let createdManifest = false
    if (this.manifest === null) {
      this.manifest = startManifest(this.env, this.dbname, this.manifestFileNumber, this.snapshotEdit())
      createdManifest = true
    }
    try {
      this.manifest.addRecord(edit.encode())
      // The tables and logs the edit names were created in the directory since it was last
      // synced; their names must be as durable as the record that refers to them.
      await Promise.all([this.manifest.syncAsync(), this.env.syncDirAsync(this.dbname)])
      if (createdManifest) setCurrentFile(this.env, this.dbname, this.manifestFileNumber)
    } catch (err) {
      if (createdManifest) this.dropNewManifest()
      else this.manifestError = err as Error
      throw err
    }
    for (const { level, key } of edit.compactPointers) this.compactPointers[level] = key
    this.install(version)
    this.logNumber = edit.logNumber
    this.prevLogNumber = edit.prevLogNumber
  }

  private dropNewManifest (): void {
    abandonManifest(this.env, this.dbname, this.manifestFileNumber, this.manifest)
    this.manifest = null
  }

  // The whole current state as one edit: the first record of every new MANIFEST.
  private snapshotEdit (): VersionEdit {
    const edit = new VersionEdit()
    edit.comparator = INTERNAL_KEY_COMPARATOR_NAME
    this.compactPointers.forEach((key, level) => {
      if (key !== undefined) edit.setCompactPointer(level, key)
    })
    this.current.files.forEach((files, level) => {
      for (const meta of files) edit.addFile(level, meta)
    })
    return edit
  }

  private install (version: Version): void {
    computeCompactionScore(version, this.options)
    this.current = version
  }

  pin (version: Version): void {
    if (version.refs++ === 0) this.pinned.add(version)
  }

  unpin (version: Version): void {
    if (--version.refs === 0) this.pinned.delete(version)
  }

  // Table files that the current version or any pinned one still uses.
  liveFiles (): Set<number> {
    const live = new Set<number>()
    for (const version of [this.current, ...this.pinned]) {
      for (const files of version.files) for (const f of files) live.add(f.number)
    }
    return live
  }

  close (): void {
    this.manifest?.close()
    this.manifest = null
  }
}
