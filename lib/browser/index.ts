// The package's browser entry (the `browser` export condition; bundled to dist/browser/index.js by
// scripts/build-package-browser.ts): AiLevel, the engine itself on the origin private file system,
// for use inside a dedicated worker; AiLevelWorker, which on the page (or anywhere with Worker)
// starts a worker running AiLevel and offers the same abstract-level API over messages; and the
// helpers that copy a database directory between OPFS and files.
import { AiLevelWorker as WorkerClient, type AiLevelWorkerOptions as ClientOptions, type WorkerEndpoint } from './worker-client'

export * from './worker-engine'
export type { EndpointEvent, MessageEndpoint, WorkerEndpoint, WorkerSource } from './worker-client'

// `import.meta.url` in the package's browser bundle (defined so by its build); absent where
// lib/browser is bundled some other way, so the worker option must be given there.
declare const AI_LEVEL_BUNDLE_URL: string | undefined

export interface AiLevelWorkerOptions<K, V> extends Omit<ClientOptions<K, V>, 'worker'> {
  /** The worker that serves the database; by default a new module worker running the package's own worker script. */
  worker?: ClientOptions<K, V>['worker']
}

// The browser's Worker, named as a free global so the bundle keeps the literal form below.
declare const Worker: new (url: URL, options: { type: 'module' }) => WorkerEndpoint

// The literal `new Worker(new URL('./ai-level-worker.js', import.meta.url), { type: 'module' })`
// is the form bundlers look for to ship a worker script along with the bundle (Vite does: tested).
function startPackagedWorker (): WorkerEndpoint {
  if (typeof AI_LEVEL_BUNDLE_URL === 'undefined') {
    throw new TypeError("The option 'worker' is required when ai-level is bundled from its sources")
  }
  return new Worker(new URL('./ai-level-worker.js', AI_LEVEL_BUNDLE_URL), { type: 'module' })
}

/**
 * An ai-level database served from a dedicated worker: the abstract-level API over messages. By
 * default each open starts the worker script shipped with the package; `options.worker` names
 * another (see WorkerSource).
 */
export class AiLevelWorker<KDefault = string, VDefault = string> extends WorkerClient<KDefault, VDefault> {
  constructor (location: string, options: AiLevelWorkerOptions<KDefault, VDefault> = {}) {
    super(location, { ...options, worker: options.worker ?? startPackagedWorker })
  }
}
