import { AbstractSnapshot } from 'abstract-level'
import type { DB } from '../db/db'
import type { Snapshot } from '../db/options'

// abstract-level's typings leave out the constructor, which takes `{ owner }` (the database
// that closes the snapshot on db.close()) as passed to db._snapshot(options).
const SnapshotBase = AbstractSnapshot as unknown as new (options: object) => AbstractSnapshot

export class AiSnapshot extends SnapshotBase {
  readonly engineSnapshot: Snapshot
  readonly #engine: DB

  constructor (engine: DB, options: object) {
    super(options)
    this.#engine = engine
    this.engineSnapshot = engine.getSnapshot()
  }

  // Not called while reads using the snapshot are in flight, nor after the database closed.
  async _close (): Promise<void> {
    this.#engine.releaseSnapshot(this.engineSnapshot)
  }
}
