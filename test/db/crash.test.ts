// Process crash: a child writes batches into an AiLevel database and is SIGKILLed at a random
// moment (opening, writing, flushing, compacting: its memtables are tiny). After every kill the
// database must open (the dead process's lock must not block it), hold every batch the child
// reported as acknowledged, and hold no batch in part.
import { fork } from 'node:child_process'
import path from 'node:path'
import tape from 'tape'
import { AiLevel } from '../../index'
import { createRandom, integerFromEnv, testSeed } from '../util/random'
import { verifyContents } from './workload'
import { removeDir, tempDir } from '../util/temp-dir'
import { UNCLAMPED_SIZES } from '../../lib/level/options'

const ROUNDS = integerFromEnv('AIDB_CRASH_ROUNDS', 16)
const MODES = ['nosync', 'mixed', 'nosync', 'sync']

interface RoundResult {
  acked: number[]
  opened: boolean
  error?: string
}

function runChild (location: string, firstId: number, parallel: number, mode: string, killAfterMs: number): Promise<RoundResult> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'crash-writer.js'), [location, String(firstId), String(parallel), mode], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
    const result: RoundResult = { acked: [], opened: false }
    child.on('message', (message: { acked?: number, opened?: boolean, error?: string }) => {
      if (message.acked !== undefined) result.acked.push(message.acked)
      if (message.opened === true) result.opened = true
      if (message.error !== undefined) result.error = message.error
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs)
    child.on('error', reject)
    child.on('exit', () => {
      clearTimeout(timer)
      resolve(result)
    })
  })
}

tape('SIGKILL at random moments loses no acknowledged batch and leaves no partial batch', async (t) => {
  const seed = testSeed(31337)
  t.comment(`seed ${seed} (replay with AIDB_TEST_SEED)`)
  const random = createRandom(seed)
  const dir = tempDir('crash')
  const location = path.join(dir, 'db')
  const acked = new Set<number>()
  let killedWhileOpening = 0
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const mode = MODES[round % MODES.length]
      const parallel = random.pick([1, 4, 16])
      // Node itself takes ~100 ms to start; short delays kill the child during open.
      const killAfter = random.between(80, 900)
      const result = await runChild(location, round * 1_000_000, parallel, mode, killAfter)
      if (result.error !== undefined) t.fail(`round ${round}: child failed: ${result.error}`)
      if (!result.opened) killedWhileOpening++
      for (const id of result.acked) acked.add(id)

      const db = new AiLevel(location, { writeBufferSize: 4 * 1024, [UNCLAMPED_SIZES]: true })
      await db.open()
      try {
        const entries = await db.iterator().all()
        const verdict = verifyContents(entries, acked)
        const tables = [0, 1, 2, 3].map(level => db.getProperty(`leveldb.num-files-at-level${level}`)).join('/')
        t.same(verdict.problems.slice(0, 5), [], `round ${round} (${mode}, ${parallel} writers, kill at ${killAfter} ms): ` +
          `${result.acked.length} acked this round, ${acked.size} in all, ${verdict.present.size} batches present, tables per level ${tables}`)
      } finally {
        await db.close()
      }
    }
    t.comment(`${killedWhileOpening} of ${ROUNDS} kills landed before the open finished`)
  } finally {
    removeDir(dir)
  }
})
