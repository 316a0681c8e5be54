import { AbstractChainedBatch } from 'abstract-level'
import { createWriteBatch } from './batch'
import type { WriteBatch } from '../format/write-batch'
import { toBuffer } from './format'
import type { Data } from './format'
import type { WriteOptions } from './options'

export type BatchWriter = (batch: WriteBatch, options: WriteOptions) => Promise<void>

// Builds one engine batch as operations are added, instead of abstract-level's default
// of collecting operation objects and handing them to db._batch().
export class AiChainedBatch<TDatabase> extends AbstractChainedBatch<TDatabase, Data, Data> {
  readonly #batch = createWriteBatch()
  readonly #write: BatchWriter

  constructor (db: TDatabase, write: BatchWriter) {
    super(db)
    this.#write = write
  }

  _put (key: Data, value: Data): void { this.#batch.put(toBuffer(key), toBuffer(value)) }
  _del (key: Data): void { this.#batch.del(toBuffer(key)) }
  _clear (): void { this.#batch.clear() }
  async _write (options: WriteOptions): Promise<void> { return this.#write(this.#batch, options) }
}
