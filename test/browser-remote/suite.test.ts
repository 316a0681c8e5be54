// abstract-level's compliance suite and the AiLevelWorker tests, every database served by
// a worker_threads Worker: one shared worker thread, a MessageChannel per database; over messages,
// then over the shared-memory lane.
import { join } from 'node:path'
import tape from 'tape'
import { removeDir, tempDir } from '../util/temp-dir'
import { SharedHost } from './node-endpoints'
import { runRemoteSuite, runRemoteTests } from './remote-tests'

const root = tempDir('remote-suite')
let databases = 0
const host = new SharedHost()
const common = { test: tape, connect: host.connect, location: () => join(root, `db-${databases++}`) }

runRemoteTests(common)
runRemoteSuite(common)
// Again over the shared-memory lane, which Node offers when asked, as a cross-origin isolated page does.
runRemoteTests({ ...common, sharedMemory: true })
runRemoteSuite({ ...common, sharedMemory: true })

tape.onFinish(() => {
  void host.stop().finally(() => removeDir(root))
})
