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
  listen, pack, RANGE_KEYS, single, toWireError, transferOf, unpack,
  type Call, type ExtraOptions, type IteratorKind, type MessageEndpoint, type Notice, type PackedData, type Request, type Result, type WireFormat, type WireOptions
} from './worker-protocol'
import { HostLane, laneServable, type LaneServer } from './worker-lane'

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
  // The fetch reading the iterator now, if any: a fetch that arrives meanwhile (a read-ahead the
  // client asked for, handled in the same task as a lane request) waits for it, as abstract-level
  // allows one read at a time.
  reading: Promise<Answer> | null
}

/** Answers the requests that arrive on `endpoint` with `source`'s database. */
export function serveLevel (endpoint: MessageEndpoint, source: HostedSource): void {
  const host = new LevelHost(endpoint, source)
  listen(endpoint, 'message', event => host.onMessage(event.data as Request))
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

// What a call answers: its result, the buffers to transfer with it, and for a fetch whether the
// iterator has ended.
type Answer = [result: Result, transfer: ArrayBuffer[], ended?: boolean]

const NO_TRANSFER: ArrayBuffer[] = []
const DONE: Answer = [undefined, NO_TRANSFER]

// An iterator that a fetch reads.
interface OpenIterator {
  kind: IteratorKind
  it: HostedIterator
}

function packed (data: PackedData, ended?: boolean): Answer {
  return ended === undefined ? [data, transferOf(data)] : [data, transferOf(data), ended]
}

class LevelHost implements LaneServer {
  readonly #endpoint: MessageEndpoint
  readonly #source: HostedSource
  #db: HostedLevel | null = null
  // The shared-memory lane the client asked for (worker-lane.ts), if this thread can serve one.
  #lane: HostLane | null = null
  // Messages handled so far (the lane orders its requests after them).
  handled = 0
  // Calls handled and not yet answered (the lane does not block its thread while there are any).
  working = 0
  readonly #iterators = new Map<number, IteratorEntry>()
  readonly #snapshots = new Map<number, HostedSnapshot | Error>()
  // Read options without a snapshot or extras, by key and value format: made once, not per call.
  readonly #plainReads = new Map<string, object>()

  constructor (endpoint: MessageEndpoint, source: HostedSource) {
    this.#endpoint = endpoint
    this.#source = source
  }

  onMessage (request: Request): void {
    this.#lane?.beforeMessage()
    this.handle(request)
    this.handled++
    this.#lane?.afterMessage()
  }

  /** Handles one request, from a message or from the lane. */
  handle (request: Request): void {
    const id = request[1]
    if (id === null) {
      this.#notice(request as Notice)
      return
    }
    const call = request as Call
    if (call[0] === 'lane') {
      this.#startLane(id, call[2])
      return
    }
    if (call[0] === 'get' && this.#getNow(id, call[2] as Data, call[3], call[4], call[5])) return
    this.working++
    this.#answer(call).then(
      ([result, transfer, ended]) => {
        this.working--
        this.#reply(id, result, transfer, ended)
        this.#lane?.settled()
      },
      (err: unknown) => {
        this.working--
        this.#fail(id, err)
        this.#lane?.settled()
      }
    )
  }

  // A get answered at once, from getSync() while the database is open, without the promises of
  // get() (which is the same read): false when the database cannot, and get() is to answer.
  #getNow (id: number, key: Data, valueFormat: WireFormat, snapshot: number | null, extra: ExtraOptions): boolean {
    const db = this.#db
    if (db === null || db.status !== 'open' || (db.supports as { getSync?: unknown } | undefined)?.getSync !== true || typeof db.getSync !== 'function') return false
    let value: Data | undefined
    try {
      value = single(db.getSync(key, this.#readOptions(key, valueFormat, snapshot, extra)) as Data | undefined)
    } catch (err) {
      this.#fail(id, err)
      return true
    }
    this.#reply(id, value, NO_TRANSFER, undefined)
    return true
  }

  // A result that cannot be cloned (from a database that returns something other than strings,
  // bytes, numbers or booleans) is answered with the cloning error, so the call still settles.
  #reply (id: number, result: Result, transfer: ArrayBuffer[], ended: boolean | undefined): void {
    try {
      this.#post(id, ended === undefined ? [id, result] : [id, result, ended], transfer)
    } catch (err) {
      this.#fail(id, err)
    }
  }

  #fail (id: number, err: unknown): void {
    this.#post(id, { id, error: toWireError(err) }, NO_TRANSFER)
  }

  // The answer to a lane request goes back on the lane unless it cannot travel there.
  #post (id: number, answer: unknown, transfer: ArrayBuffer[]): void {
    const lane = this.#lane
    if (lane !== null && lane.owns(id) && lane.answer(answer)) return
    this.#endpoint.postMessage(answer, transfer)
  }

  // Answers whether the lane is served: only once per connection, and only where this thread may block.
  #startLane (id: number, buffer: SharedArrayBuffer): void {
    let lane: HostLane | null = null
    try {
      if (this.#lane === null && laneServable()) lane = new HostLane(buffer, this)
    } catch {
      // Not a buffer this side can use: the client keeps to messages.
    }
    this.#reply(id, lane !== null, NO_TRANSFER, undefined)
    if (lane === null) return
    this.#lane = lane
    // Once this message counts as handled (the lane's first request comes after it).
    queueMicrotask(() => {
      lane.run().catch((err: unknown) => {
        // Nothing in run() throws short of a corrupt buffer; fail loudly, as an uncaught error would.
        setTimeout(() => { throw err })
      })
    })
  }

  get #open (): HostedLevel {
    if (this.#db === null) throw new ModuleError('Database is not open', { code: 'LEVEL_DATABASE_NOT_OPEN' })
    return this.#db
  }

  #notice (notice: Notice): void {
    switch (notice[0]) {
      case 'iterator': {
        const [, , iterator, kind, data, wire] = notice
        try {
          const options = { ...wire, ...rangeOf(data), snapshot: this.#snapshot(wire.snapshot) }
          this.#iterators.set(iterator, { kind, it: this.#open[kind](options), error: null, reading: null })
        } catch (err) {
          this.#iterators.set(iterator, { kind, it: null, error: err as Error, reading: null })
        }
        return
      }
      case 'snapshot':
        try {
          this.#snapshots.set(notice[2], this.#open.snapshot())
        } catch (err) {
          this.#snapshots.set(notice[2], err as Error)
        }
    }
  }

  async #answer (call: Exclude<Call, { 0: 'lane' }>): Promise<Answer> {
    switch (call[0]) {
      case 'open': return await this.#openDatabase(call[2], call[3])
      case 'close': {
        await this.#db?.close()
        this.#iterators.clear()
        this.#snapshots.clear()
        return DONE
      }
      case 'get': {
        const [, , key, valueFormat, snapshot, extra] = call
        return [single(await this.#open.get(key, this.#readOptions(key as Data, valueFormat, snapshot, extra)) as Data | undefined), NO_TRANSFER]
      }
      case 'has': {
        const [, , key, valueFormat, snapshot, extra] = call
        return [await this.#open.has(key, this.#readOptions(key as Data, valueFormat, snapshot, extra)), NO_TRANSFER]
      }
      case 'getMany': {
        const [, , data, valueFormat, snapshot, extra] = call
        const keys = unpack(data as PackedData)
        return packed(pack(await this.#open.getMany(keys, this.#readOptions(keys[0], valueFormat, snapshot, extra))))
      }
      case 'hasMany': {
        const [, , data, valueFormat, snapshot, extra] = call
        const keys = unpack(data as PackedData)
        // A copy that is sure to be packed (see pack()).
        return [Array.from(await this.#open.hasMany(keys, this.#readOptions(keys[0], valueFormat, snapshot, extra))), NO_TRANSFER]
      }
      case 'put': {
        const [, , key, value, extra] = call
        await this.#open.put(key, value, { ...extra, keyEncoding: formatOf(key), valueEncoding: formatOf(value) })
        return DONE
      }
      case 'del': {
        const [, , key, extra] = call
        await this.#open.del(key, { ...extra, keyEncoding: formatOf(key) })
        return DONE
      }
      case 'batch': {
        await this.#open.batch(operationsOf(call[2], unpack(call[3])), call[4] ?? {})
        return DONE
      }
      case 'clear': {
        const [, , data, wire] = call
        await this.#open.clear({ ...wire, ...rangeOf(data), snapshot: this.#snapshot(wire.snapshot) })
        return DONE
      }
      case 'approximateSize':
      case 'compactRange': {
        const method = (this.#open as unknown as Record<string, unknown>)[call[0]]
        if (typeof method !== 'function') throw new ModuleError(`Database does not support ${call[0]}()`, { code: 'LEVEL_NOT_SUPPORTED' })
        const [start, end] = unpack(call[2])
        return [await (method as (...args: unknown[]) => Promise<unknown>).call(this.#db, start, end, call[3]), NO_TRANSFER]
      }
      case 'next': {
        const size = call[3]
        return await this.#read(call[2], call[4], iterator => this.#next(iterator, size))
      }
      case 'all': return await this.#read(call[2], call[4], async ({ kind, it }) => packed(packEntries(kind, await it.all()), true))
      case 'closeIterator': {
        const entry = this.#iterators.get(call[2])
        this.#iterators.delete(call[2])
        await entry?.it?.close()
        return DONE
      }
      case 'closeSnapshot': {
        const snapshot = this.#snapshots.get(call[2])
        this.#snapshots.delete(call[2])
        if (snapshot !== undefined && !(snapshot instanceof Error)) await snapshot.close()
        return DONE
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
    return DONE
  }

  // Reads as many entries as asked, short of the end or of FETCH_BYTES.
  async #next ({ kind, it }: OpenIterator, size: number): Promise<Answer> {
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
    return packed(pack(items), ended)
  }

  // A fetch: reads the iterator once the fetch before it is done (at once, in this task, when
  // none is under way), first moved to the fetch's seek target if it has one.
  async #read (id: number, seek: Data | undefined, read: (iterator: OpenIterator) => Promise<Answer>): Promise<Answer> {
    const entry = this.#iterators.get(id)
    if (entry === undefined) throw new ModuleError('Iterator is not open', { code: 'LEVEL_ITERATOR_NOT_OPEN' })
    while (entry.reading !== null) await entry.reading.catch(() => {})
    const reading = read(this.#iterator(entry, seek))
    entry.reading = reading
    try {
      return await reading
    } finally {
      if (entry.reading === reading) entry.reading = null
    }
  }

  #iterator (entry: IteratorEntry, seek: Data | undefined): OpenIterator {
    if (seek !== undefined && entry.it !== null && entry.error === null) {
      try {
        entry.it.seek(seek, { keyEncoding: formatOf(seek) })
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

  // The key format is the type of the keys (all of one call's keys are of one type).
  #readOptions (key: Data | undefined, valueEncoding: WireFormat, snapshot: number | null, extra: ExtraOptions): object {
    const keyEncoding = formatOf(key)
    if (snapshot === null && extra === null) {
      const name = keyEncoding + valueEncoding
      let options = this.#plainReads.get(name)
      if (options === undefined) this.#plainReads.set(name, options = { keyEncoding, valueEncoding })
      return options
    }
    return { ...extra, keyEncoding, valueEncoding, snapshot: this.#snapshot(snapshot) }
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
