// The worker side of the Node tests of AiLevelWorker (a worker_threads Worker standing in for a
// browser's dedicated worker). workerData.mode:
// - 'ports': every message on parentPort carries a MessagePort; each port gets a host of its own
//   (many databases, one thread);
// - 'direct': serves parentPort itself;
// - 'hang': as 'direct', but has() never answers (get() is answered at once, from getSync());
// - 'crash': as 'direct', but has() makes the worker throw outside any call;
// - 'uncloneable': as 'direct', but has() resolves with a function, which no message can carry.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads'
import { AiLevel } from '../../index'
import type { PrivateReadOptions } from '../../lib/level/options'
import type { Data } from '../../lib/level/format'
import { serveLevel, servePorts } from '../../lib/browser/worker-host'
import type { MessageEndpoint } from '../../lib/browser/worker-protocol'

export type HostMode = 'ports' | 'direct' | 'hang' | 'crash' | 'uncloneable'

class HangingLevel extends AiLevel {
  override async _has (_key: Data, _options: PrivateReadOptions): Promise<boolean> {
    return new Promise(() => {})
  }
}

class CrashingLevel extends AiLevel {
  override async _has (_key: Data, _options: PrivateReadOptions): Promise<boolean> {
    setTimeout(() => { throw new Error('the worker crashed') })
    return new Promise(() => {})
  }
}

class UncloneableLevel extends AiLevel {
  override async _has (_key: Data, _options: PrivateReadOptions): Promise<boolean> {
    return (() => true) as unknown as boolean
  }
}

const LEVELS = { ports: AiLevel, direct: AiLevel, hang: HangingLevel, crash: CrashingLevel, uncloneable: UncloneableLevel }

const mode = (workerData as { mode: HostMode }).mode
const source = (location: string, options: object): AiLevel => new LEVELS[mode](location, options)
const port = parentPort as MessagePort

if (mode === 'ports') servePorts(port as unknown as MessageEndpoint, source)
else serveLevel(port as unknown as MessageEndpoint, source)
