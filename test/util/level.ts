import { errorCode } from '../../lib/util/errors'

// This tape has no t.rejects(); resolves with the code of the error the promise rejects with.
export async function rejectionCode (promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise
    return 'resolved'
  } catch (err) {
    return errorCode(err) ?? (err instanceof Error ? err.name : String(err))
  }
}
