'use strict'
// Snapshots: a consistent view of the database at one moment, for several reads that must agree
// with each other while writes go on. Iterators take an implicit snapshot when they are created.
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { AiLevel } = require('ai-level')

async function main () {
  const location = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-level-example-'))
  const db = new AiLevel(location, { valueEncoding: 'json' })

  try {
    await db.batch([
      { type: 'put', key: 'account!alice', value: 70 },
      { type: 'put', key: 'account!bob', value: 30 }
    ])

    // An explicit snapshot: every read given it sees the database as it was here.
    const snapshot = db.snapshot()
    try {
      // A transfer happens after the snapshot was taken.
      await db.batch([
        { type: 'put', key: 'account!alice', value: 50 },
        { type: 'put', key: 'account!bob', value: 50 }
      ])

      const before = await db.getMany(['account!alice', 'account!bob'], { snapshot })
      const now = await db.getMany(['account!alice', 'account!bob'])
      console.log('before the transfer:', before.join(' + '), '=', before[0] + before[1])
      console.log('after the transfer:', now.join(' + '), '=', now[0] + now[1])

      const total = async (options) => {
        let sum = 0
        for await (const value of db.values({ gt: 'account!', lt: 'account!~', ...options })) sum += value
        return sum
      }
      console.log('total in the snapshot:', await total({ snapshot }))
    } finally {
      await snapshot.close()
    }

    // An iterator reads from the moment it was created, whatever is written while it runs.
    const iterator = db.iterator({ gt: 'account!', lt: 'account!~' })
    await db.del('account!bob')
    console.log('iterator created before the delete:', (await iterator.all()).map(([key]) => key).join(', '))
    console.log('a read after it:', await db.get('account!bob'))
  } finally {
    await db.close()
    fs.rmSync(location, { recursive: true, force: true })
  }
}

main().catch(err => {
  console.error(err)
  process.exitCode = 1
})
