// Reads the write batches back out of a write-ahead log, for recovery, flushes and repair.
import type { Env } from '../env/env'
import { LogReader } from './log-reader'
import { WriteBatch } from '../format/write-batch'

// Damage is reported, not thrown: the caller decides whether it is fatal (paranoid checks) or skipped.
export type DamageHandler = (bytes: number, reason: string) => void

export function replayLog (env: Env, path: string, onBatch: (batch: WriteBatch) => void, onDamage: DamageHandler): void {
  const file = env.newRandomAccessFile(path)
  try {
    const reader = new LogReader(file, { checksum: true, reporter: onDamage })
    for (let record = reader.readRecord(); record !== null; record = reader.readRecord()) {
      let batch: WriteBatch
      try {
        batch = WriteBatch.fromContents(record)
        // Validate the whole batch first so a malformed one is dropped entirely, never half applied.
        batch.forEachRange(() => {})
      } catch (err) {
        onDamage(record.length, (err as Error).message)
        continue
      }
      onBatch(batch)
    }
  } finally {
    file.close()
  }
}
