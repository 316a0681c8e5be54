// Child process of bank.test: runs transfers into an AiLevel database until it is killed,
// reporting each transfer id over IPC once its transaction has committed.
// argv: location, first transfer id, transfers in parallel, 'sync' | 'nosync', seed
import { AiLevel } from '../../index'
import { UNCLAMPED_SIZES } from '../../lib/level/options'
import { createRandom } from '../util/random'
import { transfer } from './bank'

async function main (): Promise<void> {
  const [location, firstArg, parallelArg, mode, seedArg] = process.argv.slice(2)
  // Tiny memtables and tables: the kill often lands in a flush or a compaction.
  const db = new AiLevel(location, { writeBufferSize: 4 * 1024, maxFileSize: 8 * 1024, [UNCLAMPED_SIZES]: true })
  await db.open()
  process.send?.({ opened: true })
  const random = createRandom(Number(seedArg))
  let next = Number(firstArg)
  const worker = async (): Promise<void> => {
    while (true) {
      const id = String(next++)
      await transfer(db, random, id, mode === 'sync')
      process.send?.({ acked: id })
    }
  }
  await Promise.all(Array.from({ length: Number(parallelArg) }, worker))
}

main().catch((err: Error) => {
  process.send?.({ error: err.message })
  process.exitCode = 1
})
