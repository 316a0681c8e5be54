import tape from 'tape'
import { CacheKey, LRUCache } from '../../lib/util/lru-cache'
import { createRandom, testSeed } from '../util/random'

const SEED = testSeed(20261124)

tape('lru cache: get, set, charge accounting and LRU eviction', (t) => {
  const evicted: CacheKey[] = []
  const cache = new LRUCache<string>(10, (key) => evicted.push(key))
  cache.set('a', 'A', 4)
  cache.set(1, 'one', 4)
  t.is(cache.totalCharge, 8)
  t.is(cache.get('a'), 'A', 'touching a makes 1 the least recently used')
  cache.set('b', 'B', 4)
  t.same(evicted, [1])
  t.is(cache.get(1), undefined)
  t.is(cache.totalCharge, 8)
  t.is(cache.size, 2)

  cache.set('a', 'A2', 2)
  t.same(evicted, [1, 'a'], 'replacing a value reports the old one')
  t.is(cache.get('a'), 'A2')
  t.is(cache.totalCharge, 6)

  t.ok(cache.delete('b'))
  t.notOk(cache.delete('b'))
  t.is(cache.totalCharge, 2)

  cache.set('huge', 'H', 11)
  t.notOk(cache.has('huge'), 'an entry larger than capacity is not kept')
  t.is(cache.totalCharge, 0, 'and pushes out everything older')

  cache.set('x', 'X', 1)
  cache.set('y', 'Y', 1)
  evicted.length = 0
  cache.clear()
  t.same(evicted.sort(), ['x', 'y'])
  t.is(cache.totalCharge, 0)
  t.is(cache.size, 0)
  t.end()
})

tape('lru cache: many entries stay within capacity', (t) => {
  const cache = new LRUCache<number>(1000)
  for (let i = 0; i < 10000; i++) {
    cache.set(i, i, 10)
    if (i % 3 === 0) cache.get(i - 50)
  }
  t.is(cache.totalCharge, 1000)
  t.is(cache.size, 100)
  t.is(cache.get(9999), 9999)
  t.is(cache.get(0), undefined)
  t.end()
})

// The model keeps entries in an array from least to most recently used.
tape(`lru cache: random operations match a model (seed ${SEED})`, (t) => {
  const random = createRandom(SEED)
  const evicted: Array<[CacheKey, number]> = []
  const cache = new LRUCache<number>(100, (key, value) => evicted.push([key, value]))
  const model: Array<{ key: CacheKey, value: number, charge: number }> = []
  const modelEvicted: Array<[CacheKey, number]> = []
  const modelRemove = (index: number): void => {
    const [entry] = model.splice(index, 1)
    modelEvicted.push([entry.key, entry.value])
  }
  const problems: string[] = []
  for (let i = 0; i < 20000; i++) {
    const key: CacheKey = random.chance(0.5) ? random.int(40) : `k${random.int(40)}`
    const at = model.findIndex((entry) => entry.key === key)
    const op = random.int(10)
    if (op < 5) {
      const got = cache.get(key)
      const expected = at === -1 ? undefined : model[at].value
      if (at !== -1) model.push(...model.splice(at, 1))
      if (got !== expected) problems.push(`${i}: get(${key}) gave ${String(got)}, expected ${String(expected)}`)
    } else if (op < 9) {
      // Sometimes the same value again, which replaces the entry without reporting it.
      const value = at !== -1 && random.chance(0.3) ? model[at].value : i
      const charge = random.between(1, 30)
      cache.set(key, value, charge)
      if (at !== -1) {
        const [old] = model.splice(at, 1)
        if (old.value !== value) modelEvicted.push([key, old.value])
      }
      model.push({ key, value, charge })
      let total = model.reduce((sum, entry) => sum + entry.charge, 0)
      while (total > 100) {
        total -= model[0].charge
        modelRemove(0)
      }
    } else {
      const deleted = cache.delete(key)
      if (deleted !== (at !== -1)) problems.push(`${i}: delete(${key}) gave ${String(deleted)}`)
      if (at !== -1) modelRemove(at)
    }
    if (cache.size !== model.length) problems.push(`${i}: size ${cache.size}, expected ${model.length}`)
    if (cache.totalCharge !== model.reduce((sum, entry) => sum + entry.charge, 0)) problems.push(`${i}: total charge differs`)
  }
  t.same(problems.slice(0, 5), [], 'every get, delete, size and total charge agrees with the model')
  t.same(evicted, modelEvicted, `the same ${modelEvicted.length} evictions, in the same order`)
  evicted.length = 0
  cache.clear()
  t.same(evicted.map(([key]) => key).sort(), model.map((entry) => entry.key).sort(), 'clear() reports every remaining entry')
  t.end()
})

tape('lru cache: a handle reaches its value while the entry is cached, and lets it go once it leaves', (t) => {
  const cache = new LRUCache<{ n: number }>(10)
  const a = cache.insert('a', { n: 1 }, 4)
  const b = cache.insert('b', { n: 2 }, 4)
  t.is(cache.touch(a)?.n, 1, 'touch() gives the value of a cached entry')
  t.is(cache.lookup('b'), b, 'lookup() hands out the entry insert() did')
  // a was touched after b was inserted, then b looked up: c's charge pushes out a, the older use.
  cache.touch(a)
  cache.lookup('b')
  cache.insert('c', { n: 3 }, 4)
  t.is(cache.touch(a), undefined, 'touch() of an evicted entry gives undefined')
  t.is(a.value, undefined, 'and the evicted entry no longer holds its value')
  t.is(cache.touch(b)?.n, 2, 'an entry still cached is still reached')
  const replaced = cache.insert('b', { n: 4 }, 4)
  t.is(cache.touch(b), undefined, 'a replaced entry is no longer reached through its old handle')
  t.is(cache.touch(replaced)?.n, 4, 'but the new one is')
  cache.delete('c')
  cache.clear()
  t.is(cache.touch(replaced), undefined, 'nor after delete() or clear()')
  t.end()
})
