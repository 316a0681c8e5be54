// The benchmark page's script: runs one engine's workloads in a fresh dedicated worker when the
// driver (run.ts) asks through `runInWorker`, and hands back the worker's reply.
import type { WorkerReply, WorkerRequest } from './protocol'

interface BenchWorker {
  postMessage (message: WorkerRequest): void
  addEventListener (type: 'message', listener: (event: { data: WorkerReply }) => void): void
  addEventListener (type: 'error', listener: (event: { message: string }) => void): void
  terminate (): void
}

interface PageScope {
  Worker: new (url: string, options: { type: 'module' }) => BenchWorker
  runInWorker (request: WorkerRequest): Promise<WorkerReply>
}

const scope = globalThis as unknown as PageScope

scope.runInWorker = (request) => new Promise(resolve => {
  const worker = new scope.Worker('./worker-entry.js', { type: 'module' })
  const done = (reply: WorkerReply): void => {
    worker.terminate()
    resolve(reply)
  }
  worker.addEventListener('message', ({ data }) => done(data))
  worker.addEventListener('error', ({ message }) => done({ error: `${request.engine}: the worker failed: ${message}` }))
  worker.postMessage(request)
})
