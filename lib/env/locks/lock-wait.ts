// Waiting for a database's lock while another holder has it (the open option lockTimeout). Every
// lock an Env takes (an OS lock, the pid file, this process's own table, an OPFS sync access
// handle) reports a holder the same way, with LEVEL_LOCKED and without waiting, so waiting is one
// loop over that: try, and on LEVEL_LOCKED try again after a short pause, until the time is up.
// None of those locks can tell us when it is released, hence polling; the pause doubles from
// FIRST_PAUSE_MS to MAX_PAUSE_MS, so a lock released soon is taken soon and a long wait costs
// ten attempts a second. Unlike the rest of this directory, this file uses no Node built-in: the
// OPFS Env's lock waits through it too.
import { errorCode, lockedError } from '../../util/errors'

const FIRST_PAUSE_MS = 5
const MAX_PAUSE_MS = 100

function pause (ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms))
}

// Runs `attempt` until it settles otherwise than with LEVEL_LOCKED, or `timeoutMs` have passed.
// With a timeout of 0 it runs once. After a wait the last LEVEL_LOCKED is rethrown as the cause of
// one that says how long it waited; any other error is rethrown as it is, at once.
export async function retryWhileLocked<T> (timeoutMs: number, attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (let pauseMs = FIRST_PAUSE_MS; ; pauseMs = Math.min(2 * pauseMs, MAX_PAUSE_MS)) {
    try {
      return await attempt()
    } catch (err) {
      if (errorCode(err) !== 'LEVEL_LOCKED' || timeoutMs === 0) throw err
      const left = deadline - Date.now()
      if (left <= 0) throw lockedError(`${(err as Error).message} (still held after waiting ${timeoutMs} ms: lockTimeout)`, err as Error)
      await pause(Math.min(pauseMs, left))
    }
  }
}
