// Several processes share one AiLevel database through many-level: the host (here, over TCP on
// the loopback address) serves unchanged many-level guests in child processes.
import { fork, type ChildProcess } from 'node:child_process'
import net from 'node:net'
import path from 'node:path'
import { pipeline } from 'node:stream'
import tape from 'tape'
import { AiLevel } from '../../index'
import { ManyLevelHost, type HostOptions } from '../../lib/level/many-level-host'
import type { GuestReply, GuestRequest } from './many-level-guest'
import { tempLocation } from '../util/temp-dir'

const ANSWER_TIMEOUT_MS = 10_000

type Request = GuestRequest extends infer R ? R extends { id: number } ? Omit<R, 'id'> : never : never

// A guest process and a way to ask it for one operation at a time.
class Guest {
  readonly child: ChildProcess
  readonly acked: number[] = []
  #nextId = 0
  readonly #pending = new Map<number, (outcome: object) => void>()

  constructor (port: number) {
    this.child = fork(path.join(__dirname, 'many-level-guest.js'), [String(port)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    this.child.on('message', (reply: GuestReply) => {
      if ('acked' in reply) {
        this.acked.push(reply.acked)
        return
      }
      const { id, ...outcome } = reply
      this.#pending.get(id)?.(outcome)
      this.#pending.delete(id)
    })
  }

  // A request that never settles (as with many-level's own host on abstract-level 3) fails
  // the assertion instead of hanging the run.
  ask (request: Request): Promise<object> {
    const id = this.#nextId++
    return new Promise(resolve => {
      const timer = setTimeout(() => resolve({ error: `no answer to ${request.op} within ${ANSWER_TIMEOUT_MS} ms` }), ANSWER_TIMEOUT_MS)
      this.#pending.set(id, outcome => {
        clearTimeout(timer)
        resolve(outcome)
      })
      this.child.send({ ...request, id })
    })
  }

  async stop (): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return
    const exited = new Promise(resolve => this.child.once('exit', resolve))
    this.child.disconnect()
    await exited
  }
}

async function serve (t: tape.Test, options: HostOptions = {}): Promise<{ db: AiLevel, port: number }> {
  const db = new AiLevel(tempLocation(t))
  await db.open()
  const host = new ManyLevelHost(db, options)
  const sockets = new Set<net.Socket>()
  const server = net.createServer(socket => {
    sockets.add(socket)
    pipeline(socket, host.createRpcStream(), socket, () => sockets.delete(socket))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise(resolve => server.close(resolve))
    await db.close()
  })
  return { db, port: (server.address() as net.AddressInfo).port }
}

tape('many-level guests in two processes read and write one AiLevel database over TCP', async (t) => {
  const { db, port } = await serve(t)
  const a = new Guest(port)
  const b = new Guest(port)
  try {
    t.same(await a.ask({ op: 'put', key: 'k1', value: 'from a' }), { ok: true }, 'a put settles')
    t.same(await b.ask({ op: 'get', key: 'k1' }), { ok: true, result: 'from a' }, 'b reads what a wrote')
    t.same(await b.ask({ op: 'get', key: 'absent' }), { error: 'LEVEL_NOT_FOUND' }, 'an absent key is not found, as guests expect')
    t.same(await a.ask({
      op: 'batch',
      operations: [
        { type: 'put', key: 'k2', value: 'two' }, { type: 'put', key: 'k3', value: 'three' },
        { type: 'put', key: 'k4', value: 'four' }, { type: 'del', key: 'k1' }
      ]
    }), { ok: true }, 'a batch settles')
    t.same(await b.ask({ op: 'getMany', keys: ['k1', 'k2', 'k4'] }), { ok: true, result: [null, 'two', 'four'] }, 'getMany (an absent value crosses IPC as null)')
    t.same(await b.ask({ op: 'all', options: {} }), { ok: true, result: [['k2', 'two'], ['k3', 'three'], ['k4', 'four']] }, 'an iterator over everything')
    t.same(await b.ask({ op: 'all', options: { gt: 'k2', reverse: true } }), { ok: true, result: [['k4', 'four'], ['k3', 'three']] }, 'a reverse range')
    t.same(await b.ask({ op: 'all', options: { limit: 2 } }), { ok: true, result: [['k2', 'two'], ['k3', 'three']] }, 'a limit')
    t.same(await a.ask({ op: 'seek', options: {}, target: 'k3', count: 5 }), { ok: true, result: [['k3', 'three'], ['k4', 'four']] }, 'seek then next')
    t.same(await a.ask({ op: 'del', key: 'k3' }), { ok: true }, 'a del settles')
    t.same(await a.ask({ op: 'clear', options: { gte: 'k4' } }), { ok: true }, 'a clear settles')
    t.same(await b.ask({ op: 'all', options: {} }), { ok: true, result: [['k2', 'two']] }, 'b sees the del and the clear')
    t.same(await db.get('k2'), 'two', 'the host process reads the guests\' writes')
  } finally {
    await a.stop()
    await b.stop()
  }
})

tape('a guest killed mid-write loses nothing acknowledged and the host keeps serving the others', async (t) => {
  const { db, port } = await serve(t)
  const writer = new Guest(port)
  const other = new Guest(port)
  try {
    const looping = writer.ask({ op: 'putLoop', prefix: 'w' })
    while (writer.acked.length < 200) await new Promise(resolve => setTimeout(resolve, 5))
    const exited = new Promise(resolve => writer.child.once('exit', resolve))
    writer.child.kill('SIGKILL')
    await exited
    void looping
    const acked = writer.acked.length
    const stored = await db.keys({ gte: 'w', lt: 'x' }).all()
    t.ok(stored.length >= acked, `all ${acked} acknowledged puts are stored (${stored.length} in all)`)
    const missing = writer.acked.filter(i => !stored.includes(`w${String(i).padStart(8, '0')}`))
    t.same(missing, [], 'none of them is missing')
    t.same(await other.ask({ op: 'put', key: 'after', value: 'kill' }), { ok: true }, 'another guest writes after the kill')
    t.same(await other.ask({ op: 'get', key: 'after' }), { ok: true, result: 'kill' }, 'and reads')
  } finally {
    await other.stop()
  }
})

tape('a read-only host refuses guests\' writes with LEVEL_READONLY', async (t) => {
  const { db, port } = await serve(t, { readonly: true })
  await db.put('kept', 'yes')
  const guest = new Guest(port)
  try {
    t.same(await guest.ask({ op: 'put', key: 'k', value: 'v' }), { error: 'LEVEL_READONLY' }, 'put refused')
    t.same(await guest.ask({ op: 'batch', operations: [{ type: 'del', key: 'kept' }] }), { error: 'LEVEL_READONLY' }, 'batch refused')
    t.same(await guest.ask({ op: 'get', key: 'kept' }), { ok: true, result: 'yes' }, 'reads still served')
    t.same(await db.get('k'), undefined, 'nothing was written')
  } finally {
    await guest.stop()
  }
})
