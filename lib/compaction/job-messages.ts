// Job requests and results as they cross between threads. Structured cloning turns Buffers
// into plain Uint8Arrays and errors lose their codes, so both are restored here.
import ModuleError from 'module-error'
import type { FileMetaData } from '../version/file-metadata'
import { asBuffer, copyBytes } from '../format/key-buffer'
import { errorCode } from '../util/errors'
import type { LogFlushJob, LogFlushResult, MemTableFlushJob, MemTableFlushResult } from './flush-job'
import type { CompactionJob, CompactionResult } from './compaction-job'
import type { LiveFiles, SweepResult } from '../version/obsolete-files'

// `sweep` lists the directory and unlinks obsolete files, which can take milliseconds on a busy disk.
// `flush` writes a live memtable out; `recover` writes out the writes of a log found at open.
export type JobRequest =
  | { kind: 'flush', job: MemTableFlushJob }
  | { kind: 'recover', job: LogFlushJob }
  | { kind: 'compact', job: CompactionJob }
  | { kind: 'sweep', live: LiveFiles }

export interface EncodedError {
  message: string
  code?: string
}

export interface JobResponse {
  id: number
  result?: MemTableFlushResult | LogFlushResult | CompactionResult | SweepResult
  error?: EncodedError
}

function reviveFile (f: FileMetaData): FileMetaData {
  return { number: f.number, fileSize: f.fileSize, smallest: asBuffer(f.smallest), largest: asBuffer(f.largest) }
}

// Keys may be views into large buffers, and cloning a view copies its whole ArrayBuffer.
function detachFile (f: FileMetaData): FileMetaData {
  return { number: f.number, fileSize: f.fileSize, smallest: copyBytes(f.smallest), largest: copyBytes(f.largest) }
}

function mapCompactionKeys (job: CompactionJob, mapFile: (f: FileMetaData) => FileMetaData, mapKey: (key: Buffer) => Buffer): CompactionJob {
  const c = job.compaction
  return {
    ...job,
    compaction: {
      ...c,
      inputs: [c.inputs[0].map(mapFile), c.inputs[1].map(mapFile)],
      grandparents: c.grandparents.map(mapFile),
      deeperLevels: c.deeperLevels.map(files => files.map(mapFile)),
      compactPointer: c.compactPointer === undefined ? undefined : mapKey(c.compactPointer)
    }
  }
}

export function detachCompactionJob (job: CompactionJob): CompactionJob {
  return mapCompactionKeys(job, detachFile, copyBytes)
}

export function reviveCompactionJob (job: CompactionJob): CompactionJob {
  return mapCompactionKeys(job, reviveFile, asBuffer)
}

export function reviveCompactionResult (result: CompactionResult): CompactionResult {
  return { ...result, outputs: result.outputs.map(reviveFile) }
}

export function reviveFlushResult<T extends MemTableFlushResult> (result: T): T {
  return { ...result, meta: result.meta === undefined ? undefined : reviveFile(result.meta) }
}

// The arena arrives as a Uint8Array over the same shared memory.
export function reviveMemTableFlushJob (job: MemTableFlushJob): MemTableFlushJob {
  return { ...job, arena: asBuffer(job.arena) }
}

export function encodeError (err: unknown): EncodedError {
  const e = err as { message?: unknown }
  return { message: String(e?.message ?? err), code: errorCode(err) }
}

export function decodeError (encoded: EncodedError): Error {
  return new ModuleError(encoded.message, { code: encoded.code ?? 'LEVEL_IO_ERROR' })
}
