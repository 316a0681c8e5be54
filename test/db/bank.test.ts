// Bank invariant: concurrent random transfers between accounts, each a transaction with retries,
// never change the total, and every balance is the initial one plus the transfers recorded, also
// as seen by concurrent read-only audits, after a reopen, and after a SIGKILL mid-run.
import { fork } from 'node:child_process'
import path from 'node:path'
import tape from 'tape'
import { AiLevel } from '../../index'
import { UNCLAMPED_SIZES } from '../../lib/level/options'
import { createRandom, testSeed } from '../util/random'
import { tempLocation } from '../util/temp-dir'
import { ACCOUNTS, INITIAL_BALANCE, audit, openAccounts, transfer } from './bank'

const TOTAL = ACCOUNTS * INITIAL_BALANCE

tape('bank: concurrent transfers keep the total, seen by concurrent audits and after a reopen', async (t) => {
  const seed = testSeed(8080)
  t.comment(`seed ${seed} (replay with AIDB_TEST_SEED)`)
  const random = createRandom(seed)
  const location = tempLocation(t)
  const db = new AiLevel(location, { writeBufferSize: 16 * 1024, [UNCLAMPED_SIZES]: true })
  await db.open()
  await openAccounts(db)

  let audits = 0
  let badAudits = 0
  let running = true
  const auditor = async (): Promise<void> => {
    while (running) {
      const result = await audit(db)
      audits++
      if (result.total !== TOTAL || !result.balancesMatchTransfers) badAudits++
      await new Promise(resolve => setImmediate(resolve))
    }
  }
  let id = 0
  const worker = async (): Promise<void> => {
    for (let i = 0; i < 40; i++) await transfer(db, random, String(id++), false)
  }
  const auditing = auditor()
  await Promise.all(Array.from({ length: 16 }, worker))
  running = false
  await auditing

  const after = await audit(db)
  t.is(after.total, TOTAL, 'the total is unchanged')
  t.ok(after.balancesMatchTransfers, 'each balance is the initial one plus its transfers')
  t.is(after.transferIds.size, 640, 'every transfer committed')
  t.ok(audits > 0, `${audits} concurrent audits ran`)
  t.is(badAudits, 0, 'none saw a broken invariant')
  await db.close()

  const reopened = new AiLevel(location)
  await reopened.open()
  const again = await audit(reopened)
  t.is(again.total, TOTAL, 'after reopening, the total is unchanged')
  t.ok(again.balancesMatchTransfers, 'and the balances match the transfers')
  t.is(again.transferIds.size, 640)
  return reopened.close()
})

interface RoundResult { acked: string[], error?: string }

function runChild (location: string, firstId: number, parallel: number, mode: string, seed: number, killAfterMs: number): Promise<RoundResult> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'bank-writer.js'), [location, String(firstId), String(parallel), mode, String(seed)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
    const result: RoundResult = { acked: [] }
    let timer: NodeJS.Timeout | undefined
    child.on('message', (message: { opened?: boolean, acked?: string, error?: string }) => {
      // Timed from the open, so that the kill lands mid-run even on a busy machine.
      if (message.opened === true) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs)
      if (message.acked !== undefined) result.acked.push(message.acked)
      if (message.error !== undefined) result.error = message.error
    })
    child.on('error', reject)
    child.on('exit', () => {
      clearTimeout(timer)
      resolve(result)
    })
  })
}

tape('bank: after a SIGKILL mid-run no transaction is applied in part and none acknowledged is lost', async (t) => {
  const seed = testSeed(4242)
  t.comment(`seed ${seed} (replay with AIDB_TEST_SEED)`)
  const random = createRandom(seed)
  const location = tempLocation(t)
  const setup = new AiLevel(location)
  await setup.open()
  await openAccounts(setup)
  await setup.close()

  const acked = new Set<string>()
  let transfers = 0
  for (let round = 0; round < 6; round++) {
    const mode = round % 2 === 0 ? 'nosync' : 'sync'
    const result = await runChild(location, round * 1_000_000, random.pick([1, 8, 32]), mode, random.int(1e9), random.between(100, 600))
    if (result.error !== undefined) t.fail(`round ${round}: child failed: ${result.error}`)
    for (const id of result.acked) acked.add(id)

    const db = new AiLevel(location)
    await db.open()
    try {
      const state = await audit(db)
      t.is(state.total, TOTAL, `round ${round} (${mode}): the total is unchanged`)
      t.ok(state.balancesMatchTransfers, `round ${round}: each balance is the initial one plus the transfers recorded`)
      const lost = [...acked].filter(id => !state.transferIds.has(id))
      t.same(lost.slice(0, 5), [], `round ${round}: every acknowledged transfer is there (${result.acked.length} this round)`)
      transfers = state.transferIds.size
    } finally {
      await db.close()
    }
  }
  t.ok(transfers > 0, `${transfers} transfers survived in all`)
})
