// The other end of the benchmark's shared-memory round trip (page-entry.ts, laneEcho()): a
// dedicated worker that serves AiLevelWorker's shared-memory lane (lib/browser/worker-lane.ts) and
// writes every request straight back as its answer, the floor under a call that takes the lane.
import { HostLane, type LaneServer } from '../../lib/browser/worker-lane'

const laneScope = globalThis as unknown as {
  addEventListener (type: 'message', listener: (event: { data: SharedArrayBuffer }) => void): void
  postMessage (message: true): void
}

class EchoServer implements LaneServer {
  lane: HostLane | null = null
  // No messages or calls of its own: every request is a lane request, answered at once.
  readonly handled = 0
  readonly working = 0

  handle (request: unknown): void {
    this.lane?.answer(request)
  }
}

laneScope.addEventListener('message', ({ data }) => {
  const server = new EchoServer()
  const lane = new HostLane(data, server)
  server.lane = lane
  laneScope.postMessage(true)
  lane.run().catch((err: unknown) => { setTimeout(() => { throw err }) })
})

export {}
