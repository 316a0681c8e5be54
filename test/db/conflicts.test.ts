// The engine's conflict tracker on its own: what it records, what it checks, what it prunes.
import tape from 'tape'
import { ConflictTracker } from '../../lib/db/conflicts'
import type { KeyRange, TransactionChecks } from '../../lib/db/conflicts'
import { WriteBatch } from '../../lib/format/write-batch'
import { errorCode } from '../../lib/util/errors'

// Publishes a batch writing `keys` at the next sequences, as the database's write path does.
function publisher (tracker: ConflictTracker): { publish: (...keys: string[]) => number, sequence: () => number } {
  let last = 0
  return {
    publish (...keys: string[]): number {
      const batch = new WriteBatch()
      for (const key of keys) batch.put(Buffer.from(key, 'latin1'), Buffer.from('v'))
      batch.sequence = last + 1
      last += keys.length
      tracker.recordCommitted(batch)
      return last
    },
    sequence: () => last
  }
}

function checks (snapshot: number, keys: string[], ranges: KeyRange[] = []): TransactionChecks {
  return { snapshot, keys, ranges }
}

function range (lower: string | null, upper: string | null, lowerInclusive = true, upperInclusive = false): KeyRange {
  return { lower, lowerInclusive, upper, upperInclusive }
}

function validationCode (tracker: ConflictTracker, tx: TransactionChecks): string | undefined {
  try {
    tracker.validate(tx)
    return undefined
  } catch (err) {
    return errorCode(err)
  }
}

tape('conflicts: nothing is recorded while no transaction is open', (t) => {
  const tracker = new ConflictTracker()
  const { publish } = publisher(tracker)
  publish('a', 'b')
  t.is(tracker.recordedBytes, 0)
  t.end()
})

tape('conflicts: keys and ranges written after the snapshot conflict; earlier writes and other keys do not', (t) => {
  const tracker = new ConflictTracker()
  const db = publisher(tracker)
  db.publish('before')
  const cases: Array<[string, TransactionChecks, string | undefined]> = [
    ['a key written after', checks(db.sequence(), ['k']), 'LEVEL_TRANSACTION_CONFLICT'],
    ['a key written before', checks(db.sequence(), ['before']), undefined],
    ['another key', checks(db.sequence(), ['j']), undefined],
    ['a range holding the write', checks(db.sequence(), [], [range('a', 'z')]), 'LEVEL_TRANSACTION_CONFLICT'],
    ['an unbounded range', checks(db.sequence(), [], [range(null, null)]), 'LEVEL_TRANSACTION_CONFLICT'],
    ['a range ending just before (exclusive)', checks(db.sequence(), [], [range('a', 'k')]), undefined],
    ['a range ending at it (inclusive)', checks(db.sequence(), [], [range('a', 'k', true, true)]), 'LEVEL_TRANSACTION_CONFLICT'],
    ['a range starting just after (exclusive)', checks(db.sequence(), [], [range('k', null, false)]), undefined],
    ['a range past it', checks(db.sequence(), [], [range('l', null)]), undefined]
  ]
  for (const [, tx] of cases) tracker.begin(tx)
  db.publish('k')
  for (const [name, tx, expected] of cases) t.is(validationCode(tracker, tx), expected, name)
  t.is(tracker.openCount, 0, 'validation ends every transaction, whether it passed or not')
  t.end()
})

tape('conflicts: history below the oldest open snapshot is pruned; all of it once none is open', (t) => {
  const tracker = new ConflictTracker()
  const db = publisher(tracker)
  const old = checks(db.sequence(), ['a'])
  tracker.begin(old)
  db.publish('k1')
  const young = checks(db.sequence(), ['k1'])
  tracker.begin(young)
  db.publish('k2')
  const both = tracker.recordedBytes
  t.ok(both > 0, 'recorded while open')
  tracker.end(old)
  t.ok(tracker.recordedBytes < both && tracker.recordedBytes > 0, 'the write only the old transaction needed is dropped')
  t.is(validationCode(tracker, young), undefined, 'k1 was written before the young transaction began')
  t.is(tracker.recordedBytes, 0, 'nothing is kept once no transaction is open')
  t.end()
})

tape('conflicts: memory is bounded; a transaction older than what is kept fails', (t) => {
  const limit = 4096
  const tracker = new ConflictTracker(limit)
  const db = publisher(tracker)
  const old = checks(db.sequence(), ['untouched'])
  tracker.begin(old)
  let peak = 0
  for (let i = 0; i < 500; i++) {
    db.publish(`key${i}`, `other${i}`)
    peak = Math.max(peak, tracker.recordedBytes)
  }
  t.ok(peak <= limit, `recorded bytes stay within the limit (peak ${peak})`)
  const recent = checks(db.sequence(), ['key499'])
  tracker.begin(recent)
  db.publish('unrelated')
  t.is(validationCode(tracker, old), 'LEVEL_TRANSACTION_CONFLICT', 'the old transaction cannot be checked, so it fails')
  t.is(validationCode(tracker, recent), undefined, 'a recent one is checked as usual')
  t.end()
})
