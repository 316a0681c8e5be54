'use strict'
// Moves a classic-level database over to ai-level: no export or conversion, the directory is
// opened as it is, because both use LevelDB's on-disk format. It works the other way too.
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { ClassicLevel } = require('classic-level')
const { AiLevel } = require('ai-level')

async function main () {
  const location = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-level-example-'))

  try {
    // An existing application's data, written by classic-level (native LevelDB).
    const classic = new ClassicLevel(location, { valueEncoding: 'json' })
    await classic.batch([
      { type: 'put', key: 'config', value: { theme: 'dark' } },
      { type: 'put', key: 'visits', value: 41 }
    ])
    await classic.close()

    // The same directory opened with ai-level: same constructor options, same data.
    const db = new AiLevel(location, { valueEncoding: 'json' })
    console.log('config:', JSON.stringify(await db.get('config')))
    await db.put('visits', (await db.get('visits')) + 1)
    console.log('visits:', await db.get('visits'))
    await db.close()

    // And back: classic-level reads what ai-level wrote.
    const again = new ClassicLevel(location, { valueEncoding: 'json' })
    console.log('classic-level reads visits:', await again.get('visits'))
    await again.close()
  } finally {
    fs.rmSync(location, { recursive: true, force: true })
  }
}

main().catch(err => {
  console.error(err)
  process.exitCode = 1
})
