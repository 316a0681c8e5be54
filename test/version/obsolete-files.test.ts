// Which directory entries a sweep removes, and that it reports what it could not remove.
import test from 'tape'
import fs from 'node:fs'
import path from 'node:path'
import { isObsolete, sweepObsoleteFiles, type LiveFiles } from '../../lib/version/obsolete-files'
import type { Env } from '../../lib/env/env'
import { defaultEnv } from '../../lib/env/node-env'
import { removeDir, tempDir } from '../util/temp-dir'

function liveFiles (dbname: string, overrides: Partial<LiveFiles> = {}): LiveFiles {
  return { dbname, tables: [7, 9], logNumber: 12, prevLogNumber: 10, manifestNumber: 5, firstUnsettledNumber: 20, ...overrides }
}

test('obsolete files: logs, manifests, tables and temp files against what is live', (t) => {
  const live = liveFiles('/db')
  const tables = new Set(live.tables)
  const cases: Array<[string, boolean]> = [
    ['000011.log', true], ['000012.log', false], ['000013.log', false], ['000010.log', false],
    ['MANIFEST-000004', true], ['MANIFEST-000005', false],
    ['000007.ldb', false], ['000008.ldb', true], ['000008.sst', true], ['000009.sst', false], ['000008.dbtmp', true],
    ['000020.ldb', false], ['000021.dbtmp', false],
    ['CURRENT', false], ['LOCK', false], ['LOG', false], ['LOG.old', false], ['notes.txt', false], ['000008.ldb.bak', false]
  ]
  for (const [name, obsolete] of cases) t.equal(isObsolete(name, live, tables), obsolete, `${name} ${obsolete ? 'is' : 'is not'} obsolete`)
  t.end()
})

test('obsolete files: a sweep removes exactly the obsolete ones and reports failures', (t) => {
  const dir = tempDir('sweep')
  const names = ['000003.log', '000012.log', 'MANIFEST-000004', 'MANIFEST-000005', '000007.ldb', '000008.ldb', '000021.ldb', 'CURRENT', 'LOG', 'other']
  for (const name of names) fs.writeFileSync(path.join(dir, name), 'x')
  try {
    const obsolete = ['000003.log', '000008.ldb', 'MANIFEST-000004']
    const result = sweepObsoleteFiles(defaultEnv, liveFiles(dir))
    t.same(names.filter(n => !fs.existsSync(path.join(dir, n))).sort(), obsolete, 'removed the obsolete files')
    t.same(result.failures, [], 'no failures')
    const kept = names.filter(n => !obsolete.includes(n))
    t.same(fs.readdirSync(dir).sort(), [...kept].sort(), 'everything else is still there')

    fs.writeFileSync(path.join(dir, '000006.ldb'), 'x')
    const env: Env = Object.assign(Object.create(defaultEnv) as Env, {
      removeFile (file: string): void {
        if (file.endsWith('000006.ldb')) throw new Error('EIO: injected')
        defaultEnv.removeFile(file)
      }
    })
    const failed = sweepObsoleteFiles(env, liveFiles(dir))
    t.same(fs.readdirSync(dir).sort(), [...kept, '000006.ldb'].sort(), 'nothing else removed')
    t.equal(failed.failures.length, 1, 'one failure reported')
    t.ok(failed.failures[0].startsWith('000006.ldb: '), 'the failure names the file')
    t.ok(fs.existsSync(path.join(dir, '000006.ldb')), 'the file is still there for a later sweep')
  } finally {
    removeDir(dir)
  }
  t.end()
})
