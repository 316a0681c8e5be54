import { AbstractChainedBatch } from 'abstract-level'
import { WriteBatch } from '../format/write-batch'
import type { Data } from './format'
import type { WriteOptions } from './options'

export type BatchWriter = (batch: WriteBatch, options: WriteOptions) => Promise<void>

// Builds one engine batch as operations are added, instead of abstract-level's default
// of collecting operation objects and handing them to db._batch().
export class AiChainedBatch<TDatabase> extends AbstractChainedBatch<TDatabase, Data, Data> {
  readonly #batch = new WriteBatch()
  readonly #write: BatchWriter

  constructor (db: TDatabase, write: BatchWriter) {
    super(db)
    this.#write = write
  }

  _put (key: Data, value: Data): void { this.#batch.put(key, value) }
  _del (key: Data): void { this.#batch.del(key) }
  _clear (): void { this.#batch.clear() }
  async _write (options: WriteOptions): Promise<void> { return this.#write(this.#batch, options) }
}
