// Child process of many-level-host.test: a many-level guest (as a user would run it, unchanged)
// connected over TCP to the test's host. It runs the operations the parent sends over IPC and
// answers each with its result or its error code.
// argv: port
import net from 'node:net'
import { pipeline } from 'node:stream'
import { ManyLevelGuest } from 'many-level'

export type GuestRequest =
  | { id: number, op: 'put', key: string, value: string }
  | { id: number, op: 'get' | 'del', key: string }
  | { id: number, op: 'getMany', keys: string[] }
  | { id: number, op: 'batch', operations: Array<{ type: 'put', key: string, value: string } | { type: 'del', key: string }> }
  | { id: number, op: 'all', options: Record<string, unknown> }
  | { id: number, op: 'seek', options: Record<string, unknown>, target: string, count: number }
  | { id: number, op: 'clear', options: Record<string, unknown> }
  | { id: number, op: 'putLoop', prefix: string }

// A write's result is undefined, which IPC drops: `ok` says it settled.
export type GuestReply = { id: number, ok: true, result?: unknown } | { id: number, error: string } | { acked: number }

const db = new ManyLevelGuest<string, string>()
const socket = net.connect(Number(process.argv[2]), '127.0.0.1')
// Stream errors also reach each pending operation, which answers with its own error.
pipeline(socket, db.createRpcStream() as unknown as NodeJS.ReadWriteStream, socket, () => {})

async function run (request: GuestRequest): Promise<unknown> {
  switch (request.op) {
    case 'put': return db.put(request.key, request.value)
    case 'get': return db.get(request.key)
    case 'del': return db.del(request.key)
    case 'getMany': return db.getMany(request.keys)
    case 'batch': return db.batch(request.operations)
    case 'all': return db.iterator(request.options).all()
    case 'clear': return db.clear(request.options)
    case 'seek': {
      const it = db.iterator(request.options)
      it.seek(request.target)
      const entries = []
      for (let i = 0; i < request.count; i++) {
        const entry = await it.next()
        if (entry === undefined) break
        entries.push(entry)
      }
      await it.close()
      return entries
    }
    case 'putLoop':
      // Writes until killed, one awaited put at a time, reporting each acknowledged one.
      for (let i = 0; ; i++) {
        await db.put(`${request.prefix}${String(i).padStart(8, '0')}`, `value ${i}`)
        process.send?.({ acked: i } satisfies GuestReply)
      }
  }
}

process.on('message', (request: GuestRequest) => {
  run(request).then(
    result => process.send?.({ id: request.id, ok: true, result } satisfies GuestReply),
    (err: Error & { code?: string }) => process.send?.({ id: request.id, error: err.code ?? err.message } satisfies GuestReply)
  )
})
process.on('disconnect', () => {
  socket.destroy()
  process.exit(0)
})
