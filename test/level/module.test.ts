import { execFileSync } from 'child_process'
import { pathToFileURL } from 'url'
import tape from 'tape'
import { AbstractLevel } from 'abstract-level'
import { AiLevel } from '../../index'
import { removeDir, tempDir } from '../util/temp-dir'

const indexPath = require.resolve('../../index')

tape('AiLevel is a named CommonJS export', async (t) => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- require() is what's under test
  const required = require('../../index') as { AiLevel: unknown }
  t.is(required.AiLevel, AiLevel)
  // The constructor opens the database on the next tick, so it gets a real location to close.
  const location = tempDir('module')
  const db = new AiLevel(location)
  t.ok(db instanceof AbstractLevel, 'and an abstract-level database')
  await db.close()
  removeDir(location)
})

tape('AiLevel is a named export when imported from an ES module', (t) => {
  const script = `import { AiLevel } from ${JSON.stringify(pathToFileURL(indexPath).href)}; console.log(typeof AiLevel, AiLevel.name)`
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })
  t.is(output.trim(), 'function AiLevel')
  t.end()
})
