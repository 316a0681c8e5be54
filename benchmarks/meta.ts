// Where a benchmark run was made: the commit measured and the versions of the packages compared.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

const REPO_ROOT = path.join(__dirname, '..', '..')

function git (...args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return 'unknown'
  }
}

export function packageVersion (name: string): string {
  try {
    return (JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version
  } catch {
    return 'unknown'
  }
}

/** The commit measured: HEAD, the last commit that changed the engine's code, and whether that code has uncommitted changes. */
export function describeCommit (): string {
  const head = git('rev-parse', '--short', 'HEAD')
  const code = git('log', '-1', '--format=%h', '--', 'lib', 'index.ts')
  const dirty = git('status', '--porcelain', '--', 'lib', 'index.ts') !== ''
  return `${head}${code !== head ? ` (engine code as of ${code})` : ''}${dirty ? ' with uncommitted changes to lib/ or index.ts' : ''}`
}
