// The worker side of the Node tests of AiLevelWorker (a worker_threads Worker standing in for a
// browser's dedicated worker). workerData.mode:
// - 'ports': every message on parentPort carries a MessagePort; each port gets a host of its own
//   (many databases, one thread);
// - 'direct': serves parentPort itself;
// - 'hang': as 'direct', but get() never answers;
// - 'crash': as 'direct', but get() makes the worker throw outside any call.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads'
import { AiLevel } from '../../index'
import type { PrivateReadOptions } from '../../lib/level/options'
import type { Data } from '../../lib/level/format'
import { serveLevel, type HostedSource } from '../../lib/browser/worker-host'
import type { MessageEndpoint } from '../../lib/browser/worker-protocol'

export type HostMode = 'ports' | 'direct' | 'hang' | 'crash'

class HangingLevel extends AiLevel {
  override async _get (_key: Data, _options: PrivateReadOptions): Promise<Data | undefined> {
    return new Promise(() => {})
  }
}

class CrashingLevel extends AiLevel {
  override async _get (_key: Data, _options: PrivateReadOptions): Promise<Data | undefined> {
    setTimeout(() => { throw new Error('the worker crashed') })
    return new Promise(() => {})
  }
}

const mode = (workerData as { mode: HostMode }).mode
const source: HostedSource = (location, options) =>
  mode === 'hang' ? new HangingLevel(location, options) : mode === 'crash' ? new CrashingLevel(location, options) : new AiLevel(location, options)
const port = parentPort as MessagePort

if (mode === 'ports') {
  port.on('message', (message: { port: MessagePort }) => serveLevel(message.port as unknown as MessageEndpoint, source))
} else {
  serveLevel(port as unknown as MessageEndpoint, source)
}
