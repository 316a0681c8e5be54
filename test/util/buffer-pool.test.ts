import tape from 'tape'
import { BufferPool } from '../../lib/util/buffer-pool'

tape('a buffer given back is the next one taken; the pool counts what it made', (t) => {
  const pool = new BufferPool(16, 2)
  const a = pool.take()
  const b = pool.take()
  t.is(pool.allocatedCount, 2)
  pool.give(a)
  t.is(pool.take(), a, 'reused')
  pool.give(a)
  pool.give(b)
  pool.give(Buffer.alloc(16))
  t.is(pool.idleCount, 2, 'no more than maxIdle are kept')
  pool.give(Buffer.alloc(8))
  t.is(pool.idleCount, 2, 'a buffer of another size is dropped')
  t.is(pool.allocatedCount, 2)
  t.end()
})

tape('a buffer given back twice is refused', (t) => {
  const pool = new BufferPool(16, 4)
  const a = pool.take()
  pool.give(a)
  t.throws(() => pool.give(a), /given back twice/)
  t.is(pool.idleCount, 1, 'held once')
  t.end()
})
