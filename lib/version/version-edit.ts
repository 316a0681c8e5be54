// One MANIFEST record: a change to the set of live files and to the database's counters,
// in LevelDB's VersionEdit encoding (a sequence of varint tags, each followed by its fields).
import { ByteWriter, getLengthPrefixed, getVarint, type Cursor } from '../format/coding'
import { TAG_SIZE } from '../format/internal-key'
import { corruption } from '../util/errors'
import type { FileMetaData } from './file-metadata'
import { NUM_LEVELS } from './version'
import { copyBytes } from '../format/key-buffer'

// Written to disk; never renumber. Tag 8 held large value refs in early LevelDB and is not supported.
const enum Tag {
  Comparator = 1,
  LogNumber = 2,
  NextFileNumber = 3,
  LastSequence = 4,
  CompactPointer = 5,
  DeletedFile = 6,
  NewFile = 7,
  PrevLogNumber = 9
}

export interface CompactPointer {
  level: number
  // Internal key.
  key: Buffer
}

export interface DeletedFile {
  level: number
  number: number
}

export interface NewFile {
  level: number
  meta: FileMetaData
}

export class VersionEdit {
  comparator?: string
  logNumber?: number
  prevLogNumber?: number
  nextFileNumber?: number
  lastSequence?: number
  compactPointers: CompactPointer[] = []
  deletedFiles: DeletedFile[] = []
  newFiles: NewFile[] = []

  setCompactPointer (level: number, key: Buffer): void {
    this.compactPointers.push({ level, key })
  }

  addFile (level: number, meta: FileMetaData): void {
    this.newFiles.push({ level, meta })
  }

  // A file is deleted at most once per edit, as in LevelDB's set of deleted files.
  deleteFile (level: number, number: number): void {
    for (const file of this.deletedFiles) {
      if (file.level === level && file.number === number) return
    }
    this.deletedFiles.push({ level, number })
  }

  encode (): Buffer {
    const out = new ByteWriter()
    if (this.comparator !== undefined) {
      out.varint(Tag.Comparator)
      out.lengthPrefixed(Buffer.from(this.comparator, 'utf8'))
    }
    if (this.logNumber !== undefined) {
      out.varint(Tag.LogNumber)
      out.varint(this.logNumber)
    }
    if (this.prevLogNumber !== undefined) {
      out.varint(Tag.PrevLogNumber)
      out.varint(this.prevLogNumber)
    }
    if (this.nextFileNumber !== undefined) {
      out.varint(Tag.NextFileNumber)
      out.varint(this.nextFileNumber)
    }
    if (this.lastSequence !== undefined) {
      out.varint(Tag.LastSequence)
      out.varint(this.lastSequence)
    }
    for (const pointer of this.compactPointers) {
      out.varint(Tag.CompactPointer)
      out.varint(pointer.level)
      out.lengthPrefixed(pointer.key)
    }
    // LevelDB keeps deleted files in an ordered set, so they are written sorted by (level, number).
    const deleted = this.deletedFiles.slice().sort((a, b) => a.level - b.level || a.number - b.number)
    for (const file of deleted) {
      out.varint(Tag.DeletedFile)
      out.varint(file.level)
      out.varint(file.number)
    }
    for (const { level, meta } of this.newFiles) {
      out.varint(Tag.NewFile)
      out.varint(level)
      out.varint(meta.number)
      out.varint(meta.fileSize)
      out.lengthPrefixed(meta.smallest)
      out.lengthPrefixed(meta.largest)
    }
    return out.toBuffer()
  }

  // Keys in the result are views into buf.
  static decode (buf: Buffer): VersionEdit {
    const edit = new VersionEdit()
    const cursor: Cursor = { offset: 0 }
    while (cursor.offset < buf.length) {
      const tag = getVarint(buf, cursor)
      switch (tag) {
        case Tag.Comparator:
          edit.comparator = getLengthPrefixed(buf, cursor).toString('utf8')
          break
        case Tag.LogNumber:
          edit.logNumber = readNumber(buf, cursor)
          break
        case Tag.PrevLogNumber:
          edit.prevLogNumber = readNumber(buf, cursor)
          break
        case Tag.NextFileNumber:
          edit.nextFileNumber = readNumber(buf, cursor)
          break
        case Tag.LastSequence:
          edit.lastSequence = readNumber(buf, cursor)
          break
        case Tag.CompactPointer: {
          const level = readLevel(buf, cursor)
          edit.setCompactPointer(level, readInternalKey(buf, cursor))
          break
        }
        case Tag.DeletedFile: {
          const level = readLevel(buf, cursor)
          edit.deleteFile(level, readNumber(buf, cursor))
          break
        }
        case Tag.NewFile: {
          const level = readLevel(buf, cursor)
          const number = readNumber(buf, cursor)
          const fileSize = readNumber(buf, cursor)
          const smallest = readInternalKey(buf, cursor)
          const largest = readInternalKey(buf, cursor)
          edit.addFile(level, { number, fileSize, smallest, largest })
          break
        }
        default:
          throw corruption(`VersionEdit: unknown tag ${tag}`)
      }
    }
    return edit
  }
}

// Numbers beyond 2^53 cannot be held exactly, so treat them as damage rather than round them.
function readNumber (buf: Buffer, cursor: Cursor): number {
  const value = getVarint(buf, cursor)
  if (value > Number.MAX_SAFE_INTEGER) throw corruption('VersionEdit: number too large')
  return value
}

function readLevel (buf: Buffer, cursor: Cursor): number {
  const level = getVarint(buf, cursor)
  if (level >= NUM_LEVELS) throw corruption(`VersionEdit: bad level ${level}`)
  return level
}

function readInternalKey (buf: Buffer, cursor: Cursor): Buffer {
  const key = getLengthPrefixed(buf, cursor)
  if (key.length < TAG_SIZE) throw corruption('VersionEdit: internal key too short')
  // Versions keep these keys for as long as the file lives; a view would keep the whole record.
  return copyBytes(key)
}
