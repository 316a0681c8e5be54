import { runAbstractSuite } from '../util/suite'

// Tiny memtables and tables so the suite's writes go through flushes and compactions.
runAbstractSuite({ writeBufferSize: 1024, maxFileSize: 16 * 1024 })
