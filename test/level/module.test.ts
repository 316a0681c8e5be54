import { execFileSync } from 'child_process'
import { pathToFileURL } from 'url'
import tape from 'tape'
import { AbstractLevel } from 'abstract-level'
import { AiLevel } from '../../index'

const indexPath = require.resolve('../../index')

tape('AiLevel is a named CommonJS export', (t) => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- require() is what's under test
  const required = require('../../index') as { AiLevel: unknown }
  t.is(required.AiLevel, AiLevel)
  t.ok(new AiLevel('unused-location') instanceof AbstractLevel, 'and an abstract-level database')
  t.end()
})

tape('AiLevel is a named export when imported from an ES module', (t) => {
  const script = `import { AiLevel } from ${JSON.stringify(pathToFileURL(indexPath).href)}; console.log(typeof AiLevel, AiLevel.name)`
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })
  t.is(output.trim(), 'function AiLevel')
  t.end()
})
