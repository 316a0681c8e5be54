// Compaction picking: scores, size compactions (level 0, compact pointers, input expansion,
// grandparents), range compactions and trivial moves.
import test from 'tape'
import { Version, NUM_LEVELS } from '../../lib/version/version'
import type { FileMetaData } from '../../lib/version/file-metadata'
import { pickRangeCompaction, pickSizeCompaction } from '../../lib/compaction/picker'
import { computeCompactionScore, maxBytesForLevel, needsCompaction } from '../../lib/version/compaction-score'
import { isTrivialMove, type Compaction } from '../../lib/compaction/compaction'
import { makeInternalKey, ValueType } from '../../lib/format/internal-key'

const options = { maxFileSize: 1000, levelSizeBase: 10000 }

function ik (userKey: string, sequence = 100): Buffer {
  return makeInternalKey(Buffer.from(userKey), sequence, ValueType.Value)
}

function file (number: number, smallest: string, largest: string, fileSize = 100): FileMetaData {
  return { number, fileSize, smallest: ik(smallest), largest: ik(largest) }
}

function versionOf (levels: Record<number, FileMetaData[]>): Version {
  const v = new Version(Array.from({ length: NUM_LEVELS }, (_, level) => levels[level] ?? []))
  computeCompactionScore(v, options)
  return v
}

const numbers = (files: readonly FileMetaData[]): number[] => files.map(f => f.number).sort((a, b) => a - b)
const noPointers = (): Array<Buffer | undefined> => new Array(NUM_LEVELS).fill(undefined)

test('maxBytesForLevel: levelSizeBase at level 1, ten times more per level', (t) => {
  t.equal(maxBytesForLevel(1, options), 10000)
  t.equal(maxBytesForLevel(2, options), 100000)
  t.equal(maxBytesForLevel(3, options), 1000000)
  t.equal(maxBytesForLevel(5, options), 1e8)
  t.end()
})

test('computeCompactionScore', (t) => {
  const empty = versionOf({})
  t.ok(empty.compactionScore < 1, 'empty version needs nothing')
  t.notOk(needsCompaction(empty))

  const l0three = versionOf({ 0: [file(1, 'a', 'b'), file(2, 'a', 'b'), file(3, 'a', 'b')] })
  t.equal(l0three.compactionLevel, 0)
  t.equal(l0three.compactionScore, 0.75, '3 level-0 files: 3/4')
  t.notOk(needsCompaction(l0three))

  const l0four = versionOf({ 0: [1, 2, 3, 4].map(n => file(n, 'a', 'b', 1)) })
  t.equal(l0four.compactionLevel, 0)
  t.equal(l0four.compactionScore, 1, '4 level-0 files trigger, whatever their size')
  t.ok(needsCompaction(l0four))

  const l1 = versionOf({ 0: [file(9, 'a', 'b')], 1: [file(1, 'a', 'b', 9000), file(2, 'c', 'd', 6000)] })
  t.equal(l1.compactionLevel, 1)
  t.equal(l1.compactionScore, 1.5, 'level 1 scored against levelSizeBase')

  const l1under = versionOf({ 1: [file(1, 'a', 'b', 9999)] })
  t.notOk(needsCompaction(l1under), 'just under levelSizeBase')

  const l2 = versionOf({ 1: [file(1, 'a', 'b', 5000)], 2: [file(2, 'a', 'b', 120000)] })
  t.equal(l2.compactionLevel, 2)
  t.equal(l2.compactionScore, 1.2, 'level 2 scored against 10 x levelSizeBase')

  const l2under = versionOf({ 2: [file(2, 'a', 'b', 90000)] })
  t.notOk(needsCompaction(l2under), '90000 bytes at level 2 is fine')

  const l3 = versionOf({ 3: [file(2, 'a', 'b', 2000000)] })
  t.equal(l3.compactionLevel, 3)
  t.equal(l3.compactionScore, 2, 'level 3 scored against 100 x levelSizeBase')

  const best = versionOf({ 0: [1, 2, 3, 4, 5].map(n => file(n, 'a', 'b')), 1: [file(6, 'a', 'b', 11000)] })
  t.equal(best.compactionLevel, 0, 'the highest score wins (1.25 over 1.1)')

  const twelveAtL0 = versionOf({ 0: Array.from({ length: 12 }, (_, i) => file(i + 1, 'a', 'b')), 1: [file(20, 'a', 'b', 60000)] })
  t.equal(twelveAtL0.compactionLevel, 1, 'level 1 at 6.0 goes before 12 level-0 files (3.0), writes stopped or not, as in LevelDB')

  const last = versionOf({ 6: [file(1, 'a', 'b', 1e12)] })
  t.notOk(needsCompaction(last), 'the last level is never scored')
  t.end()
})

test('pickSizeCompaction returns null when nothing needs compaction', (t) => {
  t.equal(pickSizeCompaction(versionOf({ 0: [file(1, 'a', 'b')] }), noPointers(), options), null)
  t.end()
})

test('pickSizeCompaction at level 0 takes every overlapping level-0 file and the level-1 files under them', (t) => {
  const v = versionOf({
    0: [file(11, 'a', 'c'), file(12, 'b', 'f'), file(13, 'm', 'n'), file(14, 'p', 'q')],
    1: [file(21, 'a', 'b'), file(22, 'd', 'g'), file(23, 'h', 'k'), file(24, 'p', 'z')],
    2: [file(31, 'a', 'e'), file(32, 'f', 'j'), file(33, 'k', 'z')]
  })
  t.equal(v.compactionLevel, 0)
  const c = pickSizeCompaction(v, noPointers(), options)
  if (c === null) return t.end()
  t.equal(c.level, 0)
  t.same(numbers(c.inputs[0]), [11, 12], 'chained overlapping level-0 files')
  t.same(numbers(c.inputs[1]), [21, 22], 'level-1 files overlapping a..f')
  t.same(numbers(c.grandparents), [31, 32], 'level-2 files overlapping a..g')
  t.equal(c.maxOutputFileSize, options.maxFileSize)
  t.equal(c.deeperLevels.length, NUM_LEVELS - 2, 'deeper levels start at level 2')
  t.equal(c.deeperLevels[0], v.files[2])
  t.ok(c.compactPointer?.equals(ik('f')), 'compact pointer is the largest key of the level inputs')
  t.end()
})

test('pickSizeCompaction honours compact pointers round robin', (t) => {
  const v = versionOf({ 1: [file(1, 'a', 'b', 4000), file(2, 'c', 'd', 4000), file(3, 'e', 'f', 4000)] })
  t.equal(v.compactionLevel, 1)
  const pointers = noPointers()
  const picked: number[] = []
  for (let round = 0; round < 5; round++) {
    const c = pickSizeCompaction(v, pointers, options)
    if (c === null) {
      t.fail('expected a compaction')
      return t.end()
    }
    t.equal(c.inputs[0].length, 1)
    picked.push(c.inputs[0][0].number)
    pointers[1] = c.compactPointer
  }
  t.same(picked, [1, 2, 3, 1, 2], 'each file in turn, wrapping around')

  const between = noPointers()
  between[1] = ik('c0') // after file 2's smallest but before its largest
  t.equal(pickSizeCompaction(v, between, options)?.inputs[0][0].number, 2, 'first file whose largest key is past the pointer')
  const exact = noPointers()
  exact[1] = ik('d')
  t.equal(pickSizeCompaction(v, exact, options)?.inputs[0][0].number, 3, 'a file ending exactly at the pointer is skipped')
  t.end()
})

test('pickSizeCompaction expands level inputs when level + 1 inputs stay the same', (t) => {
  // Level 1: a..b, c..d, e..f.  Level 2: one file a..e under all three.
  const grows = versionOf({
    1: [file(1, 'a', 'b', 4000), file(2, 'c', 'd', 4000), file(3, 'e', 'f', 4000)],
    2: [file(10, 'a', 'e', 500)],
    3: [file(20, 'a', 'a', 7), file(21, 'f', 'f', 7), file(22, 'g', 'z', 7)]
  })
  const c = pickSizeCompaction(grows, noPointers(), options)
  t.same(numbers(c?.inputs[0] ?? []), [1, 2, 3], 'expanded to every level-1 file inside the level-2 range')
  t.same(numbers(c?.inputs[1] ?? []), [10])
  t.same(numbers(c?.grandparents ?? []), [20, 21], 'grandparents overlap the expanded range a..f')
  t.ok(c?.compactPointer?.equals(ik('f')), 'compact pointer follows the expanded inputs')

  // Level 2 split at c/d: expanding to c..d would pull in a second level-2 file, so no expansion.
  const stays = versionOf({
    1: [file(1, 'a', 'b', 4000), file(2, 'c', 'd', 4000), file(3, 'e', 'f', 4000)],
    2: [file(10, 'a', 'c', 500), file(11, 'd', 'z', 500)]
  })
  const c2 = pickSizeCompaction(stays, noPointers(), options)
  t.same(numbers(c2?.inputs[0] ?? []), [1], 'not expanded')
  t.same(numbers(c2?.inputs[1] ?? []), [10])

  // Expansion would exceed 25 x maxFileSize bytes: no expansion.
  const big = versionOf({
    1: [file(1, 'a', 'b', 12000), file(2, 'c', 'd', 12000), file(3, 'e', 'f', 12000)],
    2: [file(10, 'a', 'e', 500)]
  })
  const c3 = pickSizeCompaction(big, noPointers(), options)
  t.same(numbers(c3?.inputs[0] ?? []), [1], 'expansion limited by size')
  t.same(numbers(c3?.inputs[1] ?? []), [10])

  // No level + 1 inputs: nothing to expand against.
  const alone = versionOf({ 1: [file(1, 'a', 'b', 6000), file(2, 'c', 'd', 6000)] })
  const c4 = pickSizeCompaction(alone, noPointers(), options)
  t.same(numbers(c4?.inputs[0] ?? []), [1])
  t.same(c4?.inputs[1], [])
  t.end()
})

test('pickRangeCompaction', (t) => {
  const v = versionOf({
    0: [file(1, 'a', 'c'), file(2, 'c', 'e'), file(3, 'x', 'y')],
    1: [file(11, 'a', 'b'), file(12, 'd', 'f'), file(13, 'g', 'h'), file(14, 'w', 'z')],
    2: [file(21, 'a', 'z')]
  })
  const c0 = pickRangeCompaction(v, 0, ik('a'), ik('a'), options)
  t.equal(c0?.level, 0)
  t.same(numbers(c0?.inputs[0] ?? []), [1, 2], 'level-0 range expanded through overlapping files')
  t.same(numbers(c0?.inputs[1] ?? []), [11, 12])
  t.same(numbers(c0?.grandparents ?? []), [21])

  // Level 2 holds one file a..z under all of level 1, so the inputs grow to the whole level.
  const c1 = pickRangeCompaction(v, 1, ik('e'), ik('g'), options)
  t.same(numbers(c1?.inputs[0] ?? []), [11, 12, 13, 14], 'range inputs expanded since level 2 inputs stay the same')
  t.same(numbers(c1?.inputs[1] ?? []), [21])

  const v2 = versionOf({
    1: [file(11, 'a', 'b'), file(12, 'd', 'f'), file(13, 'g', 'h'), file(14, 'w', 'z')],
    2: [file(21, 'a', 'c'), file(22, 'd', 'h'), file(23, 'i', 'z')]
  })
  const c2 = pickRangeCompaction(v2, 1, ik('e'), ik('g'), options)
  t.same(numbers(c2?.inputs[0] ?? []), [12, 13], 'only the files in range')
  t.same(numbers(c2?.inputs[1] ?? []), [22])
  t.same(c2?.grandparents, [])

  const all = pickRangeCompaction(v, 1, null, null, options)
  t.same(numbers(all?.inputs[0] ?? []), [11, 12, 13, 14], 'unbounded range takes the whole level')

  t.equal(pickRangeCompaction(v, 1, ik('i'), ik('v'), options), null, 'nothing in range')
  t.equal(pickRangeCompaction(v, 3, null, null, options), null, 'empty level')
  t.end()
})

test('isTrivialMove', (t) => {
  const base = (over: Partial<Compaction>): Compaction => ({
    level: 1,
    inputs: [[file(1, 'a', 'b')], []],
    grandparents: [],
    deeperLevels: [],
    maxOutputFileSize: 1000,
    ...over
  })
  t.ok(isTrivialMove(base({})), 'one file, nothing below')
  t.ok(isTrivialMove(base({ grandparents: [file(5, 'a', 'z', 10000)] })), 'grandparent bytes at the limit (10 x maxFileSize)')
  t.notOk(isTrivialMove(base({ grandparents: [file(5, 'a', 'z', 10001)] })), 'too many grandparent bytes')
  t.notOk(isTrivialMove(base({ inputs: [[file(1, 'a', 'b'), file(2, 'c', 'd')], []] })), 'two files')
  t.notOk(isTrivialMove(base({ inputs: [[file(1, 'a', 'b')], [file(2, 'a', 'c')]] })), 'overlaps the next level')

  // From the picker: a lone level-1 file over empty level 2.
  const v = versionOf({ 1: [file(1, 'a', 'b', 20000)] })
  const c = pickSizeCompaction(v, noPointers(), options)
  t.ok(c !== null && isTrivialMove(c), 'picker produces a trivial move')
  const v2 = versionOf({ 1: [file(1, 'a', 'b', 20000)], 2: [file(2, 'b', 'c')] })
  const c2 = pickSizeCompaction(v2, noPointers(), options)
  t.ok(c2 !== null && !isTrivialMove(c2), 'not trivial when level 2 overlaps')
  t.end()
})
