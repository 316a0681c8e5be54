// NodeEnv's writable files: appendAsync writes after the bytes append() buffered, off the thread.
import fs from 'node:fs'
import path from 'node:path'
import test from 'tape'
import { defaultEnv } from '../../lib/env/node-env'
import { removeDir, tempDir } from '../util/temp-dir'

test('appendAsync writes after what append() buffered, and all of it is in the file once it resolves', async (t) => {
  const dir = tempDir('node-env')
  t.teardown(() => removeDir(dir))
  const file = defaultEnv.newWritableFile(path.join(dir, 'f'))
  file.append(Buffer.from('buffered;'))
  const large = Buffer.alloc(300 * 1024, 0x61)
  await file.appendAsync(large)
  t.ok(fs.readFileSync(path.join(dir, 'f')).equals(Buffer.concat([Buffer.from('buffered;'), large])), 'buffered bytes first, then the appended ones, before close')
  file.append(Buffer.from(';after'))
  file.close()
  t.is(fs.readFileSync(path.join(dir, 'f')).subarray(-6).toString(), ';after', 'appends continue after it')
})

test('reserve zero-fills past the appended bytes without moving where appends go, and close cuts the zeros off', async (t) => {
  const dir = tempDir('node-env')
  t.teardown(() => removeDir(dir))
  const name = path.join(dir, 'f')
  const file = defaultEnv.newWritableFile(name)
  file.append(Buffer.from('first;'))
  file.reserve?.(4096)
  t.is(fs.statSync(name).size, 4096, 'the file is as long as reserved')
  file.flush()
  t.ok(fs.readFileSync(name).equals(Buffer.concat([Buffer.from('first;'), Buffer.alloc(4090)])), 'the buffered bytes land before the zeros')
  file.append(Buffer.from('second;'))
  file.sync()
  file.reserve?.(1000)
  t.is(fs.statSync(name).size, 4096, 'a shorter reservation changes nothing')
  await file.appendAsync(Buffer.alloc(5000, 0x62))
  t.is(fs.statSync(name).size, 13 + 5000, 'appends continue past the reserved space')
  file.reserve?.(20000)
  file.append(Buffer.from(';last'))
  file.close()
  t.ok(fs.readFileSync(name).equals(Buffer.concat([Buffer.from('first;second;'), Buffer.alloc(5000, 0x62), Buffer.from(';last')])), 'close leaves exactly the appended bytes')
})

test('an appendable file does not reserve: every write of an O_APPEND file goes to its end', (t) => {
  const dir = tempDir('node-env')
  t.teardown(() => removeDir(dir))
  const name = path.join(dir, 'f')
  fs.writeFileSync(name, 'old;')
  const file = defaultEnv.newAppendableFile(name)
  file.reserve?.(4096)
  file.append(Buffer.from('new'))
  file.close()
  t.is(fs.readFileSync(name).toString(), 'old;new')
  t.end()
})
