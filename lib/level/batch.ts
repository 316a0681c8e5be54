import { WriteBatch, WRITE_BATCH_HEADER_SIZE } from '../format/write-batch'

export type EngineBatch = WriteBatch

// The single place engine batches are made.
export function createWriteBatch (expectedBytes?: number): EngineBatch {
  return new WriteBatch(expectedBytes)
}

export const BATCH_HEADER_BYTES = WRITE_BATCH_HEADER_SIZE
export const encodedUpdateSize = WriteBatch.encodedSize
