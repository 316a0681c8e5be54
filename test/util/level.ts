import { mkdtempSync, rmSync } from 'fs'
import { tmpdir } from 'os'
import { join } from 'path'
import type tape from 'tape'
import { errorCode } from '../../lib/util/errors'

// A not-yet-created database directory under a temp root that is removed when the test ends.
export function tempLocation (t: tape.Test): string {
  const root = mkdtempSync(join(tmpdir(), 'ai-level-test-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  return join(root, 'db')
}

// This tape has no t.rejects(); resolves with the code of the error the promise rejects with.
export async function rejectionCode (promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise
    return 'resolved'
  } catch (err) {
    return errorCode(err) ?? (err instanceof Error ? err.name : String(err))
  }
}
