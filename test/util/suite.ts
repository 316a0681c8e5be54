import { join } from 'node:path'
import tape from 'tape'
import suite from 'abstract-level/test'
import { AiLevel } from '../../index'
import type { OpenOptions } from '../../index'
import { UNCLAMPED_SIZES, type PrivateOpenOptions } from '../../lib/level/options'
import { removeDir, tempDir } from './temp-dir'

// Runs abstract-level's compliance suite against AiLevel, each database in a fresh directory
// (left uncreated, as the createIfMissing tests need) under one temp root removed at the end.
export function runAbstractSuite (tuning: OpenOptions = {}): void {
  const root = tempDir('suite')
  let databases = 0

  // Hands the tuning to the engine only: the suite asserts the exact options that open hooks see.
  class TunedAiLevel extends AiLevel {
    override async _open (options: PrivateOpenOptions): Promise<void> {
      return super._open({ ...tuning, ...options, [UNCLAMPED_SIZES]: true })
    }
  }

  suite({
    test: tape,
    factory: (options?: object) => new TunedAiLevel(join(root, `db-${databases++}`), options)
  })

  tape.onFinish(() => removeDir(root))
}
