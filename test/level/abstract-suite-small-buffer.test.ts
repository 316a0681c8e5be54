import { runAbstractSuite } from '../util/suite'
import { SMALL } from '../util/options'

// Tiny memtables and tables so the suite's writes go through flushes and compactions.
runAbstractSuite({ ...SMALL, writeBufferSize: 1024 })
