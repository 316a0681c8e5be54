// abstract-level's compliance suite on AiLevel inside a dedicated worker, every database a fresh
// directory of the origin-private file system (the browser's default Env).
import './harness'
import tape from 'tape'
import suite from 'abstract-level/test'
import { AiLevel } from '../../lib/browser/worker-engine'

let databases = 0
suite({ test: tape, factory: (options?: object) => new AiLevel(`suite-${databases++}`, options) })
