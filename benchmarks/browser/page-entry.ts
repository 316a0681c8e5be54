// The benchmark page's script. `runEngine`, called by the driver (run.ts), runs one engine's
// workloads: AiLevelWorker here on the page, the others in a fresh dedicated worker
// (worker-entry.ts), whose questions for the browser's CPU time it passes on to the driver. Each
// run's database is removed afterwards.
import { AiLevelWorker } from '../../lib/browser/index'
import { ClientLane, laneAvailable, newLaneBuffer } from '../../lib/browser/worker-lane'
import { PAGE_ENGINES, type BenchReply, type BenchRequest, type CpuAnswer, type CpuQuery, type EchoReply, type PageEngine, type WorkerEngine } from './protocol'
import { runWorkloads } from './workloads'

interface BenchWorker {
  postMessage (message: BenchRequest | CpuAnswer): void
  addEventListener (type: 'message', listener: (event: { data: BenchReply | CpuQuery }) => void): void
  addEventListener (type: 'error', listener: (event: { message: string }) => void): void
  terminate (): void
}

interface PageScope {
  Worker: new (url: string, options: { type: 'module' }) => BenchWorker & EchoWorker
  performance: { now (): number }
  navigator: { storage: { getDirectory (): Promise<{ removeEntry (name: string, options: { recursive: boolean }): Promise<void> }> } }
  runEngine (request: BenchRequest): Promise<BenchReply>
  echo (count: number): Promise<EchoReply>
  laneEcho (count: number): Promise<EchoReply | null>
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

// A get's answer is an array like this one: [id, value].
type EchoMessage = [number, string]

interface EchoWorker {
  postMessage (message: EchoMessage): void
  addEventListener (type: 'message', listener: (event: { data: EchoMessage }) => void): void
  removeEventListener (type: 'message', listener: (event: { data: EchoMessage }) => void): void
  terminate (): void
}
const ECHO_VALUE = 'v'.repeat(100)

interface LaneEchoWorker {
  postMessage (message: SharedArrayBuffer): void
  addEventListener (type: 'message', listener: () => void): void
  terminate (): void
}

/**
 * The floor under a serial call through AiLevelWorker on this page: `count` awaited round trips
 * of a bare postMessage() to a dedicated worker that posts each message back (echo-worker.ts),
 * each carrying what a get's answer carries: the mean wall time and the CPU time of all of
 * Chromium's processes per round trip, in microseconds (a page that is not cross-origin isolated
 * times to 100 us only, so no single trip is timed).
 */
async function echo (count: number): Promise<EchoReply> {
  const worker = new scope.Worker('./echo-worker.js', { type: 'module' })
  try {
    return await timeTrips(count, (id) => new Promise(resolve => {
      const onMessage = ({ data }: { data: EchoMessage }): void => {
        if (data[0] !== id) return
        worker.removeEventListener('message', onMessage)
        resolve()
      }
      worker.addEventListener('message', onMessage)
      worker.postMessage([id, ECHO_VALUE])
    }))
  } finally {
    worker.terminate()
  }
}

/**
 * The floor under a call through AiLevelWorker's shared-memory lane on this page, as echo() for
 * messages: `count` awaited round trips through a lane (lib/browser/worker-lane.ts) to a worker
 * that writes each request back as its answer (lane-echo-worker.ts); null where this page cannot
 * start a lane (not cross-origin isolated).
 */
async function laneEcho (count: number): Promise<EchoReply | null> {
  if (!laneAvailable(false)) return null
  const worker = new scope.Worker('./lane-echo-worker.js', { type: 'module' }) as unknown as LaneEchoWorker
  try {
    const buffer = newLaneBuffer()
    await new Promise<void>(resolve => {
      worker.addEventListener('message', () => resolve())
      worker.postMessage(buffer)
    })
    const lane = new ClientLane(buffer)
    return await timeTrips(count, async (id) => {
      // A get's answer as the host writes it: [id, value].
      if (!lane.send(['get', id, ECHO_VALUE], 0)) throw new Error('the lane is busy')
      await lane.answer(() => false)
    })
  } finally {
    worker.terminate()
  }
}

// Mean wall and CPU microseconds of `count` awaited round trips, after 200 that warm up.
async function timeTrips (count: number, roundTrip: (id: number) => Promise<void>): Promise<EchoReply> {
  // The worker's start and the first, unoptimized round trips are not the floor.
  for (let i = 0; i < 200; i++) await roundTrip(i)
  const cpuStart = await scope.browserCpuMillis()
  const start = scope.performance.now()
  for (let i = 0; i < count; i++) await roundTrip(i)
  const millis = scope.performance.now() - start
  const cpuMillis = await scope.browserCpuMillis() - cpuStart
  return { micros: millis * 1000 / count, cpuMicros: cpuMillis * 1000 / count }
}

scope.echo = echo
scope.laneEcho = laneEcho
