// The other end of the benchmark's message round trip (page-entry.ts, echo()): a dedicated worker
// that posts every message it gets straight back, the floor under any call AiLevelWorker makes.
const echoScope = globalThis as unknown as {
  addEventListener (type: 'message', listener: (event: { data: unknown }) => void): void
  postMessage (message: unknown): void
}

echoScope.addEventListener('message', ({ data }) => echoScope.postMessage(data))

export {}
