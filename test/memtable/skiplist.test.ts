import tape from 'tape'
import { SkipList, SkipListIterator } from '../../lib/memtable/skiplist'
import { SeededRandom } from '../iterator/seeded-random'

const SEED = 20240601
const byNumber = (a: number, b: number): number => a - b

// Index of the first model element >= target.
function lowerBound (model: number[], target: number): number {
  let lo = 0
  let hi = model.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (model[mid] < target) lo = mid + 1
    else hi = mid
  }
  return lo
}

function position (it: SkipListIterator<number>): number | undefined {
  return it.valid() ? it.entry() : undefined
}

tape('skiplist: empty list', (t) => {
  const list = new SkipList<number>(byNumber)
  const it = list.newIterator()
  t.equal(list.size, 0)
  t.notOk(list.contains(5))
  it.seekToFirst()
  t.notOk(it.valid())
  it.seekToLast()
  t.notOk(it.valid())
  it.seek(1)
  t.notOk(it.valid())
  t.end()
})

tape('skiplist: matches a sorted array model under random inserts and walks', (t) => {
  t.comment(`seed ${SEED}`)
  const rnd = new SeededRandom(SEED)
  const list = new SkipList<number>(byNumber, SEED)
  const present = new Set<number>()
  let model: number[] = []

  for (let round = 0; round < 20; round++) {
    for (let i = 0; i < 500; i++) {
      const value = rnd.int(20000)
      if (present.has(value)) continue
      present.add(value)
      list.insert(value)
    }
    model = [...present].sort(byNumber)
    t.equal(list.size, model.length, `round ${round}: size`)

    const forward: number[] = []
    const it = list.newIterator()
    for (it.seekToFirst(); it.valid(); it.next()) forward.push(it.entry())
    t.same(forward, model, `round ${round}: forward scan`)

    const backward: number[] = []
    for (it.seekToLast(); it.valid(); it.prev()) backward.push(it.entry())
    t.same(backward, model.slice().reverse(), `round ${round}: backward scan`)

    let mismatches = 0
    for (let probe = 0; probe < 300; probe++) {
      const value = rnd.int(20001)
      if (list.contains(value) !== present.has(value)) mismatches++
    }
    t.equal(mismatches, 0, `round ${round}: contains agrees with model`)

    // Random walk: the model index is -1 or model.length when not valid.
    let index = -1
    let walkErrors = 0
    for (let step = 0; step < 400; step++) {
      const op = rnd.int(5)
      if (op === 0) {
        const target = rnd.int(20001)
        it.seek(target)
        index = lowerBound(model, target)
      } else if (op === 1) {
        it.seekToFirst()
        index = 0
      } else if (op === 2) {
        it.seekToLast()
        index = model.length - 1
      } else if (it.valid()) {
        if (op === 3) {
          it.next()
          index++
        } else {
          it.prev()
          index--
        }
      }
      const expected = index >= 0 && index < model.length ? model[index] : undefined
      if (position(it) !== expected) walkErrors++
    }
    t.equal(walkErrors, 0, `round ${round}: random walk matches model`)
  }
  t.end()
})

tape('skiplist: an open iterator sees entries inserted after it was created', (t) => {
  const list = new SkipList<number>(byNumber)
  for (const n of [10, 30, 50]) list.insert(n)
  const it = list.newIterator()
  it.seek(30)
  t.equal(it.entry(), 30)
  list.insert(40)
  list.insert(20)
  it.next()
  t.equal(it.entry(), 40, 'next sees the later insert')
  it.prev()
  it.prev()
  t.equal(it.entry(), 20, 'prev sees the later insert')
  t.end()
})
