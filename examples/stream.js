'use strict'
// Reads a range of the database as a Node stream: Readable.from() turns the iterator (an async
// iterable of [key, value] entries) into a readable stream, which pipeline() sends through a
// transform into a CSV file. abstract-level 3 has no createReadStream(); this needs nothing else.
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { Readable, Transform } = require('node:stream')
const { pipeline } = require('node:stream/promises')
const { AiLevel } = require('ai-level')

async function main () {
  const location = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-level-example-'))
  const db = new AiLevel(location, { valueEncoding: 'json' })
  const csvFile = path.join(location, 'readings.csv')

  try {
    const readings = []
    for (let hour = 0; hour < 24; hour++) {
      const key = `sensor-1!2024-05-01T${String(hour).padStart(2, '0')}`
      readings.push({ type: 'put', key, value: { celsius: 12 + (hour % 12) } })
    }
    await db.batch(readings)

    // The afternoon only. If the pipeline fails or ends early, the stream closes the iterator.
    const entries = Readable.from(db.iterator({ gte: 'sensor-1!2024-05-01T12', lt: 'sensor-1!2024-05-01T18' }))
    const toCsv = new Transform({
      objectMode: true,
      transform ([key, reading], _encoding, callback) {
        callback(null, `${key.split('!')[1]},${reading.celsius}\n`)
      }
    })
    await pipeline(entries, toCsv, fs.createWriteStream(csvFile))

    process.stdout.write(fs.readFileSync(csvFile, 'utf8'))
  } finally {
    await db.close()
    fs.rmSync(location, { recursive: true, force: true })
  }
}

main().catch(err => {
  console.error(err)
  process.exitCode = 1
})
