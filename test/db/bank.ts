// The bank workload shared by the bank tests and their child process: accounts in one sublevel,
// a record of every transfer in another, each transfer one serializable transaction across both.
import type { AiLevel } from '../../index'
import type { Random } from '../util/random'

export const ACCOUNTS = 20
export const INITIAL_BALANCE = 100

export interface TransferRecord { from: number, to: number, amount: number }

export function accountKey (n: number): string {
  return String(n).padStart(3, '0')
}

export function bankSublevels (db: AiLevel) {
  return {
    accounts: db.sublevel<string, number>('accounts', { valueEncoding: 'json' }),
    transfers: db.sublevel<string, TransferRecord>('transfers', { valueEncoding: 'json' })
  }
}

export async function openAccounts (db: AiLevel): Promise<void> {
  const { accounts } = bankSublevels(db)
  await accounts.batch(Array.from({ length: ACCOUNTS }, (_, n) => ({ type: 'put' as const, key: accountKey(n), value: INITIAL_BALANCE })))
}

/** Moves a random amount (at most what `from` holds) and records the transfer under `id`. */
export async function transfer (db: AiLevel, random: Random, id: string, sync: boolean): Promise<void> {
  const { accounts, transfers } = bankSublevels(db)
  const from = random.int(ACCOUNTS)
  const to = (from + 1 + random.int(ACCOUNTS - 1)) % ACCOUNTS
  const wanted = random.between(1, 30)
  await db.transaction(async (tx) => {
    const fromBalance = await tx.get<string, number>(accountKey(from), { sublevel: accounts }) as number
    const toBalance = await tx.get<string, number>(accountKey(to), { sublevel: accounts }) as number
    const amount = Math.min(wanted, fromBalance)
    await tx.put(accountKey(from), fromBalance - amount, { sublevel: accounts })
    // An await between the two writes gives other transfers a chance to interleave.
    await new Promise(resolve => setImmediate(resolve))
    await tx.put(accountKey(to), toBalance + amount, { sublevel: accounts })
    await tx.put<string, TransferRecord>(id, { from, to, amount }, { sublevel: transfers })
  }, { retries: 1000, sync })
}

export interface Audit { total: number, balancesMatchTransfers: boolean, transferIds: Set<string> }

/** Reads the whole bank in one transaction: the total, and whether each balance is the initial one plus its recorded transfers. */
export async function audit (db: AiLevel): Promise<Audit> {
  const { accounts, transfers } = bankSublevels(db)
  return db.transaction(async (tx) => {
    const balances = await tx.iterator<string, number>({ sublevel: accounts }).all()
    const expected = new Array<number>(ACCOUNTS).fill(INITIAL_BALANCE)
    const transferIds = new Set<string>()
    for (const [id, record] of await tx.iterator<string, TransferRecord>({ sublevel: transfers }).all()) {
      expected[record.from] -= record.amount
      expected[record.to] += record.amount
      transferIds.add(id)
    }
    return {
      total: balances.reduce((sum, [, balance]) => sum + balance, 0),
      balancesMatchTransfers: balances.length === ACCOUNTS && balances.every(([key, balance]) => expected[Number(key)] === balance),
      transferIds
    }
  })
}
