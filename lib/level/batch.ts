import { WriteBatch } from '../format/write-batch'

export type EngineBatch = WriteBatch

// The single place engine batches are made.
export function createWriteBatch (): EngineBatch {
  return new WriteBatch()
}
