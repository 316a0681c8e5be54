import tape from 'tape'
import { VersionEdit } from '../../lib/version/version-edit'
import { makeInternalKey, ValueType } from '../../lib/format/internal-key'
import { errorCode } from '../../lib/util/errors'

const isCorruption = (err: unknown): boolean => errorCode(err) === 'LEVEL_CORRUPTION'

function fullEdit (): VersionEdit {
  const edit = new VersionEdit()
  edit.comparator = 'leveldb.BytewiseComparator'
  edit.logNumber = 5
  edit.prevLogNumber = 4
  edit.nextFileNumber = 300
  edit.lastSequence = 2 ** 40
  edit.setCompactPointer(1, makeInternalKey(Buffer.from('m'), 7, ValueType.Value))
  edit.deleteFile(2, 9)
  edit.deleteFile(0, 12)
  edit.deleteFile(2, 9)
  edit.addFile(3, {
    number: 10,
    fileSize: 4096,
    smallest: makeInternalKey(Buffer.from('a'), 1, ValueType.Value),
    largest: makeInternalKey(Buffer.from('z'), 2, ValueType.Deletion)
  })
  return edit
}

const FULL_EDIT_HEX =
  '01' + '1a' + Buffer.from('leveldb.BytewiseComparator').toString('hex') +
  '02' + '05' +
  '09' + '04' +
  '03' + 'ac02' +
  '04' + '808080808020' +
  '05' + '01' + '09' + '6d' + '0107000000000000' +
  // Deleted files come out sorted by (level, number), once each.
  '06' + '00' + '0c' +
  '06' + '02' + '09' +
  '07' + '03' + '0a' + '8020' + '09' + '61' + '0101000000000000' + '09' + '7a' + '0002000000000000'

tape('golden bytes of an edit with every field', (t) => {
  t.is(fullEdit().encode().toString('hex'), FULL_EDIT_HEX)
  t.is(new VersionEdit().encode().length, 0, 'an empty edit encodes to nothing')
  t.end()
})

tape('round trip', (t) => {
  const decoded = VersionEdit.decode(Buffer.from(FULL_EDIT_HEX, 'hex'))
  const expected = fullEdit()
  t.is(decoded.comparator, expected.comparator)
  t.is(decoded.logNumber, 5)
  t.is(decoded.prevLogNumber, 4)
  t.is(decoded.nextFileNumber, 300)
  t.is(decoded.lastSequence, 2 ** 40)
  t.same(decoded.compactPointers, expected.compactPointers)
  t.same(decoded.deletedFiles, [{ level: 0, number: 12 }, { level: 2, number: 9 }])
  t.same(decoded.newFiles, expected.newFiles)
  t.is(decoded.encode().toString('hex'), FULL_EDIT_HEX, 're-encodes identically')

  const partial = new VersionEdit()
  partial.logNumber = 0
  partial.lastSequence = Number.MAX_SAFE_INTEGER
  const back = VersionEdit.decode(partial.encode())
  t.is(back.logNumber, 0, 'zero is kept, not dropped')
  t.is(back.lastSequence, Number.MAX_SAFE_INTEGER)
  t.is(back.comparator, undefined)
  t.is(back.nextFileNumber, undefined)
  t.end()
})

tape('malformed edits are corruption', (t) => {
  const bad: Array<[string, string]> = [
    ['08', 'tag 8 (large value refs)'],
    ['0a00', 'unknown tag'],
    ['80', 'truncated tag'],
    ['0105616263', 'truncated comparator'],
    ['02', 'missing log number'],
    ['0280', 'truncated log number'],
    ['0307' + '0000', 'stray bytes after a field are read as a tag'],
    ['0607' + '01', 'deleted file at level 7'],
    ['0500' + '0161', 'compact pointer key shorter than a tag'],
    ['0701' + '0a' + '10', 'new file without keys'],
    ['0701' + '0a' + '10' + '09610101000000000000' + '0961', 'truncated largest key'],
    ['04' + 'ffffffffffffffff7f', 'sequence beyond 2^53']
  ]
  for (const [hex, what] of bad) {
    t.throws(() => VersionEdit.decode(Buffer.from(hex, 'hex')), isCorruption, what)
  }
  t.end()
})
