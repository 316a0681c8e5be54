// The files of a browser job worker (lib/env/opfs-job-env.ts) against the OpfsEnv that owns the
// directory, on the in-memory OPFS (test/util/fake-opfs.ts) with 'readwrite-unsafe' handles: the
// job reads its inputs through handles of its own, its outputs are named only when the owner
// adopts them, and a crash before that, a failed job or a closing worker leaves no file behind.
import test from 'tape'
import { OpfsEnv } from '../../lib/env/opfs-env'
import { OpfsJobEnv, OpfsJobFiles } from '../../lib/env/opfs-job-env'
import { FakeDirectory } from '../util/fake-opfs'

const INPUT = Buffer.from('the bytes of an input table')
const OUTPUT = Buffer.from('the bytes a job wrote')

async function ownerWithInput (root: FakeDirectory): Promise<OpfsEnv> {
  const env = new OpfsEnv({ root: async () => root })
  await env.loadDirectory('/db', true)
  const file = env.newWritableFile('/db/000005.ldb')
  file.append(INPUT)
  file.close()
  return env
}

// A job as the job worker runs it: reads its input, writes one output.
async function runJob (stock: OpfsJobFiles, files: Record<string, string>, output: string, succeed: boolean): Promise<{ read: Buffer, created: Record<string, string> }> {
  const job = new OpfsJobEnv(stock)
  await job.prepare(files)
  const read = Buffer.from(job.readFile('/db/000005.ldb'))
  await job.whenReadyToCreate()
  const file = job.newWritableFile(output)
  file.append(OUTPUT)
  file.sync()
  file.close()
  return { read, created: await job.finish(succeed) }
}

test('opfs job env: a job reads the owner\'s file, and its output gets its name only when adopted', async (t) => {
  const root = new FakeDirectory('')
  const env = await ownerWithInput(root)
  t.ok(env.sharesFiles, 'the probe finds that two handles open on one file')
  const { directory, files } = env.jobFiles('/db', ['/db/000005.ldb', '/db/000005.sst'])
  t.same(Object.keys(files), ['000005.ldb'], 'only inputs that exist are handed over')
  const stock = new OpfsJobFiles(directory, 'w1')
  const { read, created } = await runJob(stock, files, '/db/000007.ldb', true)
  t.ok(read.equals(INPUT), 'the job read its input through a handle of its own while the owner holds one')
  t.same(Object.keys(created), ['000007.ldb'], 'the job reports its output')
  t.ok(created['000007.ldb'].startsWith('~opfs-job-'), `under an internal name (${created['000007.ldb']})`)
  t.notOk(env.fileExists('/db/000007.ldb'), 'which no name refers to yet')
  await env.adoptFiles('/db', created)
  t.ok(env.readFile('/db/000007.ldb').equals(OUTPUT), 'once adopted, the owner reads it by name')
  await stock.dispose()
  const lock = await env.lockFile('/db/LOCK')
  await env.unlockFile(lock)
  const db = await root.getDirectoryHandle('db')
  t.same(db.names().filter(name => name.startsWith('~')), [], `after close no internal file is left (${db.names().join(' ')})`)
  t.ok(db.names().includes('000007.ldb'), 'the adopted output has its LevelDB name')
})

test('opfs job env: a crash before adoption leaves nothing named, and the next load removes the output', async (t) => {
  const root = new FakeDirectory('')
  const env = await ownerWithInput(root)
  const { directory, files } = env.jobFiles('/db', ['/db/000005.ldb'])
  const { created } = await runJob(new OpfsJobFiles(directory, 'w1'), files, '/db/000008.ldb', true)
  env.syncDir('/db')
  root.crash()
  const reopened = new OpfsEnv({ root: async () => root })
  await reopened.loadDirectory('/db', false)
  t.notOk(reopened.fileExists('/db/000008.ldb'), 'the output was never named')
  t.ok(reopened.readFile('/db/000005.ldb').equals(INPUT), 'the input is intact')
  const db = await root.getDirectoryHandle('db')
  t.notOk(db.names().includes(created['000008.ldb']), 'the job\'s file is removed')
  t.same(db.names().filter(name => name.startsWith('~opfs-job-')), [], 'as are the job worker\'s spares')
})

test('opfs job env: a failed job removes its outputs, and a closing worker its spares', async (t) => {
  const root = new FakeDirectory('')
  const env = await ownerWithInput(root)
  const { directory, files } = env.jobFiles('/db', ['/db/000005.ldb'])
  const stock = new OpfsJobFiles(directory, 'w1')
  const { created } = await runJob(stock, files, '/db/000009.ldb', false)
  t.same(created, {}, 'nothing to adopt')
  const db = await root.getDirectoryHandle('db')
  t.ok(db.names().some(name => name.startsWith('~opfs-job-')), 'spares stay ready for the next job')
  await stock.dispose()
  t.same(db.names().filter(name => name.startsWith('~opfs-job-')), [], 'the output and the spares are gone')
  const job = new OpfsJobEnv(stock)
  t.throws(() => job.newRandomAccessFile('/db/000005.ldb'), /not a file of this background job/, 'a job reads only the inputs handed to it')
  t.throws(() => job.removeFile('/db/000005.ldb'), /removes only files it created/, 'and removes only its own outputs')
  await env.unlockFile(await env.lockFile('/db/LOCK'))
})
