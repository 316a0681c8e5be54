// What happens to AiLevelWorker when its worker goes away, and who ends the worker: Node-only,
// as a browser tells a page nothing when a worker it did not start is killed.
import tape from 'tape'
import { AiLevelWorker } from '../../lib/browser/worker-client'
import { tempLocation } from '../util/temp-dir'
import { rejectionCode } from '../util/level'
import { nodeWorker, type NodeWorkerEndpoint } from './node-endpoints'
import type { HostMode } from './host-worker'

// A database whose worker (in `mode`) is started by each open; `current()` is the latest one.
// Over the shared-memory lane, which Node offers when asked (sharedMemory: true), as a cross-origin
// isolated page does: what these tests check concerns lane requests most.
function database (t: tape.Test, mode: HostMode): { db: AiLevelWorker, current: () => NodeWorkerEndpoint } {
  let endpoint: NodeWorkerEndpoint | null = null
  const db = new AiLevelWorker(tempLocation(t, 'remote'), { worker: () => (endpoint = nodeWorker(mode)), sharedMemory: true })
  return {
    db,
    current: () => {
      if (endpoint === null) throw new Error('no worker started yet')
      return endpoint
    }
  }
}

tape('AiLevelWorker: a killed worker rejects pending and later calls with LEVEL_CONNECTION_LOST', async (t) => {
  const { db, current } = database(t, 'hang')
  await db.put('a', '1')
  const it = db.iterator()
  const pending = db.has('a')
  const first = current()
  first.terminate?.()
  t.is(await rejectionCode(pending), 'LEVEL_CONNECTION_LOST', 'the pending has')
  t.is(await first.exited, 1, 'the worker is gone')
  t.is(await rejectionCode(db.put('b', '2')), 'LEVEL_CONNECTION_LOST', 'a later put')
  t.is(await rejectionCode(it.next()), 'LEVEL_CONNECTION_LOST', 'an iterator made before')
  await db.close()
  t.is(db.status, 'closed', 'close() succeeds: the worker holds nothing any more')
  await db.open()
  t.notEqual(current(), first, 'open() starts a new worker')
  t.is(await db.get('a'), '1', 'which sees the acknowledged write')
  await db.close()
  t.is(await current().exited, 1, 'close() ended it')
})

tape('AiLevelWorker: a worker that crashes rejects pending calls with LEVEL_CONNECTION_LOST', async (t) => {
  const { db, current } = database(t, 'crash')
  await db.open()
  const err = await db.has('a').catch((e: Error & { code?: string }) => e)
  t.is((err as { code?: string }).code, 'LEVEL_CONNECTION_LOST', 'the pending has')
  t.ok(/crashed/.test((err as Error).message), `with the worker's reason: ${(err as Error).message}`)
  await current().exited
  await db.close()
})

tape('AiLevelWorker: a result the worker cannot send rejects the call, not the connection', async (t) => {
  const { db } = database(t, 'uncloneable')
  await db.put('a', '1')
  const err = await db.has('a').catch((e: Error) => e)
  t.is((err as Error).name, 'DataCloneError', 'the cloning error')
  t.is(await db.get('a'), '1', 'later calls are answered')
  await db.close()
})

tape('AiLevelWorker: a worker the caller gave is left running across close() and open()', async (t) => {
  const endpoint = nodeWorker('direct')
  const location = tempLocation(t, 'remote')
  const db = new AiLevelWorker(location, { worker: endpoint })
  await db.put('a', '1')
  await db.close()
  await db.open()
  t.is(await db.get('a'), '1', 'reopened through the same worker')
  await db.close()
  endpoint.terminate?.()
  await endpoint.exited
})

tape('AiLevelWorker: the worker option is required', async (t) => {
  t.throws(() => new AiLevelWorker('db', {} as never), /The option 'worker' is required/, 'without it')
  t.throws(() => new AiLevelWorker('', { worker: () => nodeWorker('direct') }), /location/, 'an empty location')
  for (const sharedMemory of ['yes', 1, null]) {
    try {
      new AiLevelWorker('db', { worker: () => nodeWorker('direct'), sharedMemory: sharedMemory as never })
      t.fail(`sharedMemory ${String(sharedMemory)} was taken`)
    } catch (err) {
      t.is((err as { code?: string }).code, 'LEVEL_INVALID_VALUE', `sharedMemory ${String(sharedMemory)}: LEVEL_INVALID_VALUE`)
      t.match((err as Error).message, /The option 'sharedMemory' must be true or false/, 'names the option')
    }
  }
})
