import { WriteBatchLike } from '../db/tmp-batch'

export type EngineBatch = WriteBatchLike

// The single place engine batches are made, so swapping the batch class is a one-line change.
export function createWriteBatch (): EngineBatch {
  return new WriteBatchLike()
}
