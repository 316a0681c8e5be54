// Child process of crash.test: writes batches into an AiLevel database until it is killed,
// reporting each batch id over IPC once its write has resolved (been acknowledged).
// argv: location, first batch id, writers in parallel, 'sync' | 'nosync' | 'mixed'
import { AiLevel } from '../../index'
import { UNCLAMPED_SIZES } from '../../lib/level/options'
import { levelBatch } from './workload'

async function main (): Promise<void> {
  const [location, firstArg, parallelArg, mode] = process.argv.slice(2)
  // Tiny memtables and tables: the kill often lands in a flush, a compaction or a MANIFEST switch.
  const db = new AiLevel(location, { writeBufferSize: 4 * 1024, maxFileSize: 8 * 1024, [UNCLAMPED_SIZES]: true })
  await db.open()
  process.send?.({ opened: true })
  let next = Number(firstArg)
  const writer = async (): Promise<void> => {
    while (true) {
      const id = next++
      const sync = mode === 'sync' || (mode === 'mixed' && id % 4 === 0)
      await db.batch(levelBatch(id), { sync })
      process.send?.({ acked: id })
    }
  }
  await Promise.all(Array.from({ length: Number(parallelArg) }, writer))
}

main().catch((err: Error) => {
  process.send?.({ error: err.message })
  process.exitCode = 1
})
