// The benchmark page's script. `runEngine`, called by the driver (run.ts), runs one engine's
// workloads: AiLevelWorker here on the page, the others in a fresh dedicated worker
// (worker-entry.ts), whose questions for the browser's CPU time it passes on to the driver. Each
// run's database is removed afterwards.
import { AiLevelWorker } from '../../lib/browser/index'
import { PAGE_ENGINES, type BenchReply, type BenchRequest, type CpuAnswer, type CpuQuery, type PageEngine, type WorkerEngine } from './protocol'
import { runWorkloads } from './workloads'

interface BenchWorker {
  postMessage (message: BenchRequest | CpuAnswer): void
  addEventListener (type: 'message', listener: (event: { data: BenchReply | CpuQuery }) => void): void
  addEventListener (type: 'error', listener: (event: { message: string }) => void): void
  terminate (): void
}

interface PageScope {
  Worker: new (url: string, options: { type: 'module' }) => BenchWorker
  performance: { now (): number }
  navigator: { storage: { getDirectory (): Promise<{ removeEntry (name: string, options: { recursive: boolean }): Promise<void> }> } }
  runEngine (request: BenchRequest): Promise<BenchReply>
  /** Exposed by the driver: CPU milliseconds all of Chromium's processes have used. */
  browserCpuMillis (): Promise<number>
}

const scope = globalThis as unknown as PageScope

function inWorker (request: BenchRequest<WorkerEngine>): Promise<BenchReply> {
  return new Promise(resolve => {
    const worker = new scope.Worker('./worker-entry.js', { type: 'module' })
    const done = (reply: BenchReply): void => {
      worker.terminate()
      resolve(reply)
    }
    worker.addEventListener('message', ({ data }) => {
      if ('cpuQuery' in data) scope.browserCpuMillis().then(cpuMillis => worker.postMessage({ cpuMillis }), (err: Error) => done({ error: err.message }))
      else done(data)
    })
    worker.addEventListener('error', ({ message }) => done({ error: `${request.engine}: the worker failed: ${message}` }))
    worker.postMessage(request)
  })
}

async function onPage (request: BenchRequest<PageEngine>): Promise<BenchReply> {
  const db = new AiLevelWorker<string, string>(request.name, {
    worker: () => new scope.Worker('./ai-level-worker.js', { type: 'module' })
  })
  try {
    await db.open()
    const timings = await runWorkloads(db, request.config, { now: () => scope.performance.now(), browserCpu: () => scope.browserCpuMillis() })
    await db.close()
    const root = await scope.navigator.storage.getDirectory()
    await root.removeEntry(request.name, { recursive: true })
    return { timings }
  } catch (err) {
    return { error: `${request.engine}: ${(err as Error).stack ?? String(err)}` }
  }
}

function isPageRequest (request: BenchRequest): request is BenchRequest<PageEngine> {
  return (PAGE_ENGINES as readonly string[]).includes(request.engine)
}

scope.runEngine = (request) => isPageRequest(request) ? onPage(request) : inWorker(request as BenchRequest<WorkerEngine>)
