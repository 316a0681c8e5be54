// Serves one abstract-level database (an AiLevel, or any other abstract-level 3 database) to an
// AiLevelWorker over a MessagePort-like endpoint: a worker's global scope, a MessagePort, or
// Node's parentPort. The messages are described in worker-protocol.ts.
//
// Invariants:
// - The host owns its database: it makes it from the first `open` (when given a factory) and
//   opens and closes it as the client asks; it never ends the worker, which is the client's.
// - Each iterator and snapshot the client names lives in `#iterators` / `#snapshots` from the
//   notice that creates it until the client's close of it or the database's close, whichever
//   comes first; the database closes what is still open when it closes.
// - A call's database method is invoked before the next message is looked at (see the protocol's
//   ordering invariant): nothing here awaits before calling into the database.
import ModuleError from 'module-error'
import type { Data } from '../level/format'
import {
  listen, pack, RANGE_KEYS, toWireError, transferOf, unpack,
  type Answer, type Call, type IteratorKind, type MessageEndpoint, type Notice, type PackedData, type Request, type WireOptions
} from './worker-protocol'

// The parts of an abstract-level database and its iterators the host calls: structural, as
// hooks make abstract-level's own database types invariant. Options and operations are
// abstract-level's, built here from what the client sent.
/* eslint-disable @typescript-eslint/no-explicit-any -- the abstract-level boundary */
interface HostedIterator {
  nextv (size: number): Promise<unknown[]>
  all (): Promise<unknown[]>
  seek (target: any, options: any): void
  close (): Promise<void>
}

interface HostedSnapshot {
  close (): Promise<void>
}

export interface HostedLevel {
  readonly status?: string
  readonly supports?: object
  open (options: any): Promise<void>
  close (): Promise<void>
  get (key: any, options: any): Promise<any>
  getSync? (key: any, options: any): any
  getMany (keys: any[], options: any): Promise<any[]>
  has (key: any, options: any): Promise<boolean>
  hasMany (keys: any[], options: any): Promise<boolean[]>
  put (key: any, value: any, options: any): Promise<void>
  del (key: any, options: any): Promise<void>
  batch (operations: any[], options: any): Promise<void>
  clear (options: any): Promise<void>
  iterator (options: any): HostedIterator
  keys (options: any): HostedIterator
  values (options: any): HostedIterator
  snapshot (): HostedSnapshot
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** A database to serve, or how to make one from the location and options the client opens with. */
export type HostedSource = HostedLevel | ((location: string, options: WireOptions) => HostedLevel)

// One answer to `next` stops growing past this many bytes of keys and values.
const FETCH_BYTES = 256 * 1024

interface IteratorEntry {
  readonly kind: IteratorKind
  readonly it: HostedIterator | null
  // Raised by creating or seeking the iterator; reported by the next call that uses it.
  error: Error | null
}

/** Answers the requests that arrive on `endpoint` with `source`'s database. */
export function serveLevel (endpoint: MessageEndpoint, source: HostedSource): void {
  const host = new LevelHost(endpoint, source)
  listen(endpoint, 'message', event => host.handle(event.data as Request))
  endpoint.start?.()
}

/**
 * One worker, many databases: each message on `endpoint` that carries a MessagePort (`{ port }`,
 * the port transferred with it) gets a host of its own on that port, with a database made by
 * `source` from what the client on that port opens.
 */
export function servePorts (endpoint: MessageEndpoint, source: (location: string, options: WireOptions) => HostedLevel): void {
  listen(endpoint, 'message', event => {
    const { port } = event.data as { port?: MessageEndpoint }
    if (port !== undefined) serveLevel(port, source)
  })
  endpoint.start?.()
}

class LevelHost {
  readonly #endpoint: MessageEndpoint
  readonly #source: HostedSource
  #db: HostedLevel | null = null
  readonly #iterators = new Map<number, IteratorEntry>()
  readonly #snapshots = new Map<number, HostedSnapshot | Error>()

  constructor (endpoint: MessageEndpoint, source: HostedSource) {
    this.#endpoint = endpoint
    this.#source = source
  }

  handle (request: Request): void {
    if (!('id' in request)) {
      this.#notice(request)
      return
    }
    const { id } = request
    if (request.op === 'get' && this.#getNow(id, request.data, request.options)) return
    this.#answer(request).then(
      answer => this.#reply(id, answer),
      (err: unknown) => this.#endpoint.postMessage({ id, error: toWireError(err) }, [])
    )
  }

  // A get answered at once, from getSync() while the database is open, without the promises of
  // get() (which is the same read): false when the database cannot, and get() is to answer.
  #getNow (id: number, data: PackedData, options: WireOptions): boolean {
    const db = this.#db
    if (db === null || db.status !== 'open' || (db.supports as { getSync?: unknown } | undefined)?.getSync !== true || typeof db.getSync !== 'function') return false
    let answer: Answer
    try {
      const [key] = unpack(data)
      answer = { data: pack([db.getSync(key, this.#readOptions(options))]) }
    } catch (err) {
      this.#endpoint.postMessage({ id, error: toWireError(err) }, [])
      return true
    }
    this.#reply(id, answer)
    return true
  }

  // A result that cannot be cloned (from a database that returns something other than strings,
  // bytes, numbers or booleans) is answered with the cloning error, so the call still settles.
  #reply (id: number, answer: Answer): void {
    try {
      const reply: Answer & { id: number } = answer as Answer & { id: number }
      reply.id = id
      this.#endpoint.postMessage(reply, answer.data === undefined ? [] : transferOf(answer.data))
    } catch (err) {
      this.#endpoint.postMessage({ id, error: toWireError(err) }, [])
    }
  }

  get #open (): HostedLevel {
    if (this.#db === null) throw new ModuleError('Database is not open', { code: 'LEVEL_DATABASE_NOT_OPEN' })
    return this.#db
  }

  #notice (notice: Notice): void {
    switch (notice.op) {
      case 'iterator': {
        const { kind } = notice
        try {
          const options = { ...notice.options, ...rangeOf(notice.data), snapshot: this.#snapshot(notice.options.snapshot) }
          this.#iterators.set(notice.iterator, { kind, it: this.#open[kind](options), error: null })
        } catch (err) {
          this.#iterators.set(notice.iterator, { kind, it: null, error: err as Error })
        }
        return
      }
      case 'snapshot':
        try {
          this.#snapshots.set(notice.snapshot, this.#open.snapshot())
        } catch (err) {
          this.#snapshots.set(notice.snapshot, err as Error)
        }
    }
  }

  async #answer (call: Call): Promise<Answer> {
    switch (call.op) {
      case 'open': return this.#openDatabase(call.location, call.options)
      case 'close': {
        await this.#db?.close()
        this.#iterators.clear()
        this.#snapshots.clear()
        return {}
      }
      case 'get': {
        const [key] = unpack(call.data)
        return { data: pack([await this.#open.get(key, this.#readOptions(call.options))]) }
      }
      case 'getMany': return { data: pack(await this.#open.getMany(unpack(call.data), this.#readOptions(call.options))) }
      case 'has': {
        const [key] = unpack(call.data)
        return { result: await this.#open.has(key, this.#readOptions(call.options)) }
      }
      case 'hasMany': return { result: await this.#open.hasMany(unpack(call.data), this.#readOptions(call.options)) }
      case 'put': {
        const [key, value] = unpack(call.data)
        await this.#open.put(key, value, { ...call.options, keyEncoding: formatOf(key), valueEncoding: formatOf(value) })
        return {}
      }
      case 'del': {
        const [key] = unpack(call.data)
        await this.#open.del(key, { ...call.options, keyEncoding: formatOf(key) })
        return {}
      }
      case 'batch': {
        await this.#open.batch(operationsOf(call.types, unpack(call.data)), call.options)
        return {}
      }
      case 'clear': {
        await this.#open.clear({ ...call.options, ...rangeOf(call.data), snapshot: this.#snapshot(call.options.snapshot) })
        return {}
      }
      case 'approximateSize':
      case 'compactRange': {
        const method = (this.#open as unknown as Record<string, unknown>)[call.op]
        if (typeof method !== 'function') throw new ModuleError(`Database does not support ${call.op}()`, { code: 'LEVEL_NOT_SUPPORTED' })
        const [start, end] = unpack(call.data)
        return { result: await (method as (...args: unknown[]) => Promise<unknown>).call(this.#db, start, end, call.options) }
      }
      case 'next': return this.#next(this.#iterator(call.iterator, call.seek), call.size)
      case 'all': {
        const { kind, it } = this.#iterator(call.iterator, call.seek)
        return { data: packEntries(kind, await it.all()), ended: true }
      }
      case 'closeIterator': {
        const entry = this.#iterators.get(call.iterator)
        this.#iterators.delete(call.iterator)
        await entry?.it?.close()
        return {}
      }
      case 'closeSnapshot': {
        const snapshot = this.#snapshots.get(call.snapshot)
        this.#snapshots.delete(call.snapshot)
        if (snapshot !== undefined && !(snapshot instanceof Error)) await snapshot.close()
        return {}
      }
    }
  }

  async #openDatabase (location: string, options: WireOptions): Promise<Answer> {
    const source = this.#source
    if (this.#db === null) this.#db = typeof source === 'function' ? source(location, options) : source
    try {
      await this.#db.open(options)
    } catch (err) {
      // abstract-level wraps the reason (LEVEL_LOCKED, a missing or existing database) in
      // LEVEL_DATABASE_NOT_OPEN; the client's own open() wraps it again, so pass the reason.
      const cause = (err as Error).cause
      throw (err as { code?: string }).code === 'LEVEL_DATABASE_NOT_OPEN' && cause instanceof Error ? cause : err
    }
    return {}
  }

  // Reads as many entries as asked, short of the end or of FETCH_BYTES.
  async #next ({ kind, it }: { kind: IteratorKind, it: HostedIterator }, size: number): Promise<Answer> {
    const items: Array<Data | undefined> = []
    let count = 0
    let bytes = 0
    let ended = false
    while (count < size && bytes < FETCH_BYTES) {
      const batch = await it.nextv(size - count)
      if (batch.length === 0) {
        ended = true
        break
      }
      count += batch.length
      for (const item of batch) {
        if (kind === 'iterator') {
          const [key, value] = item as [Data | undefined, Data | undefined]
          items.push(key, value)
          bytes += lengthOf(key) + lengthOf(value)
        } else {
          items.push(item as Data)
          bytes += lengthOf(item as Data)
        }
      }
    }
    return { data: pack(items), ended }
  }

  // The iterator a fetch reads, first moved to the fetch's seek target if it has one.
  #iterator (id: number, seek: PackedData | undefined): { kind: IteratorKind, it: HostedIterator } {
    const entry = this.#iterators.get(id)
    if (entry === undefined) throw new ModuleError('Iterator is not open', { code: 'LEVEL_ITERATOR_NOT_OPEN' })
    if (seek !== undefined && entry.it !== null && entry.error === null) {
      const [target] = unpack(seek)
      try {
        entry.it.seek(target, { keyEncoding: formatOf(target) })
      } catch (err) {
        entry.error = err as Error
      }
    }
    if (entry.error !== null) throw entry.error
    // Without an error, creating the iterator succeeded.
    return { kind: entry.kind, it: entry.it as HostedIterator }
  }

  #snapshot (id: WireOptions[string] | undefined): HostedSnapshot | undefined {
    if (typeof id !== 'number') return undefined
    const snapshot = this.#snapshots.get(id)
    if (snapshot === undefined) throw new ModuleError('Snapshot is not open', { code: 'LEVEL_SNAPSHOT_NOT_OPEN' })
    if (snapshot instanceof Error) throw snapshot
    return snapshot
  }

  #readOptions (options: WireOptions): object {
    return { ...options, snapshot: this.#snapshot(options.snapshot) }
  }
}

function formatOf (data: Data | undefined): 'utf8' | 'view' {
  return typeof data === 'string' ? 'utf8' : 'view'
}

function lengthOf (data: Data | undefined): number {
  return data === undefined ? 0 : typeof data === 'string' ? data.length : data.byteLength
}

function rangeOf (data: PackedData): Partial<Record<typeof RANGE_KEYS[number], Data>> {
  const bounds = unpack(data)
  const range: Partial<Record<typeof RANGE_KEYS[number], Data>> = {}
  RANGE_KEYS.forEach((name, i) => {
    const bound = bounds[i]
    if (bound !== undefined) range[name] = bound
  })
  return range
}

// A put's key is followed by its value, a del's key by nothing.
function operationsOf (types: Array<'put' | 'del'>, items: Array<Data | undefined>): object[] {
  const operations: object[] = new Array(types.length)
  let next = 0
  for (let i = 0; i < types.length; i++) {
    const key = items[next++]
    if (types[i] === 'del') {
      operations[i] = { type: 'del', key, keyEncoding: formatOf(key) }
    } else {
      const value = items[next++]
      operations[i] = { type: 'put', key, value, keyEncoding: formatOf(key), valueEncoding: formatOf(value) }
    }
  }
  return operations
}

function packEntries (kind: IteratorKind, entries: unknown[]): PackedData {
  return pack(kind === 'iterator' ? (entries as Array<[Data | undefined, Data | undefined]>).flat() : entries as Array<Data | undefined>)
}
