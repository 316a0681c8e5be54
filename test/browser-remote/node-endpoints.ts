// Endpoints for AiLevelWorker in Node: a worker_threads Worker behind the browser Worker's event
// interface, and ports to one shared worker that serves a database per port.
import path from 'node:path'
import { MessageChannel, Worker } from 'node:worker_threads'
import type { EndpointEvent, WorkerEndpoint } from '../../lib/browser/worker-client'
import type { HostMode } from './host-worker'

const HOST_SCRIPT = path.join(__dirname, 'host-worker.js')

type Listener = (event: EndpointEvent) => void

/**
 * A worker running the host in `mode`, with a browser Worker's events: 'message' with `data`,
 * and 'error' both for an uncaught error and for the worker's exit (a killed browser worker's
 * host is gone just the same).
 */
export interface NodeWorkerEndpoint extends WorkerEndpoint {
  /** Resolves with the exit code once the worker thread has ended. */
  readonly exited: Promise<number>
}

export function nodeWorker (mode: HostMode): NodeWorkerEndpoint {
  const worker = new Worker(HOST_SCRIPT, { workerData: { mode } })
  const exited = new Promise<number>(resolve => worker.once('exit', resolve))
  const handlers = new Map<Listener, Array<[string, (...args: unknown[]) => void]>>()
  const on = (listener: Listener, event: string, handler: (...args: unknown[]) => void): void => {
    worker.on(event, handler)
    handlers.set(listener, [...(handlers.get(listener) ?? []), [event, handler]])
  }
  return {
    exited,
    postMessage: (message, transfer) => worker.postMessage(message, transfer),
    addEventListener (type, listener) {
      if (type === 'message') on(listener, 'message', data => listener({ data }))
      if (type === 'messageerror') on(listener, 'messageerror', () => listener({}))
      if (type === 'error') {
        on(listener, 'error', err => listener({ message: (err as Error).message }))
        on(listener, 'exit', code => listener({ message: `the worker exited with code ${String(code)}` }))
      }
    },
    removeEventListener (_type, listener) {
      for (const [event, handler] of handlers.get(listener) ?? []) worker.off(event, handler)
      handlers.delete(listener)
    },
    terminate: () => { void worker.terminate() }
  }
}

/** One worker thread that serves a database on each port connect() hands out. */
export class SharedHost {
  readonly #worker = new Worker(HOST_SCRIPT, { workerData: { mode: 'ports' } })

  constructor () {
    this.#worker.unref()
  }

  readonly connect = (): WorkerEndpoint => {
    const { port1, port2 } = new MessageChannel()
    this.#worker.postMessage({ port: port2 }, [port2])
    return port1 as unknown as WorkerEndpoint
  }

  async stop (): Promise<void> {
    await this.#worker.terminate()
  }
}
