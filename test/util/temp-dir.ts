// The one home for temporary directories in tests. Every directory is made under the OS temp dir
// as `ai-level-<name>-<random>`, and whoever makes one removes it when done, pass or fail.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type tape from 'tape'

/** A fresh, empty directory; the caller removes it with removeDir(). */
export function tempDir (name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `ai-level-${name}-`))
}

export function removeDir (dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true })
}

/** Runs body with a fresh directory that is removed afterwards, pass or fail. */
export async function withTempDir<T> (name: string, body: (dir: string) => Promise<T>): Promise<T> {
  const dir = tempDir(name)
  try {
    return await body(dir)
  } finally {
    removeDir(dir)
  }
}

/**
 * A not-yet-created database location inside a fresh directory that is removed when the test
 * ends (as createIfMissing needs).
 */
export function tempLocation (t: tape.Test, name = 'test'): string {
  const root = tempDir(name)
  t.teardown(() => removeDir(root))
  return path.join(root, 'db')
}
