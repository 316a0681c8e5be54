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
