// An Env on the browser's Origin Private File System, for a dedicated worker: reads and writes go
// through FileSystemSyncAccessHandles, which are synchronous there. Opening a handle, creating,
// moving and removing an entry are asynchronous, while the Env's calls are synchronous, so:
// - A directory is loaded (loadDirectory, awaited before a database opens) and from then on held
//   by this Env alone: a sync access handle is open on every file in it, and on LOCK.
// - Files are created from spares: empty files created and opened ahead of need.
// - Names are kept in memory and in a journal file in the directory (NAMES_JOURNAL): creating,
//   renaming and removing a file appends a record naming which physical file a name now refers to.
//   The physical files keep their names while the directory is held (a handle is open on each,
//   and OPFS cannot move or remove a file with an open handle); they are moved to the names the
//   journal gives them once the directory is released (unlockFile), or when it is next loaded
//   after a crash.
// - Background jobs may run in a job worker of their own (lib/compaction/browser-job-runner.ts).
//   Where the browser lets two workers open one file ('readwrite-unsafe' sync access handles,
//   probed at load: sharesFiles), every data file is opened in that mode so the job worker can
//   open its inputs too; LOCK and the journal stay exclusive ('readwrite'), so a second tab is
//   still kept out. The job worker writes its outputs to files it creates under JOB_FILE_PREFIX
//   (opfs-job-env.ts) and never touches a name: this Env alone binds them (adoptFiles) when the
//   job's result is installed, before the version edit that refers to them is written.
//
// Durability is Node's: bytes a WritableFile has flushed (written to its handle, which writes
// straight to the file) survive a crash of the worker; WritableFile.sync() also flushes the
// handle; a name created, renamed or removed survives power loss once syncDir has flushed the
// journal.
//
// Invariants:
// - For a loaded directory, `names` maps every file name the engine can see to an open physical
//   file, and replaying the journal over the directory's physical names gives the same map.
// - A physical file that no name refers to and no open RandomAccessFile or WritableFile uses is
//   closed and removed; names refer only to physical files whose handles are open.
// - Physical moves happen only while no handle but LOCK's and the journal's is open in the
//   directory, in two phases (every misnamed file to a temporary name no file has had, then each
//   to its name), each phase recorded in the journal before its moves are made, so replay after a
//   crash knows which were made.
// - Every asynchronous change to the OPFS runs in one queue, in the order it was asked for;
//   loadDirectory waits for the queue, so it sees every earlier removal.
// - A file a job worker reads is named for the whole job (the database removes a job's inputs only
//   after installing its result), and a job worker's file is named here only once the job worker
//   has closed its handle on it.
import type { Env, FileLock, RandomAccessFile, WritableFile } from './env'
import type { LockMode } from './locks/lock-kind'
import { crc32cOf } from '../format/crc32c'
import { ioError, lockedError, notSupported } from '../util/errors'

// The parts of the OPFS API used here (the project compiles without the DOM library).
export interface OpfsSyncAccessHandle {
  read (buffer: Uint8Array, options?: { at?: number }): number
  write (buffer: Uint8Array, options?: { at?: number }): number
  truncate (size: number): void
  getSize (): number
  flush (): void
  close (): void
}

// 'readwrite' (the default) is exclusive; several 'readwrite-unsafe' handles may be open on one
// file at once (Chromium 121+; browsers without the option ignore it and open 'readwrite').
export type OpfsAccessMode = 'readwrite' | 'readwrite-unsafe'

export interface OpfsFileHandle {
  readonly kind: 'file'
  readonly name: string
  createSyncAccessHandle (options?: { mode?: OpfsAccessMode }): Promise<OpfsSyncAccessHandle>
  // Only the two-argument form: WebKit (Safari) has no move(name), and throws a TypeError ("Not
  // enough arguments", WebKitGTK 2.50) for it; Chromium and Firefox have both forms.
  move (destination: OpfsDirectoryHandle, name: string): Promise<void>
}

export interface OpfsDirectoryHandle {
  readonly kind: 'directory'
  readonly name: string
  getDirectoryHandle (name: string, options?: { create?: boolean }): Promise<OpfsDirectoryHandle>
  getFileHandle (name: string, options?: { create?: boolean }): Promise<OpfsFileHandle>
  removeEntry (name: string, options?: { recursive?: boolean }): Promise<void>
  entries (): AsyncIterableIterator<[string, OpfsFileHandle | OpfsDirectoryHandle]>
}

// Names this Env gives its own files in a database directory; no LevelDB file name starts with '~'.
const INTERNAL_PREFIX = '~opfs-'
export const NAMES_JOURNAL = `${INTERNAL_PREFIX}names`
const SPARE_PREFIX = `${INTERNAL_PREFIX}spare-`
const MOVING_PREFIX = `${INTERNAL_PREFIX}moving-`
// Files a job worker creates: internal until adoptFiles names them, so a crash before that leaves
// only files the next load removes.
export const JOB_FILE_PREFIX = `${INTERNAL_PREFIX}job-`
const LOCK_NAME = 'LOCK'

// Spares kept ready per directory: more files than this created faster than the queue can make
// new ones would fail. Flushes and compactions wait (whenReadyToCreate) while fewer than
// SPARES_KEPT_FOR_WRITES are left, keeping those for the log and MANIFEST the write path creates.
const DEFAULT_SPARE_FILES = 8
const SPARES_KEPT_FOR_WRITES = 3

// A journal record: `name` now refers to physical file `file`, or (file undefined) to nothing;
// with `from`, that name no longer refers to anything (a rename, atomic as one record). `moved`
// records the intent to move physical file `moved` to the name `to`.
export type JournalRecord = { name: string, file?: string, from?: string } | { moved: string, to: string }

interface PhysicalFile {
  readonly name: string
  readonly handle: OpfsSyncAccessHandle
  // Open RandomAccessFiles and WritableFiles on it.
  users: number
}

interface LoadedDirectory {
  readonly path: string
  readonly handle: OpfsDirectoryHandle
  readonly lockHandle: OpfsSyncAccessHandle
  readonly names: Map<string, PhysicalFile>
  // Physical files no name refers to, kept until their last user closes them.
  readonly unnamed: Set<PhysicalFile>
  readonly spares: PhysicalFile[]
  readonly subdirectories: Set<string>
  readonly journal: OpfsSyncAccessHandle
  journalDirty: boolean
  nextSpare: number
  locked: boolean
}

export interface OpfsEnvOptions {
  // The directory database paths are resolved in; the origin's OPFS root by default.
  root?: () => Promise<OpfsDirectoryHandle>
  spareFiles?: number
  // Open data files so that a job worker can open them too, where the browser allows it (true by
  // default); false keeps every handle exclusive and background jobs on the calling thread.
  shareFiles?: boolean
}

// What a job worker needs to open a job's input files: the directory (a handle, which crosses to
// another worker by structured clone) and the physical file behind each name.
export interface JobFiles {
  directory: OpfsDirectoryHandle
  files: Record<string, string>
}

interface StorageManagerWithOpfs {
  getDirectory (): Promise<OpfsDirectoryHandle>
}

function opfsRoot (): Promise<OpfsDirectoryHandle> {
  const storage = (globalThis as { navigator?: { storage?: Partial<StorageManagerWithOpfs> } }).navigator?.storage
  if (storage?.getDirectory === undefined) throw ioError('the Origin Private File System is not available here (navigator.storage.getDirectory)')
  return storage.getDirectory()
}

function pathParts (path: string): string[] {
  return path.split('/').filter(part => part !== '' && part !== '.')
}

function splitPath (path: string): { dir: string, name: string } {
  const parts = pathParts(path)
  const name = parts.pop()
  if (name === undefined) throw ioError(`not a file path: ${path}`)
  return { dir: '/' + parts.join('/'), name }
}

function directoryKey (path: string): string {
  return '/' + pathParts(path).join('/')
}

// Chromium answers createSyncAccessHandle() only while the handle it was called on is alive (the
// answer is bound to the handle weakly), so a handle garbage-collected before the answer comes
// leaves the promise pending for ever. A handle fetched for one call is garbage as soon as that
// call is made: nothing reads it afterwards. Each call on such a handle holds it here until the
// call settles.
const handlesInCalls = new Set<{ readonly handle: object }>()

async function holding<H extends object, T> (handle: H, call: (handle: H) => Promise<T>): Promise<T> {
  const hold = { handle }
  handlesInCalls.add(hold)
  try {
    return await call(handle)
  } finally {
    handlesInCalls.delete(hold)
  }
}

export function openSyncAccessHandle (file: OpfsFileHandle, mode?: OpfsAccessMode): Promise<OpfsSyncAccessHandle> {
  return holding(file, f => f.createSyncAccessHandle(mode === undefined ? undefined : { mode }))
}

// Opening a data file can fail for a moment after another worker closed its handle on it: Chromium
// releases a closed handle's lock asynchronously. How often, and how far apart, to try again.
const BUSY_RETRIES = 20
const BUSY_RETRY_MS = 25

// Runs `call` again while the file is busy (isHeldError), a bounded number of times.
export async function whileBusy<T> (call: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call()
    } catch (err) {
      if (!isHeldError(err) || attempt >= BUSY_RETRIES) throw err
      await new Promise(resolve => setTimeout(resolve, BUSY_RETRY_MS))
    }
  }
}

export function domErrorName (err: unknown): string | undefined {
  return (err as { name?: unknown })?.name as string | undefined
}

// Whether a sync access handle was refused because another one holds the file: the specification,
// Chromium and Firefox say NoModificationAllowedError; WebKit (Safari) says InvalidStateError (its
// FileSystemStorageHandle::createSyncAccessHandle, when the file's lock is taken).
function isHeldError (err: unknown): boolean {
  const name = domErrorName(err)
  return name === 'NoModificationAllowedError' || name === 'InvalidStateError'
}

export class OpfsEnv implements Env {
  private readonly root: () => Promise<OpfsDirectoryHandle>
  private readonly spareFiles: number
  // Mode of every data file's handle: 'readwrite-unsafe' when files may be shared with a job worker.
  private readonly dataMode: OpfsAccessMode
  // Whether two workers can open one data file at once here: probed at the first load.
  private filesShareable: boolean | undefined
  private readonly directories = new Map<string, LoadedDirectory>()
  // Resolved once each loaded directory has more than SPARES_KEPT_FOR_WRITES spares (hasSpares).
  private spareWaiters: Array<() => void> = []
  // Why the last spare could not be made: creating a file then fails at once, with this cause,
  // rather than wait for spares that may never come.
  private spareError: Error | null = null
  private queue: Promise<void> = Promise.resolve()
  // The first failure of a queued change, reported by the next syncDirAsync.
  private queueError: Error | null = null

  constructor (options: OpfsEnvOptions = {}) {
    this.root = options.root ?? opfsRoot
    this.spareFiles = options.spareFiles ?? DEFAULT_SPARE_FILES
    this.dataMode = options.shareFiles === false ? 'readwrite' : 'readwrite-unsafe'
    if (options.shareFiles === false) this.filesShareable = false
  }

  // Whether a job worker can open the files of a loaded directory while this Env holds them.
  get sharesFiles (): boolean {
    return this.filesShareable === true
  }

  // Runs `change` after every change asked for before it.
  private enqueue (change: () => Promise<void>): Promise<void> {
    const run = this.queue.then(change)
    this.queue = run.catch(err => { this.queueError ??= err as Error })
    return this.queue
  }

  private async directoryHandle (path: string, create: boolean): Promise<OpfsDirectoryHandle | undefined> {
    let dir = await this.root()
    for (const part of pathParts(path)) {
      try {
        dir = await holding(dir, d => d.getDirectoryHandle(part, { create }))
      } catch (err) {
        if (domErrorName(err) === 'NotFoundError' || domErrorName(err) === 'TypeMismatchError') return undefined
        throw err
      }
    }
    return dir
  }

  // Loads directory `path` (creating it if `create`) and holds it for this Env until its LOCK is
  // released; fails with LEVEL_LOCKED while anyone (a tab, a worker, this Env) holds it. Finishes
  // the moves a crash interrupted, removes files no name refers to, and opens every file.
  async loadDirectory (path: string, create: boolean): Promise<void> {
    const key = directoryKey(path)
    await this.queue
    if (this.directories.has(key)) throw lockedError(`IO error: lock ${key}/LOCK: already held by this worker`)
    const handle = await this.directoryHandle(key, create)
    if (handle === undefined) return
    const lockHandle = await this.openHandle(handle, LOCK_NAME, key)
    const opened: OpfsSyncAccessHandle[] = [lockHandle]
    try {
      const dir = await this.load(key, handle, lockHandle, opened)
      this.directories.set(key, dir)
    } catch (err) {
      for (const h of opened) h.close()
      throw err
    }
  }

  private async openHandle (dir: OpfsDirectoryHandle, name: string, dirPath: string): Promise<OpfsSyncAccessHandle> {
    const file = await dir.getFileHandle(name, { create: true })
    try {
      return await openSyncAccessHandle(file)
    } catch (err) {
      if (isHeldError(err)) {
        throw lockedError(`IO error: lock ${dirPath}/${name}: held by another tab or worker`, err as Error)
      }
      // WebKitGTK and WPE WebKit (2.50) refuse every sync access handle this way: only Apple's
      // ports can pass the file to the web process.
      if (domErrorName(err) === 'NotSupportedError') {
        throw ioError(`IO error: open ${dirPath}/${name}: this browser has no OPFS sync access handles (createSyncAccessHandle: ${(err as Error).message})`, err as Error)
      }
      throw ioError(`IO error: open ${dirPath}/${name}: ${(err as Error).message}`, err as Error)
    }
  }

  private async load (key: string, handle: OpfsDirectoryHandle, lockHandle: OpfsSyncAccessHandle, opened: OpfsSyncAccessHandle[]): Promise<LoadedDirectory> {
    const physical = new Set<string>()
    const subdirectories = new Set<string>()
    for await (const [name, entry] of handle.entries()) {
      if (entry.kind === 'directory') subdirectories.add(name)
      else physical.add(name)
    }
    const journal = await this.openHandle(handle, NAMES_JOURNAL, key)
    opened.push(journal)
    physical.add(NAMES_JOURNAL)
    const records = readJournal(journal)
    // A crash left records: settle physical names now, while no handle but LOCK's and the journal's is open.
    if (records.length > 0) await settleNames(handle, journal, physical, replayJournal(physical, records))
    const dir: LoadedDirectory = {
      path: key,
      handle,
      lockHandle,
      names: new Map(),
      unnamed: new Set(),
      spares: [],
      subdirectories,
      journal,
      journalDirty: false,
      nextSpare: 0,
      locked: false
    }
    for (const name of physical) {
      if (name === LOCK_NAME || name === NAMES_JOURNAL) continue
      // Spares and moves a crash left behind, which no name refers to.
      if (name.startsWith(INTERNAL_PREFIX)) {
        await handle.removeEntry(name)
        continue
      }
      const fileHandle = await openSyncAccessHandle(await handle.getFileHandle(name), this.dataMode)
      opened.push(fileHandle)
      dir.names.set(name, { name, handle: fileHandle, users: 0 })
    }
    for (let i = 0; i < this.spareFiles; i++) {
      const spare = await this.createSpare(dir)
      opened.push(spare.handle)
      dir.spares.push(spare)
    }
    this.filesShareable ??= await this.canShare(handle, dir.spares[0])
    return dir
  }

  // Whether a second handle opens on a file this Env holds open: it does where the browser knows
  // 'readwrite-unsafe', and is refused (NoModificationAllowedError) where it opened the first handle
  // exclusively. Any failure means no: jobs then run on the calling thread, and the open goes on.
  private async canShare (handle: OpfsDirectoryHandle, file: PhysicalFile | undefined): Promise<boolean> {
    if (file === undefined) return false
    try {
      const second = await openSyncAccessHandle(await handle.getFileHandle(file.name), this.dataMode)
      second.close()
      return true
    } catch {
      return false
    }
  }

  private async createSpare (dir: LoadedDirectory): Promise<PhysicalFile> {
    const name = `${SPARE_PREFIX}${dir.nextSpare++}`
    const file = await dir.handle.getFileHandle(name, { create: true })
    const handle = await openSyncAccessHandle(file, this.dataMode)
    handle.truncate(0)
    return { name, handle, users: 0 }
  }

  private loaded (dirPath: string): LoadedDirectory {
    const dir = this.directories.get(directoryKey(dirPath))
    if (dir === undefined) throw ioError(`IO error: ${directoryKey(dirPath)} is not loaded in the OPFS Env (loadDirectory first)`)
    return dir
  }

  private fileOf (path: string): { dir: LoadedDirectory, name: string, file: PhysicalFile } {
    const { dir: dirPath, name } = splitPath(path)
    const dir = this.loaded(dirPath)
    const file = dir.names.get(name)
    if (file === undefined) throw ioError(`IO error: ${path}: No such file or directory`)
    return { dir, name, file }
  }

  private appendRecord (dir: LoadedDirectory, record: JournalRecord): void {
    appendToJournal(dir.journal, record)
    dir.journalDirty = true
  }

  // A physical file for a new name, from the spares; a new spare is made in the background.
  private takeSpare (dir: LoadedDirectory, path: string): PhysicalFile {
    const spare = dir.spares.shift()
    if (spare === undefined) throw ioError(`IO error: create ${path}: no spare OPFS file ready (more files created at once than ${this.spareFiles})`, this.spareError ?? undefined)
    void this.enqueue(async () => {
      if (this.directories.get(dir.path) !== dir) return
      try {
        // Kept even if the directory was released meanwhile: its release, queued after this, then
        // closes and removes it with the other spares.
        dir.spares.push(await this.createSpare(dir))
        this.spareError = null
      } catch (err) {
        this.spareError = err as Error
        throw err
      } finally {
        if (this.hasSpares()) this.wakeSpareWaiters()
      }
    })
    return spare
  }

  private bind (dir: LoadedDirectory, name: string, file: PhysicalFile | undefined): void {
    const previous = dir.names.get(name)
    this.appendRecord(dir, file === undefined ? { name } : { name, file: file.name })
    if (file === undefined) dir.names.delete(name)
    else dir.names.set(name, file)
    if (previous !== undefined && previous !== file) this.release(dir, previous)
  }

  // Removes a physical file once no name refers to it and no one uses it.
  private release (dir: LoadedDirectory, file: PhysicalFile): void {
    for (const named of dir.names.values()) if (named === file) return
    if (file.users > 0) {
      dir.unnamed.add(file)
      return
    }
    dir.unnamed.delete(file)
    file.handle.close()
    // A job worker's handle on the file (an input it read) may still be on its way to closed.
    void this.enqueue(async () => { await whileBusy(() => dir.handle.removeEntry(file.name)) })
  }

  private use (dir: LoadedDirectory, file: PhysicalFile): () => void {
    file.users++
    let closed = false
    return () => {
      if (closed) return
      closed = true
      file.users--
      if (file.users === 0 && dir.unnamed.has(file)) this.release(dir, file)
    }
  }

  private wakeSpareWaiters (): void {
    const waiters = this.spareWaiters
    this.spareWaiters = []
    for (const resolve of waiters) resolve()
  }

  private hasSpares (): boolean {
    if (this.spareError !== null) return true
    for (const dir of this.directories.values()) if (dir.spares.length <= SPARES_KEPT_FOR_WRITES) return false
    return true
  }

  // For a job worker: the physical files behind those of `paths` that exist (all in one loaded
  // directory), and the directory's handle.
  jobFiles (dirPath: string, paths: readonly string[]): JobFiles {
    const dir = this.loaded(dirPath)
    const files: Record<string, string> = {}
    for (const path of paths) {
      const { name } = splitPath(path)
      const file = dir.names.get(name)
      if (file !== undefined) files[name] = file.name
    }
    return { directory: dir.handle, files }
  }

  // Gives the files a job worker wrote (name -> physical file under JOB_FILE_PREFIX, each closed
  // by the job worker) their names, as newWritableFile would have: opens a handle on each, then
  // journals the names. Called before the version edit that refers to them is written.
  async adoptFiles (dirPath: string, files: Readonly<Record<string, string>>): Promise<void> {
    const dir = this.loaded(dirPath)
    const adopted: Array<[string, PhysicalFile]> = []
    try {
      for (const [name, physical] of Object.entries(files)) {
        if (!physical.startsWith(JOB_FILE_PREFIX)) throw ioError(`IO error: adopt ${dir.path}/${name}: ${physical} is not a job worker's file`)
        const fileHandle = await dir.handle.getFileHandle(physical)
        const handle = await whileBusy(() => openSyncAccessHandle(fileHandle, this.dataMode))
        adopted.push([name, { name: physical, handle, users: 0 }])
      }
    } catch (err) {
      for (const [, file] of adopted) file.handle.close()
      throw ioError(`IO error: adopt the files of a background job in ${dir.path}: ${(err as Error).message}`, err as Error)
    }
    if (this.directories.get(dir.path) !== dir) {
      for (const [, file] of adopted) file.handle.close()
      throw ioError(`IO error: ${dir.path} was released while a background job ran`)
    }
    for (const [name, file] of adopted) this.bind(dir, name, file)
  }

  whenReadyToCreate (): Promise<void> | undefined {
    return this.hasSpares() ? undefined : new Promise(resolve => this.spareWaiters.push(resolve))
  }

  newRandomAccessFile (path: string): RandomAccessFile {
    const { dir, file } = this.fileOf(path)
    return new OpfsRandomAccessFile(file.handle, this.use(dir, file))
  }

  newWritableFile (path: string): WritableFile {
    const { dir: dirPath, name } = splitPath(path)
    const dir = this.loaded(dirPath)
    const existing = dir.names.get(name)
    if (existing !== undefined) {
      existing.handle.truncate(0)
      return new OpfsWritableFile(existing.handle, 0, this.use(dir, existing))
    }
    const file = this.takeSpare(dir, path)
    this.bind(dir, name, file)
    return new OpfsWritableFile(file.handle, 0, this.use(dir, file))
  }

  newAppendableFile (path: string): WritableFile {
    const { dir: dirPath, name } = splitPath(path)
    const existing = this.loaded(dirPath).names.get(name)
    if (existing === undefined) return this.newWritableFile(path)
    const dir = this.loaded(dirPath)
    return new OpfsWritableFile(existing.handle, existing.handle.getSize(), this.use(dir, existing))
  }

  readFile (path: string): Buffer {
    const { file } = this.fileOf(path)
    const size = file.handle.getSize()
    const data = Buffer.alloc(size)
    const read = file.handle.read(data, { at: 0 })
    return read === size ? data : data.subarray(0, read)
  }

  // Only what a loaded directory holds exists: a path outside every loaded directory does not.
  fileExists (path: string): boolean {
    const key = directoryKey(path)
    if (this.directories.has(key)) return true
    const { dir: dirPath, name } = splitPath(path)
    const dir = this.directories.get(directoryKey(dirPath))
    if (dir === undefined) return false
    return dir.names.has(name) || dir.subdirectories.has(name)
  }

  getChildren (dirPath: string): string[] {
    const dir = this.loaded(dirPath)
    return [...dir.names.keys(), ...dir.subdirectories]
  }

  getFileSize (path: string): number {
    return this.fileOf(path).file.handle.getSize()
  }

  // In a directory this Env does not hold (after its lock was released, as destroy does), the
  // file is removed in the background, before anything later this Env is asked to do.
  removeFile (path: string): void {
    const { dir: dirPath, name } = splitPath(path)
    const dir = this.directories.get(directoryKey(dirPath))
    if (dir === undefined) {
      void this.enqueue(async () => {
        const handle = await this.directoryHandle(dirPath, false)
        if (handle !== undefined) await holding(handle, h => h.removeEntry(name)).catch(err => { if (domErrorName(err) !== 'NotFoundError') throw err })
      })
      return
    }
    if (!dir.names.has(name)) throw ioError(`IO error: unlink ${path}: No such file or directory`)
    this.bind(dir, name, undefined)
  }

  renameFile (from: string, to: string): void {
    const source = this.fileOf(from)
    const target = splitPath(to)
    if (this.directories.get(directoryKey(target.dir)) !== source.dir) {
      throw ioError(`IO error: rename ${from} to ${to}: the OPFS Env renames only within a directory`)
    }
    if (source.name === target.name) return
    const dir = source.dir
    const previous = dir.names.get(target.name)
    this.appendRecord(dir, { name: target.name, file: source.file.name, from: source.name })
    dir.names.set(target.name, source.file)
    dir.names.delete(source.name)
    if (previous !== undefined && previous !== source.file) this.release(dir, previous)
  }

  linkFile (from: string, to: string): void {
    const cause = Object.assign(new Error('OPFS has no hard links'), { code: 'ENOTSUP' })
    throw ioError(`IO error: link ${from} to ${to}: not supported`, cause)
  }

  createDir (path: string): void {
    if (this.directories.has(directoryKey(path))) return
    throw ioError(`IO error: mkdir ${path}: the OPFS Env creates directories only in loadDirectory`)
  }

  // A directory this Env holds must be released first; the removal happens in the background,
  // before anything later this Env is asked to do.
  removeDir (path: string): void {
    const key = directoryKey(path)
    if (this.directories.has(key)) throw ioError(`IO error: rmdir ${path}: still open`)
    const parts = pathParts(key)
    const name = parts.pop()
    if (name === undefined) throw ioError('IO error: rmdir /: not allowed')
    void this.enqueue(async () => {
      const parent = await this.directoryHandle('/' + parts.join('/'), false)
      // Not recursive: foreign files keep the directory, as on Node.
      if (parent !== undefined) await holding(parent, p => p.removeEntry(name)).catch(err => {
        if (domErrorName(err) !== 'NotFoundError' && domErrorName(err) !== 'InvalidModificationError') throw err
      })
    })
  }

  syncDir (path: string): void {
    const dir = this.loaded(path)
    if (!dir.journalDirty) return
    dir.journal.flush()
    dir.journalDirty = false
  }

  async syncDirAsync (path: string): Promise<void> {
    if (this.queueError !== null) {
      const err = this.queueError
      this.queueError = null
      throw ioError(`IO error: ${path}: ${err.message}`, err)
    }
    this.syncDir(path)
  }

  async lockFile (path: string, mode: LockMode = 'exclusive'): Promise<FileLock> {
    if (mode === 'shared') throw notSupported(`lock ${path}: a directory is held exclusively in the OPFS Env, so it cannot be shared with readers`)
    const { dir: dirPath } = splitPath(path)
    const dir = this.directories.get(directoryKey(dirPath))
    if (dir === undefined) throw ioError(`IO error: lock ${path}: the directory is not loaded in the OPFS Env (loadDirectory first)`)
    if (dir.locked) throw lockedError(`IO error: lock ${path}: already held by this worker`)
    dir.locked = true
    return { path, kind: 'opfs', mode }
  }

  // Releases the directory: moves every file to its name, empties the journal and closes every
  // handle, LOCK's last.
  async unlockFile (lock: FileLock): Promise<void> {
    const key = directoryKey(splitPath(lock.path).dir)
    const dir = this.directories.get(key)
    if (dir === undefined || !dir.locked) return
    this.directories.delete(key)
    this.wakeSpareWaiters()
    await this.enqueue(async () => {
      const names = new Map<string, string>()
      for (const [name, file] of dir.names) names.set(name, file.name)
      const physical = new Set<string>([LOCK_NAME, NAMES_JOURNAL])
      for (const file of [...dir.names.values(), ...dir.unnamed, ...dir.spares]) {
        physical.add(file.name)
        file.handle.close()
      }
      await settleNames(dir.handle, dir.journal, physical, names)
      dir.journal.close()
      await dir.handle.removeEntry(NAMES_JOURNAL)
    }).finally(() => dir.lockHandle.close())
    if (this.queueError !== null) {
      const err = this.queueError
      this.queueError = null
      throw ioError(`IO error: unlock ${lock.path}: ${err.message}`, err)
    }
  }
}

export class OpfsRandomAccessFile implements RandomAccessFile {
  constructor (private readonly handle: OpfsSyncAccessHandle, private readonly done: () => void) {}

  read (offset: number, length: number, into?: Buffer): Buffer {
    const buffer = into !== undefined && into.length >= length ? into.subarray(0, length) : Buffer.allocUnsafe(length)
    const read = this.handle.read(buffer, { at: offset })
    return read === length ? buffer : buffer.subarray(0, read)
  }

  size (): number {
    return this.handle.getSize()
  }

  close (): void {
    this.done()
  }
}

function writeAll (handle: OpfsSyncAccessHandle, data: Uint8Array, at: number): void {
  let written = 0
  while (written < data.length) {
    const n = handle.write(data.subarray(written), { at: at + written })
    if (n <= 0) throw ioError(`IO error: write: wrote ${n} bytes`)
    written += n
  }
}

// Appends are buffered, as WritableFile promises, and flush() writes them with one handle.write():
// each write of a sync access handle costs Chromium tens of microseconds whatever its size, so a
// log record written as header and payload, or a table block as contents and trailer, would
// otherwise pay it twice. Bytes written survive the worker or tab being killed (the handle writes
// straight to the file); sync() also flushes the handle, which makes them survive power loss.
const WRITE_BUFFER_SIZE = 64 * 1024

export class OpfsWritableFile implements WritableFile {
  private buffer: Uint8Array | null = null
  private buffered = 0

  constructor (private readonly handle: OpfsSyncAccessHandle, private position: number, private readonly done: () => void) {}

  append (data: Uint8Array): void {
    if (this.buffered + data.length > WRITE_BUFFER_SIZE) {
      this.flush()
      if (data.length > WRITE_BUFFER_SIZE) {
        this.writeAt(data)
        return
      }
    }
    // Allocated at the first append: a file written whole in one append (a large one) needs none.
    this.buffer ??= new Uint8Array(WRITE_BUFFER_SIZE)
    this.buffer.set(data, this.buffered)
    this.buffered += data.length
  }

  flush (): void {
    if (this.buffered === 0 || this.buffer === null) return
    const n = this.buffered
    this.buffered = 0
    this.writeAt(this.buffer.subarray(0, n))
  }

  private writeAt (data: Uint8Array): void {
    writeAll(this.handle, data, this.position)
    this.position += data.length
  }

  async appendAsync (data: Uint8Array): Promise<void> {
    this.flush()
    this.writeAt(data)
  }

  sync (): void {
    this.flush()
    this.handle.flush()
  }

  async syncAsync (): Promise<void> {
    this.sync()
  }

  close (): void {
    try {
      this.flush()
    } finally {
      this.done()
    }
  }
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

// One record a line: the CRC-32C of the JSON text (8 hex digits), a space, the JSON text.
function encodeRecord (record: JournalRecord): Uint8Array {
  const json = encoder.encode(JSON.stringify(record))
  return encoder.encode(`${crc32cOf(json).toString(16).padStart(8, '0')} ${decoder.decode(json)}\n`)
}

// Records up to the first torn or damaged line, which a crash mid-append leaves at the end.
function readJournal (handle: OpfsSyncAccessHandle): JournalRecord[] {
  const bytes = new Uint8Array(handle.getSize())
  handle.read(bytes, { at: 0 })
  return parseJournal(bytes)
}

export function parseJournal (bytes: Uint8Array): JournalRecord[] {
  const records: JournalRecord[] = []
  let start = 0
  while (start < bytes.length) {
    const end = bytes.indexOf(0x0a, start)
    if (end < 0 || end - start < 10) break
    const crc = decoder.decode(bytes.subarray(start, start + 8))
    const json = bytes.subarray(start + 9, end)
    if (parseInt(crc, 16) !== crc32cOf(json) || !/^[0-9a-f]{8}$/.test(crc)) break
    records.push(JSON.parse(decoder.decode(json)) as JournalRecord)
    start = end + 1
  }
  return records
}

// The names a journal gives, replayed over the directory's physical files: a file the journal
// does not mention keeps its own name; internal files have none.
export function replayJournal (physical: ReadonlySet<string>, records: readonly JournalRecord[]): Map<string, string> {
  const names = new Map<string, string>()
  for (const name of physical) if (!name.startsWith(INTERNAL_PREFIX) && name !== LOCK_NAME) names.set(name, name)
  const happened = movesThatHappened(physical, records)
  for (const record of records) {
    if ('moved' in record) {
      // Names that referred to a file that was moved follow it.
      if (!happened.has(record)) continue
      for (const [name, file] of names) if (file === record.moved) names.set(name, record.to)
    } else {
      if (record.from !== undefined) names.delete(record.from)
      if (record.file === undefined) names.delete(record.name)
      else names.set(record.name, record.file)
    }
  }
  return names
}

// Which recorded moves were made (settleNames makes them in the order recorded, and stops at a
// crash): a move to a temporary name was made if that name exists, or if the move on from it was
// made; a move from a temporary name was made if that name no longer exists.
function movesThatHappened (physical: ReadonlySet<string>, records: readonly JournalRecord[]): Set<JournalRecord> {
  const happened = new Set<JournalRecord>()
  const movedOn = new Set<string>()
  for (let i = records.length - 1; i >= 0; i--) {
    const record = records[i]
    if (!('moved' in record)) continue
    const made = record.to.startsWith(MOVING_PREFIX)
      ? physical.has(record.to) || movedOn.has(record.to)
      : !physical.has(record.moved)
    if (!made) continue
    happened.add(record)
    movedOn.add(record.moved)
  }
  return happened
}

// Makes the physical names what `names` says, with no handle open on the files but LOCK's and
// the journal's: removes files no name refers to, then moves every misnamed file to a temporary
// name no file has had, then each to its name, which is free by then. The moves of each phase are
// recorded in the journal before they are made; once all are made, the journal is emptied.
export async function settleNames (dir: OpfsDirectoryHandle, journal: OpfsSyncAccessHandle, physical: Set<string>, names: ReadonlyMap<string, string>): Promise<void> {
  const wanted = new Map<string, string>()
  for (const [name, file] of names) if (physical.has(file)) wanted.set(file, name)
  for (const file of [...physical]) {
    if (file === LOCK_NAME || file === NAMES_JOURNAL || wanted.has(file)) continue
    await dir.removeEntry(file)
    physical.delete(file)
  }
  const stamp = Date.now().toString(36)
  let next = 0
  const temporaryName = (): string => {
    let name = `${MOVING_PREFIX}${stamp}-${next++}`
    while (physical.has(name)) name = `${MOVING_PREFIX}${stamp}-${next++}`
    return name
  }
  const moves = [...wanted].filter(([file, name]) => file !== name).map(([file, name]) => ({ file, name, temporary: temporaryName() }))
  const phase = async (steps: Array<{ from: string, to: string }>): Promise<void> => {
    for (const { from, to } of steps) appendToJournal(journal, { moved: from, to })
    journal.flush()
    for (const { from, to } of steps) {
      await holding(await dir.getFileHandle(from), file => file.move(dir, to))
      physical.delete(from)
      physical.add(to)
    }
  }
  await phase(moves.map(({ file, temporary }) => ({ from: file, to: temporary })))
  await phase(moves.map(({ temporary, name }) => ({ from: temporary, to: name })))
  journal.truncate(0)
  journal.flush()
}

function appendToJournal (journal: OpfsSyncAccessHandle, record: JournalRecord): void {
  writeAll(journal, encodeRecord(record), journal.getSize())
}
