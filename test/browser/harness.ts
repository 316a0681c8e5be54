// Browser side of the browser test runner (test/browser/run.ts). Imported first by every browser
// test file, in a dedicated worker or on the page: it sends tape's TAP output, the end of the run
// and any uncaught error to the runner, and tells the test which step of its scenario to run.
// Worker: messages go to the page with postMessage; the page relays them to the runner's binding.
// Page: messages go to that binding directly.
import './shims/process-global'
import tape from 'tape'

export interface RunnerMessage {
  kind: 'tap' | 'end' | 'error' | 'data'
  text: string
}

/** The binding the runner exposes on the page (Playwright's exposeFunction). */
export const REPORT_BINDING = '__browserTestReport'

interface BrowserScope {
  location: { href: string }
  postMessage?: (message: RunnerMessage) => void
  addEventListener (type: string, listener: (event: { message?: string, reason?: unknown, error?: unknown, preventDefault (): void }) => void): void
  [REPORT_BINDING]?: (message: RunnerMessage) => Promise<void>
}

const scope = globalThis as unknown as BrowserScope
const inWorker = typeof scope[REPORT_BINDING] !== 'function'

/** Sends one message to the runner. */
export function report (message: RunnerMessage): void {
  if (inWorker) scope.postMessage?.(message)
  else void scope[REPORT_BINDING]?.(message)
}

/** Search parameters of this page or worker: `step` names the step of a multi-step scenario. */
export const params = new URL(scope.location.href).searchParams
export const step = params.get('step') ?? ''

/** Hands a value (JSON) to the runner, for checks it makes on the Node side. */
export function sendData (value: unknown): void {
  report({ kind: 'data', text: JSON.stringify(value) })
}

function describe (error: unknown): string {
  return error instanceof Error ? error.stack ?? `${error.name}: ${error.message}` : String(error)
}

// preventDefault: in a worker, keeps the error from also reaching the Worker object's onerror on
// the page, which the runner takes as a worker that failed to load.
scope.addEventListener('error', event => {
  event.preventDefault()
  report({ kind: 'error', text: describe(event.error ?? event.message) })
})
scope.addEventListener('unhandledrejection', event => {
  event.preventDefault()
  report({ kind: 'error', text: describe(event.reason) })
})

tape.createStream().on('data', (chunk: string) => report({ kind: 'tap', text: chunk }))
tape.onFinish(() => report({ kind: 'end', text: '' }))
