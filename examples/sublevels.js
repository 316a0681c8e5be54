'use strict'
// A small app on sublevels: users and their posts in separate key spaces of one database, a
// secondary index kept in step with one atomic batch, and range reads over one sublevel.
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { AiLevel } = require('ai-level')

async function main () {
  const location = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-level-example-'))
  const db = new AiLevel(location)
  const users = db.sublevel('users', { valueEncoding: 'json' })
  const posts = db.sublevel('posts', { valueEncoding: 'json' })
  const byCity = db.sublevel('by-city')

  try {
    // A user, their city in the index and their first post: all or nothing, in one write.
    await db.batch([
      { type: 'put', sublevel: users, key: 'ada', value: { name: 'Ada', city: 'London' } },
      { type: 'put', sublevel: byCity, key: 'London!ada', value: '' },
      { type: 'put', sublevel: posts, key: 'ada!0001', value: { title: 'Notes on the engine' } }
    ])
    await db.batch([
      { type: 'put', sublevel: users, key: 'grace', value: { name: 'Grace', city: 'New York' } },
      { type: 'put', sublevel: byCity, key: 'New York!grace', value: '' },
      { type: 'put', sublevel: posts, key: 'grace!0001', value: { title: 'Compilers' } },
      { type: 'put', sublevel: posts, key: 'grace!0002', value: { title: 'Nanoseconds' } }
    ])

    console.log('user grace:', JSON.stringify(await users.get('grace')))

    // Range options apply inside the sublevel: every post of one user.
    for await (const [key, post] of posts.iterator({ gt: 'grace!', lt: 'grace!~' })) {
      console.log('post', key, post.title)
    }

    // Who lives in London, read from the index.
    const londoners = await byCity.keys({ gt: 'London!', lt: 'London!~' }).all()
    console.log('in London:', londoners.map(key => key.slice('London!'.length)).join(', '))

    // The root database sees every sublevel's keys, prefixed with their names.
    console.log('keys in the database:', (await db.keys().all()).length)
  } finally {
    await db.close()
    fs.rmSync(location, { recursive: true, force: true })
  }
}

main().catch(err => {
  console.error(err)
  process.exitCode = 1
})
