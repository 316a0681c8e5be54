// Runs inside a dedicated worker in Chromium: opens the engine the page names, runs the workloads
// and posts the timings back. Bundled for the browser by the benchmark's driver (run.ts).
import { BrowserLevel } from 'browser-level'
import { MemoryLevel } from 'memory-level'
import { AiLevel } from '../../lib/browser/index'
import type { BenchReply, BenchRequest, CpuAnswer, CpuQuery, WorkerEngine } from './protocol'
import { runWorkloads, type BrowserBenchDb } from './workloads'

interface WorkerScope {
  addEventListener (type: 'message', listener: (event: { data: BenchRequest<WorkerEngine> | CpuAnswer }) => void): void
  postMessage (message: BenchReply | CpuQuery): void
  performance: { now (): number }
  navigator: { storage: { getDirectory (): Promise<{ removeEntry (name: string, options: { recursive: boolean }): Promise<void> }> } }
}

const scope = globalThis as unknown as WorkerScope

interface OpenedEngine {
  db: BrowserBenchDb
  destroy (): Promise<void>
}

function openEngine (engine: WorkerEngine, name: string): OpenedEngine {
  switch (engine) {
    case 'ai-level': {
      const db = new AiLevel<string, string>(name)
      return { db, destroy: async () => { await (await scope.navigator.storage.getDirectory()).removeEntry(name, { recursive: true }) } }
    }
    case 'browser-level': {
      const db = new BrowserLevel<string, string>(name)
      return { db, destroy: () => BrowserLevel.destroy(name) }
    }
    case 'memory-level':
      return { db: new MemoryLevel<string, string>(), destroy: async () => {} }
  }
}

let cpuAnswered: ((millis: number) => void) | null = null
const clocks = {
  now: () => scope.performance.now(),
  browserCpu: () => new Promise<number>(resolve => {
    cpuAnswered = resolve
    scope.postMessage({ cpuQuery: true })
  })
}

scope.addEventListener('message', ({ data }) => {
  if ('cpuMillis' in data) {
    cpuAnswered?.(data.cpuMillis)
    return
  }
  const { db, destroy } = openEngine(data.engine, data.name)
  db.open()
    .then(() => runWorkloads(db, data.config, clocks))
    .then(async (timings) => {
      await db.close()
      await destroy()
      scope.postMessage({ timings })
    })
    .catch((err: Error) => scope.postMessage({ error: `${data.engine}: ${err.stack ?? String(err)}` }))
})
