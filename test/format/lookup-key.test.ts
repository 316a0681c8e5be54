// The reused lookup key: right bytes and tag for keys of any length in any order, no allocation
// for a run of keys of one length.
import tape from 'tape'
import { LookupKey } from '../../lib/format/lookup-key'
import { makeInternalKey, VALUE_TYPE_FOR_SEEK } from '../../lib/format/internal-key'

tape('lookup key: user key and internal key for keys of any length, in any order', (t) => {
  const key = new LookupKey()
  const lengths = [16, 3, 0, 40, 3000, 3500, 10000, 16, 5000, 1]
  let right = 0
  lengths.forEach((length, i) => {
    const user = Buffer.alloc(length, 0x61 + i)
    key.set(user, 1000 + i)
    if (key.userKey.equals(user) && key.internalKey.equals(makeInternalKey(user, 1000 + i, VALUE_TYPE_FOR_SEEK))) right++
  })
  t.is(right, lengths.length, 'every key and tag is as makeInternalKey makes them')
  key.set(Buffer.from('0000000000000001'), 5)
  const view = key.internalKey
  key.set(Buffer.from('0000000000000002'), 6)
  t.is(key.internalKey, view, 'a key of the same length reuses the same view')
  t.ok(view.equals(makeInternalKey(Buffer.from('0000000000000002'), 6, VALUE_TYPE_FOR_SEEK)), 'which holds the new key')
  t.end()
})
