// tape reads `process` (env, nextTick, cwd) when it loads and runs; browsers have none. Imported
// before tape by the harness. No `on`/`exit`, so tape does not try to hook the process's exit.
interface ProcessLike {
  env: Record<string, string | undefined>
  nextTick (callback: (...args: unknown[]) => void, ...args: unknown[]): void
  cwd (): string
  platform: string
}

const scope = globalThis as unknown as { process?: ProcessLike }
scope.process ??= {
  env: {},
  nextTick: (callback, ...args) => queueMicrotask(() => callback(...args)),
  cwd: () => '/',
  platform: 'browser'
}
