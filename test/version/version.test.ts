// Version queries (overlap, file search, memtable placement) and VersionBuilder edit application.
import test from 'tape'
import { Version, NUM_LEVELS, MAX_MEM_COMPACT_LEVEL, findFile } from '../../lib/version/version'
import { VersionBuilder } from '../../lib/version/version-builder'
import { VersionEdit } from '../../lib/version/version-edit'
import type { FileMetaData } from '../../lib/version/file-metadata'
import { compareInternalKeys, makeInternalKey, MAX_SEQUENCE, ValueType, VALUE_TYPE_FOR_SEEK } from '../../lib/format/internal-key'
import { errorCode } from '../../lib/util/errors'
import { createRandom, testSeed } from '../util/random'

function ik (userKey: string, sequence = 100, type: ValueType = ValueType.Value): Buffer {
  return makeInternalKey(Buffer.from(userKey), sequence, type)
}

function file (number: number, smallest: string, largest: string, fileSize = 1000, smallestSeq = 100, largestSeq = 100): FileMetaData {
  return { number, fileSize, smallest: ik(smallest, smallestSeq), largest: ik(largest, largestSeq) }
}

function versionOf (levels: Record<number, FileMetaData[]>): Version {
  const files: FileMetaData[][] = Array.from({ length: NUM_LEVELS }, (_, level) => levels[level] ?? [])
  return new Version(files)
}

function numbers (files: readonly FileMetaData[]): number[] {
  return files.map(f => f.number).sort((a, b) => a - b)
}

const seekKey = (userKey: string): Buffer => makeInternalKey(Buffer.from(userKey), MAX_SEQUENCE, VALUE_TYPE_FOR_SEEK)

test('overlappingInputs at level 0 grows the range across chained overlapping files', (t) => {
  // 1 [a..c] overlaps 2 [b..e] overlaps 3 [d..g]; 4 [x..z] stands alone.
  const v = versionOf({ 0: [file(1, 'a', 'c'), file(2, 'b', 'e'), file(3, 'd', 'g'), file(4, 'x', 'z')] })
  t.same(numbers(v.overlappingInputs(0, ik('a'), ik('a'))), [1, 2, 3], 'a query at the left end pulls in the whole chain')
  t.same(numbers(v.overlappingInputs(0, ik('f'), ik('f'))), [1, 2, 3], 'a query at the right end pulls in the whole chain')
  t.same(numbers(v.overlappingInputs(0, ik('y'), ik('y'))), [4], 'an isolated file stays alone')
  t.same(numbers(v.overlappingInputs(0, ik('h'), ik('w'))), [], 'a gap overlaps nothing')
  t.same(numbers(v.overlappingInputs(0, null, null)), [1, 2, 3, 4], 'unbounded query returns every file')
  t.same(numbers(v.overlappingInputs(0, null, ik('a'))), [1, 2, 3], 'open begin still expands to the right')
  t.same(numbers(v.overlappingInputs(0, ik('g'), null)), [1, 2, 3, 4], 'open end still expands to the left')
  // Sequence numbers in the query bounds do not matter: ranges are compared by user key.
  t.same(numbers(v.overlappingInputs(0, ik('c', 1), ik('c', MAX_SEQUENCE))), [1, 2, 3])
  t.end()
})

test('overlappingInputs at level > 0 does not expand', (t) => {
  const v = versionOf({ 1: [file(1, 'a', 'b'), file(2, 'd', 'e'), file(3, 'g', 'h')] })
  t.same(numbers(v.overlappingInputs(1, ik('c'), ik('d'))), [2])
  t.same(numbers(v.overlappingInputs(1, ik('b'), ik('g'))), [1, 2, 3], 'inclusive on both ends')
  t.same(numbers(v.overlappingInputs(1, ik('e'), ik('e'))), [2])
  t.same(numbers(v.overlappingInputs(1, ik('i'), ik('z'))), [])
  t.same(numbers(v.overlappingInputs(1, ik('c'), ik('c'))), [], 'a key between files overlaps nothing')
  t.same(numbers(v.overlappingInputs(1, null, ik('b'))), [1])
  t.same(numbers(v.overlappingInputs(1, ik('f'), null)), [3])
  t.same(numbers(v.overlappingInputs(1, null, null)), [1, 2, 3])
  t.same(numbers(v.overlappingInputs(2, null, null)), [], 'empty level')
  t.end()
})

test('findFile: first file whose largest key is >= the target', (t) => {
  const files = [file(1, 'b', 'd', 1, 100, 50), file(2, 'f', 'h', 1, 100, 50), file(3, 'k', 'm', 1, 100, 50)]
  t.equal(findFile([], seekKey('a')), 0, 'empty list')
  t.equal(findFile(files, seekKey('a')), 0, 'before everything')
  t.equal(findFile(files, seekKey('c')), 0, 'inside the first file')
  t.equal(findFile(files, seekKey('e')), 1, 'in the gap after the first file')
  t.equal(findFile(files, seekKey('h')), 1, 'seek key for a largest user key')
  t.equal(findFile(files, ik('h', 50)), 1, 'exactly the largest internal key')
  t.equal(findFile(files, ik('h', 49)), 2, 'an older version of the largest user key sorts after the file')
  t.equal(findFile(files, seekKey('m')), 2)
  t.equal(findFile(files, seekKey('z')), 3, 'after everything')

  const seed = testSeed(7919)
  t.comment(`seed ${seed} (replay with AIDB_TEST_SEED)`)
  const random = createRandom(seed)
  for (let round = 0; round < 50; round++) {
    const count = random.int(20)
    const sorted: FileMetaData[] = []
    let next = 0
    for (let i = 0; i < count; i++) {
      const lo = next + random.int(3)
      const hi = lo + random.int(3)
      next = hi + 1
      sorted.push(file(i + 1, String(lo).padStart(3, '0'), String(hi).padStart(3, '0')))
    }
    for (let probe = 0; probe < 20; probe++) {
      const target = ik(String(random.int(next + 2)).padStart(3, '0'), random.int(200))
      let expected = sorted.findIndex(f => compareInternalKeys(f.largest, target) >= 0)
      if (expected < 0) expected = sorted.length
      if (findFile(sorted, target) !== expected) {
        t.fail(`findFile mismatch in round ${round}: expected ${expected}`)
        return t.end()
      }
    }
  }
  t.pass('findFile agrees with a linear scan on random file lists')
  t.end()
})

test('overlapInLevel at level 0 and deeper levels', (t) => {
  const v = versionOf({
    0: [file(10, 'm', 'p'), file(11, 'c', 'e')],
    1: [file(1, 'b', 'd'), file(2, 'h', 'j')]
  })
  const b = (s: string): Buffer => Buffer.from(s)
  t.ok(v.overlapInLevel(0, b('a'), b('c')), 'level 0 touching the smallest key')
  t.ok(v.overlapInLevel(0, b('p'), b('z')), 'level 0 touching the largest key')
  t.notOk(v.overlapInLevel(0, b('f'), b('l')), 'level 0 gap between files')
  t.ok(v.overlapInLevel(0, null, b('c')))
  t.notOk(v.overlapInLevel(0, b('q'), null))
  t.ok(v.overlapInLevel(1, b('d'), b('d')))
  t.ok(v.overlapInLevel(1, b('a'), b('z')), 'range covering several files')
  t.notOk(v.overlapInLevel(1, b('e'), b('g')), 'gap between level-1 files')
  t.notOk(v.overlapInLevel(1, b('k'), null), 'after the last file')
  t.notOk(v.overlapInLevel(1, null, b('a')), 'before the first file')
  t.ok(v.overlapInLevel(1, null, b('b')))
  t.ok(v.overlapInLevel(1, null, null))
  t.notOk(v.overlapInLevel(2, null, null), 'empty level overlaps nothing')
  t.end()
})

test('pickLevelForMemTableOutput', (t) => {
  const b = (s: string): Buffer => Buffer.from(s)
  const limit = 10000
  t.equal(versionOf({}).pickLevelForMemTableOutput(b('a'), b('z'), limit), MAX_MEM_COMPACT_LEVEL, 'empty version: as deep as allowed')
  t.equal(MAX_MEM_COMPACT_LEVEL, 2)
  t.equal(versionOf({ 0: [file(1, 'c', 'd')] }).pickLevelForMemTableOutput(b('a'), b('c'), limit), 0, 'overlaps level 0')
  t.equal(versionOf({ 0: [file(1, 'c', 'd')] }).pickLevelForMemTableOutput(b('e'), b('f'), limit), 2, 'level-0 file elsewhere does not matter')
  t.equal(versionOf({ 1: [file(1, 'c', 'd')] }).pickLevelForMemTableOutput(b('a'), b('c'), limit), 0, 'overlaps level 1')
  t.equal(versionOf({ 2: [file(1, 'c', 'd', 100)] }).pickLevelForMemTableOutput(b('a'), b('c'), limit), 1, 'overlaps level 2')
  t.equal(versionOf({ 2: [file(1, 'c', 'd', limit + 1)] }).pickLevelForMemTableOutput(b('a'), b('c'), limit), 0,
    'too many grandparent bytes at level 2 keeps it at level 0')
  t.equal(versionOf({ 3: [file(1, 'c', 'd', limit + 1)] }).pickLevelForMemTableOutput(b('a'), b('c'), limit), 1,
    'too many grandparent bytes at level 3 stops at level 1')
  t.equal(versionOf({ 3: [file(1, 'c', 'd', limit)] }).pickLevelForMemTableOutput(b('a'), b('c'), limit), 2,
    'grandparent bytes exactly at the limit are allowed')
  t.equal(versionOf({ 3: [file(1, 'x', 'y', limit * 5)] }).pickLevelForMemTableOutput(b('a'), b('c'), limit), 2,
    'non-overlapping level-3 bytes do not count')
  t.equal(versionOf({ 4: [file(1, 'a', 'z', limit * 5)] }).pickLevelForMemTableOutput(b('a'), b('c'), limit), 2,
    'levels below level 3 are never considered')
  t.end()
})

test('VersionBuilder applies added and deleted files', (t) => {
  const base = versionOf({ 0: [file(5, 'a', 'c')], 1: [file(1, 'a', 'b'), file(2, 'e', 'f')], 2: [file(3, 'a', 'z')], 5: [file(4, 'a', 'z')] })
  const builder = new VersionBuilder(base)
  const edit1 = new VersionEdit()
  edit1.deleteFile(1, 1)
  edit1.addFile(1, file(7, 'c', 'd'))
  edit1.addFile(1, file(6, 'g', 'h'))
  edit1.addFile(0, file(8, 'b', 'k'))
  edit1.addFile(3, file(9, 'a', 'b'))
  builder.apply(edit1)
  const edit2 = new VersionEdit()
  edit2.deleteFile(3, 9) // added then deleted
  edit2.deleteFile(2, 3)
  edit2.addFile(2, file(3, 'm', 'n')) // deleted then added again (as a new description)
  builder.apply(edit2)
  const v = builder.build()

  t.same(v.files[0].map(f => f.number), [5, 8], 'level 0 keeps both files, sorted by smallest key')
  t.same(v.files[1].map(f => f.number), [7, 2, 6], 'level 1 sorted by smallest key, deleted file gone')
  t.same(v.files[2].map(f => f.number), [3])
  t.equal(v.files[2][0].smallest.toString('latin1', 0, 1), 'm', 're-added file uses its new metadata')
  t.same(v.files[3], [], 'a file added and later deleted is gone')
  t.same(base.files[1].map(f => f.number), [1, 2], 'the base version is unchanged')
  t.equal(base.files[2].length, 1)
  t.equal(v.files[5], base.files[5], 'a level no edit touches is shared with the base, not copied')
  t.notEqual(v.files[1], base.files[1], 'a touched level is a new array')
  t.end()
})

test('VersionBuilder rejects overlapping files at level > 0', (t) => {
  const base = versionOf({ 1: [file(1, 'a', 'c'), file(2, 'e', 'f')] })
  const cases: Array<[string, FileMetaData]> = [
    ['inside another file', file(3, 'b', 'b')],
    ['straddling two files', file(3, 'c', 'e')],
    ['covering everything', file(3, '0', 'z')]
  ]
  for (const [name, meta] of cases) {
    const builder = new VersionBuilder(base)
    const edit = new VersionEdit()
    edit.addFile(1, meta)
    try {
      builder.build() // nothing applied yet: fine
      builder.apply(edit)
      builder.build()
      t.fail(`${name}: should have thrown`)
    } catch (err) {
      t.equal(errorCode(err), 'LEVEL_CORRUPTION', `${name}: LEVEL_CORRUPTION`)
    }
  }

  // The same overlap at level 0 is allowed.
  const b0 = new VersionBuilder(versionOf({ 0: [file(1, 'a', 'c')] }))
  const e0 = new VersionEdit()
  e0.addFile(0, file(2, 'b', 'd'))
  b0.apply(e0)
  t.equal(b0.build().files[0].length, 2, 'overlap at level 0 is fine')

  // Same user key at a file boundary, but disjoint internal keys: allowed (LevelDB checks internal keys).
  const b1 = new VersionBuilder(versionOf({ 1: [file(1, 'a', 'c', 1, 100, 50)] }))
  const e1 = new VersionEdit()
  e1.addFile(1, file(2, 'c', 'd', 1, 40, 100))
  b1.apply(e1)
  t.same(b1.build().files[1].map(f => f.number), [1, 2], 'split user key across files with disjoint internal keys')

  // Identical internal key on the boundary is an overlap.
  const b2 = new VersionBuilder(versionOf({ 1: [file(1, 'a', 'c', 1, 100, 50)] }))
  const e2 = new VersionEdit()
  e2.addFile(1, file(2, 'c', 'd', 1, 50, 100))
  b2.apply(e2)
  t.throws(() => b2.build(), (err: unknown) => errorCode(err) === 'LEVEL_CORRUPTION', 'shared boundary key is an overlap')

  // Deleting the conflicting file in the same edit makes the addition valid.
  const b3 = new VersionBuilder(base)
  const e3 = new VersionEdit()
  e3.deleteFile(1, 1)
  e3.addFile(1, file(3, 'a', 'd'))
  b3.apply(e3)
  t.same(b3.build().files[1].map(f => f.number), [3, 2], 'replacing a file in one edit')
  t.end()
})
