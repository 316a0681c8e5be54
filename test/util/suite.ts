import { mkdtempSync, rmSync } from 'fs'
import { tmpdir } from 'os'
import { join } from 'path'
import tape from 'tape'
import suite from 'abstract-level/test'
import { AiLevel } from '../../index'
import type { OpenOptions } from '../../index'
import { UNCLAMPED_SIZES, type PrivateOpenOptions } from '../../lib/level/options'

// Runs abstract-level's compliance suite against AiLevel, each database in a fresh directory
// (left uncreated, as the createIfMissing tests need) under one temp root removed at the end.
export function runAbstractSuite (tuning: OpenOptions = {}): void {
  const root = mkdtempSync(join(tmpdir(), 'ai-level-suite-'))
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

  tape.onFinish(() => rmSync(root, { recursive: true, force: true }))
}
