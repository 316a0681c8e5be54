// The Env of a browser job worker (lib/compaction/browser-job-worker.ts): the files of one flush or
// compaction in a database directory that another worker's OpfsEnv holds (the owner, opfs-env.ts).
// The owner keeps every name and the journal; this Env only:
// - reads the job's inputs, opening its own 'readwrite-unsafe' handles on the physical files the
//   owner named in the job message (prepare), and
// - writes the job's outputs to files it creates itself under JOB_FILE_PREFIX, a few ahead of need
//   (whenReadyToCreate, awaited before each step of the job), and reports them when the job ends
//   (finish) so the owner can name them (OpfsEnv.adoptFiles).
//
// Invariants:
// - Between prepare and finish, an OpfsJobEnv's `inputs` holds an open handle for each input of the job, and
//   `outputs` each file the job created and has not removed; finish closes all of them, so no
//   handle of this worker stays open on a file the owner names, removes or moves.
// - A file this Env created is named by nobody until the owner adopts it, so a crash before that
//   leaves only internal files, which the owner's next load removes; files of a failed job, and
//   spares left when the worker closes, are removed here.
import type { Env, FileLock, RandomAccessFile, WritableFile } from './env'
import { JOB_FILE_PREFIX, OpfsRandomAccessFile, OpfsWritableFile, openSyncAccessHandle, whileBusy, type OpfsDirectoryHandle, type OpfsSyncAccessHandle } from './opfs-env'
import { ioError, notSupported } from '../util/errors'

// Outputs a job may create in one step: a compaction finishes a table and starts the next.
const SPARES_AHEAD = 2

interface JobFile {
  readonly physical: string
  readonly handle: OpfsSyncAccessHandle
}

function baseName (path: string): string {
  const parts = path.split('/').filter(part => part !== '' && part !== '.')
  const name = parts.pop()
  if (name === undefined) throw ioError(`not a file path: ${path}`)
  return name
}

// The files a job worker creates in one database directory, a few ahead of need: shared by the
// jobs it runs there, one at a time or interleaved.
export class OpfsJobFiles {
  private readonly spares: JobFile[] = []
  private nextSpare = 0
  private making: Promise<void> | null = null
  private spareError: Error | null = null

  // `stamp` makes this worker's file names unlike any other worker's in the directory.
  constructor (readonly directory: OpfsDirectoryHandle, private readonly stamp: string) {}

  whenReady (): Promise<void> | undefined {
    if (this.spares.length >= SPARES_AHEAD || this.spareError !== null) return undefined
    this.making ??= this.makeSpares().finally(() => { this.making = null })
    return this.making
  }

  private async makeSpares (): Promise<void> {
    try {
      while (this.spares.length < SPARES_AHEAD) {
        const physical = `${JOB_FILE_PREFIX}${this.stamp}-${this.nextSpare++}`
        const handle = await openSyncAccessHandle(await this.directory.getFileHandle(physical, { create: true }), 'readwrite-unsafe')
        handle.truncate(0)
        this.spares.push({ physical, handle })
      }
    } catch (err) {
      // Reported by the next file a job creates, rather than waited on for ever.
      this.spareError = err as Error
    }
  }

  take (path: string): JobFile {
    const spare = this.spares.shift()
    if (spare === undefined) throw ioError(`IO error: create ${path}: no OPFS file ready in the background job`, this.spareError ?? undefined)
    return spare
  }

  // Removes the spares (the worker is closing).
  async dispose (): Promise<void> {
    await this.making
    for (const spare of this.spares.splice(0)) {
      spare.handle.close()
      await this.directory.removeEntry(spare.physical)
    }
  }
}

// One job's files: created per job, so jobs that run interleaved never close each other's handles.
export class OpfsJobEnv implements Env {
  private readonly inputs = new Map<string, JobFile>()
  private readonly outputs = new Map<string, JobFile>()
  // Files removed by the job (an output it abandoned), their removal still under way.
  private readonly removals: Array<Promise<void>> = []

  constructor (private readonly stock: OpfsJobFiles) {}

  // Opens the job's inputs: `files` maps each name to the physical file behind it.
  async prepare (files: Readonly<Record<string, string>>): Promise<void> {
    for (const [name, physical] of Object.entries(files)) {
      const fileHandle = await this.stock.directory.getFileHandle(physical)
      this.inputs.set(name, { physical, handle: await whileBusy(() => openSyncAccessHandle(fileHandle, 'readwrite-unsafe')) })
    }
  }

  // Closes every handle of the job. After a success, returns the outputs (name -> physical file)
  // for the owner to adopt; after a failure, removes them and returns none.
  async finish (succeeded: boolean): Promise<Record<string, string>> {
    const outputs: Record<string, string> = {}
    for (const file of this.inputs.values()) file.handle.close()
    this.inputs.clear()
    for (const [name, file] of this.outputs) {
      file.handle.close()
      if (succeeded) outputs[name] = file.physical
      else this.removals.push(this.stock.directory.removeEntry(file.physical))
    }
    this.outputs.clear()
    await Promise.all(this.removals.splice(0))
    return outputs
  }

  whenReadyToCreate (): Promise<void> | undefined {
    return this.stock.whenReady()
  }

  private input (path: string): JobFile {
    const name = baseName(path)
    const file = this.inputs.get(name) ?? this.outputs.get(name)
    if (file === undefined) throw ioError(`IO error: ${path}: No such file or directory (not a file of this background job)`)
    return file
  }

  newRandomAccessFile (path: string): RandomAccessFile {
    return new OpfsRandomAccessFile(this.input(path).handle, () => {})
  }

  newWritableFile (path: string): WritableFile {
    const name = baseName(path)
    if (this.inputs.has(name) || this.outputs.has(name)) throw ioError(`IO error: create ${path}: a background job writes only new files`)
    const spare = this.stock.take(path)
    this.outputs.set(name, spare)
    return new OpfsWritableFile(spare.handle, 0, () => {})
  }

  newAppendableFile (path: string): WritableFile {
    return this.newWritableFile(path)
  }

  readFile (path: string): Buffer {
    const { handle } = this.input(path)
    const data = Buffer.alloc(handle.getSize())
    const read = handle.read(data, { at: 0 })
    return read === data.length ? data : data.subarray(0, read)
  }

  fileExists (path: string): boolean {
    const name = baseName(path)
    return this.inputs.has(name) || this.outputs.has(name)
  }

  getChildren (): string[] {
    throw notSupported('a background job does not list its directory')
  }

  getFileSize (path: string): number {
    return this.input(path).handle.getSize()
  }

  // Only an output of the job (one it abandons); its removal completes before finish returns.
  removeFile (path: string): void {
    const name = baseName(path)
    const file = this.outputs.get(name)
    if (file === undefined) throw ioError(`IO error: unlink ${path}: a background job removes only files it created`)
    this.outputs.delete(name)
    file.handle.close()
    this.removals.push(this.stock.directory.removeEntry(file.physical))
  }

  renameFile (from: string, to: string): void {
    throw notSupported(`rename ${from} to ${to}: a background job names no files`)
  }

  linkFile (from: string, to: string): void {
    throw notSupported(`link ${from} to ${to}: a background job names no files`)
  }

  createDir (path: string): void {
    throw notSupported(`mkdir ${path}: a background job creates no directories`)
  }

  removeDir (path: string): void {
    throw notSupported(`rmdir ${path}: a background job removes no directories`)
  }

  // Names are the owner's to make durable; the job's file contents are flushed by the job (sync).
  syncDir (): void {}

  async syncDirAsync (): Promise<void> {}

  async lockFile (path: string): Promise<FileLock> {
    throw notSupported(`lock ${path}: a background job takes no locks`)
  }

  async unlockFile (): Promise<void> {}
}
