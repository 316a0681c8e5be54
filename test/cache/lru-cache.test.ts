import tape from 'tape'
import { CacheKey, LRUCache } from '../../lib/cache/lru-cache'

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
