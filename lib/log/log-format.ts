// LevelDB's write-ahead log format (doc/log_format.md): the file is a sequence of 32 KiB blocks,
// each holding physical records with a 7-byte header: masked crc32c (4), length (2), type (1).
// The crc covers the type byte and the payload, so a record is never trusted by length alone.

export const BLOCK_SIZE = 32768
export const HEADER_SIZE = 7

export const enum RecordType {
  // Preallocated (zero-filled) file regions read as zero-length records of this type.
  Zero = 0,
  Full = 1,
  // Fragments of a record that does not fit in the rest of a block.
  First = 2,
  Middle = 3,
  Last = 4
}

export const MAX_RECORD_TYPE = RecordType.Last
