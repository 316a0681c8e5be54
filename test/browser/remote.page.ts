// AiLevelWorker on the page, each database in a dedicated worker of its own running the package's
// worker script (as an application would use it): its own tests
// (test/browser-remote/remote-tests.ts), then abstract-level's compliance suite.
import './harness'
import tape from 'tape'
import { runRemoteSuite, runRemoteTests } from '../browser-remote/remote-tests'
import { startWorker } from './browser-scope'

let databases = 0
const common = { test: tape, connect: () => startWorker('entry-host.worker'), location: () => `remote-${databases++}` }

runRemoteTests(common)
runRemoteSuite(common)
