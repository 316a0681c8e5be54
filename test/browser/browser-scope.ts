// The few browser globals the browser tests use, typed here: the project compiles with Node's types
// and without the DOM library.
import type { EndpointEvent, WorkerEndpoint } from '../../lib/browser/worker-client'

export interface BrowserWorker extends WorkerEndpoint {
  addEventListener (type: string, listener: (event: EndpointEvent) => void): void
  terminate (): void
}

interface MessagePortPair {
  port1: WorkerEndpoint
  port2: WorkerEndpoint
}

export const browser = globalThis as unknown as {
  Worker: new (url: string, options: { type: 'module' }) => BrowserWorker
  MessageChannel: new () => MessagePortPair
  postMessage (message: unknown): void
  addEventListener (type: 'message', listener: (event: { data: unknown }) => void): void
}

/** A module worker running test/browser/<name>.ts, as the runner serves it. */
export function startWorker (name: string): BrowserWorker {
  return new browser.Worker(`/bundles/${name}.js`, { type: 'module' })
}

/** The code of an error, or of the innermost error of its cause chain that has one (abstract-level wraps open errors). */
export function innermostCode (error: unknown): string | undefined {
  let code: string | undefined
  for (let e = error as { code?: unknown, cause?: unknown } | undefined; e !== undefined && e !== null; e = e.cause as typeof e) {
    if (typeof e.code === 'string') code = e.code
  }
  return code
}

export async function rejection (promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  return undefined
}
