// The script a dedicated worker runs for AiLevelWorker: on the worker's own global scope it
// serves an AiLevel made from the location and options the client opens with. The worker lives
// as long as its client keeps it (AiLevelWorker ends a worker it started after close()).
import { AiLevel } from './worker-engine'
import { serveLevel } from './worker-host'
import type { MessageEndpoint } from './worker-protocol'

serveLevel(globalThis as unknown as MessageEndpoint, (location, options) => new AiLevel(location, options))
