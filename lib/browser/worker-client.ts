// AiLevelWorker: the abstract-level API of a database that lives in a worker (an AiLevel on OPFS
// in the browser), over messages (worker-protocol.ts) to the worker's host (worker-host.ts).
// abstract-level itself does encodings, sublevels, hooks, events and deferred open; what reaches
// the private methods here is already encoded and crosses as strings and bytes.
//
// Invariants:
// - One Connection per endpoint. An endpoint this class starts (from a URL or a function) is
//   started by open() and ended after close(), or when it fails; an endpoint the caller gave is
//   kept across close() and open() and never ended here.
// - Every call is settled exactly once: by its answer, or with LEVEL_CONNECTION_LOST when the
//   worker fails or its connection ends first.
// - A client iterator or snapshot owns the host's of the same id (worker-host.ts): creating one
//   posts a notice, closing it (by the user, or by abstract-level on db.close()) releases the
//   host's. A connection that is lost has nothing left to release.
// - A client iterator's `#items[#index..]` are entries the host sent that the user has not read;
//   seek() drops them, and the host's iterator moves to the target with the next fetch.
import { AbstractIterator, AbstractKeyIterator, AbstractLevel, AbstractSnapshot, AbstractValueIterator, type Transcoder } from 'abstract-level'
import ModuleError from 'module-error'
import { abortError } from '../level/errors'
import { invalidValue } from '../util/errors'
import { SHARED_FEATURES } from '../level/supports'
import type { Data, Format } from '../level/format'
import type { DatabaseOptions, PrivateOpenOptions, PrivateRangeOptions, StartEndOptions, WriteOptions } from '../level/options'
import {
  extraOptions, fromWireError, listen, pack, RANGE_KEYS, single, transferOf, unlisten, unpackWith, wireFormat, wireOptions,
  type Call, type EndpointEvent, type ExtraOptions, type IteratorKind, type MessageEndpoint, type Notice, type PackedData, type Reply, type Result, type WireOptions
} from './worker-protocol'
import { ClientLane, laneAvailable, newLaneBuffer } from './worker-lane'

export type { MessageEndpoint, EndpointEvent } from './worker-protocol'

/** A worker (or port) that can also be ended: `terminate()` for a Worker, `close()` for a MessagePort. */
export interface WorkerEndpoint extends MessageEndpoint {
  terminate? (): void
  close? (): void
}

/**
 * Where the database's host runs: the URL of a worker script (started as a module worker on each
 * open, terminated after close), a function that returns a new endpoint on each open (ended after
 * close), or an endpoint already running the host (a Worker or MessagePort, never ended here).
 */
export type WorkerSource = string | URL | (() => WorkerEndpoint) | WorkerEndpoint

export interface AiLevelWorkerOptions<K, V> extends DatabaseOptions<K, V> {
  /** The worker that serves the database (see WorkerSource). */
  worker: WorkerSource
  /**
   * Whether calls travel through shared memory (see docs/architecture.md). By default they do on
   * a cross-origin isolated page in a browser with Atomics.waitAsync(); true asks for it wherever
   * there are SharedArrayBuffer and Atomics.waitAsync() (Node's worker_threads too); false keeps
   * every call a message.
   */
  sharedMemory?: boolean
}

interface ClientReadOptions {
  keyEncoding: Format
  valueEncoding: Format
  snapshot?: AbstractSnapshot
}

interface ClientIteratorOptions extends PrivateRangeOptions, ClientReadOptions {
  signal?: AbortSignal
}

type ClientBatchOperation = { type: 'put', key: Data, value: Data } | { type: 'del', key: Data }

const MANIFEST = {
  ...SHARED_FEATURES,
  // Synchronous reads cannot cross to a worker; nor can transactions, checkpoint() or getProperty().
  getSync: false,
  additionalMethods: { approximateSize: true, compactRange: true }
}

// The first answer to next() carries this many entries, the first after a seek() SEEK_FETCH (a
// seek often reads one or a few entries, and each costs the host a decode); each following one
// twice as many, up to MAX_FETCH (the host also stops at a byte budget).
const FIRST_FETCH = 16
const SEEK_FETCH = 2
const MAX_FETCH = 1024
// Batches a streaming reader keeps asked for ahead of the one it reads (see RemoteCursor).
const PREFETCH_DEPTH = 2

function connectionLost (reason: string, cause?: Error): Error {
  return new ModuleError(`Worker connection lost: ${reason}`, { code: 'LEVEL_CONNECTION_LOST', cause })
}

// A fetch resolves with its reply (the entries and whether the iterator ended), any other call
// with its result.
interface Pending {
  resolve (reply: unknown): void
  reject (err: Error): void
  whole: boolean
}

const NO_TRANSFER: ArrayBuffer[] = []

// Options the protocol carries itself, never among a call's extra options.
const READ_OPTIONS = ['keyEncoding', 'valueEncoding', 'snapshot']
const WRITE_OPTIONS = ['keyEncoding', 'valueEncoding']

// The calls in flight over one endpoint.
class Connection {
  readonly #endpoint: WorkerEndpoint
  readonly owned: boolean
  readonly #pending = new Map<number, Pending>()
  #nextId = 0
  #failure: Error | null = null
  // The shared-memory lane (worker-lane.ts), once the host has agreed to serve it.
  #lane: ClientLane | null = null
  #laneOffered = false
  // Messages posted so far: a lane request is handled after all of them.
  #posted = 0
  nextIterator = 0
  nextSnapshot = 0

  constructor (endpoint: WorkerEndpoint, owned: boolean) {
    this.#endpoint = endpoint
    this.owned = owned
    listen(endpoint, 'message', this.#onMessage)
    listen(endpoint, 'error', this.#onError)
    listen(endpoint, 'messageerror', this.#onMessageError)
    endpoint.start?.()
  }

  get failure (): Error | null {
    return this.#failure
  }

  // `call[1]` is a placeholder for the id given here.
  call (call: Call, transfer: ArrayBuffer[] = NO_TRANSFER): Promise<Result> {
    return this.#send(call, transfer, false)
  }

  // A fetch: resolves with the whole reply, [id, entries, ended]; `lane` false keeps it a message.
  fetch (call: Call, transfer: ArrayBuffer[] = NO_TRANSFER, lane = true): Promise<[number, PackedData, boolean]> {
    return this.#send(call, transfer, true, lane) as Promise<[number, PackedData, boolean]>
  }

  /**
   * Offers the host a lane once per connection, where this thread can start one; calls travel on
   * it from the host's answer on. Messages carry everything when it declines.
   */
  async offerLane (asked: boolean): Promise<void> {
    if (this.#laneOffered || !laneAvailable(asked)) return
    this.#laneOffered = true
    let buffer: SharedArrayBuffer
    try {
      buffer = newLaneBuffer()
    } catch {
      // Shared memory refused (an allocation failure): messages carry everything.
      return
    }
    if (await this.call(['lane', 0, buffer]) !== true) return
    this.#lane = new ClientLane(buffer)
    this.#lane.posted(this.#posted)
  }

  #send (call: Call, transfer: ArrayBuffer[], whole: boolean, useLane = true): Promise<unknown> {
    if (this.#failure !== null) return Promise.reject(this.#failure)
    const id = this.#nextId++
    call[1] = id
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, whole })
      const lane = this.#lane
      if (useLane && lane !== null && lane.send(call, this.#posted)) {
        void this.#awaitLane(lane)
        return
      }
      try {
        this.#post(call, transfer)
      } catch (err) {
        // Not cloneable: nothing was sent.
        this.#pending.delete(id)
        reject(err)
      }
    })
  }

  // Settles the lane request's call with its answer; an answer posted as a message settles it instead.
  async #awaitLane (lane: ClientLane): Promise<void> {
    const answer = await lane.answer(() => this.#failure !== null)
    if (answer !== undefined) this.#settle(answer as Reply)
  }

  #post (message: Call | Notice, transfer: ArrayBuffer[]): void {
    this.#endpoint.postMessage(message, transfer)
    this.#posted++
    this.#lane?.posted(this.#posted)
  }

  // A call that frees something in the host: once the connection is lost there is nothing left
  // to free, so losing it is success.
  async release (call: Call): Promise<void> {
    try {
      await this.call(call)
    } catch (err) {
      if ((err as { code?: string }).code !== 'LEVEL_CONNECTION_LOST') throw err
    }
  }

  // Errors in creating what a notice names come back from the first call that uses it.
  notify (notice: Notice, transfer: ArrayBuffer[] = NO_TRANSFER): void {
    if (this.#failure === null) this.#post(notice, transfer)
  }

  /** Rejects what is pending with `reason` and, if this side started the endpoint, ends it. */
  end (reason: Error): void {
    if (this.#failure !== null) return
    this.#failure = reason
    unlisten(this.#endpoint, 'message', this.#onMessage)
    unlisten(this.#endpoint, 'error', this.#onError)
    unlisten(this.#endpoint, 'messageerror', this.#onMessageError)
    for (const pending of this.#pending.values()) pending.reject(reason)
    this.#pending.clear()
    this.#lane?.wake()
    if (this.owned) {
      this.#endpoint.terminate?.()
      this.#endpoint.close?.()
    }
  }

  readonly #onMessage = (event: EndpointEvent): void => {
    this.#settle(event.data as Reply)
  }

  #settle (reply: Reply): void {
    if (Array.isArray(reply)) {
      const pending = this.#pending.get(reply[0])
      if (pending === undefined) return
      this.#pending.delete(reply[0])
      pending.resolve(pending.whole ? reply : reply[1])
    } else {
      const pending = this.#pending.get(reply.id)
      if (pending === undefined) return
      this.#pending.delete(reply.id)
      pending.reject(fromWireError(reply.error))
    }
  }

  // A worker that throws outside any call, fails to load, or exits: what it held is gone.
  readonly #onError = (event: EndpointEvent): void => {
    this.end(connectionLost(event.message ?? 'the worker failed'))
  }

  readonly #onMessageError = (): void => {
    this.end(connectionLost('a message from the worker could not be read'))
  }
}

/**
 * An abstract-level database served by a worker: every operation is a message to the worker's
 * host (see lib/browser/worker-host.ts), which runs it on the real database.
 *
 * @template KDefault The default type of keys if not overridden on operations.
 * @template VDefault The default type of values if not overridden on operations.
 */
export class AiLevelWorker<KDefault = string, VDefault = string> extends AbstractLevel<Data, KDefault, VDefault> {
  readonly #location: string
  readonly #source: WorkerSource
  readonly #sharedMemory: boolean | undefined
  #connection: Connection | null = null

  constructor (location: string, options: AiLevelWorkerOptions<KDefault, VDefault>) {
    if (typeof location !== 'string' || location === '') {
      throw new TypeError("The first argument 'location' must be a non-empty string")
    }
    if (options === null || typeof options !== 'object' || options.worker === undefined || options.worker === null) {
      throw new TypeError("The option 'worker' is required: a worker script URL, a function that starts a worker, or a Worker or MessagePort")
    }
    // abstract-level hands the constructor's options to every open(); the worker is not one.
    const { worker, sharedMemory, ...databaseOptions } = options
    if (sharedMemory !== undefined && typeof sharedMemory !== 'boolean') {
      throw invalidValue(`The option 'sharedMemory' must be true or false, not ${typeof sharedMemory === 'string' ? `'${sharedMemory}'` : String(sharedMemory)}`)
    }
    super(MANIFEST, databaseOptions)
    this.#location = location
    this.#source = worker
    this.#sharedMemory = sharedMemory
  }

  /** Location that was passed to the constructor. */
  get location (): string {
    return this.#location
  }

  get #connected (): Connection {
    if (this.#connection === null) throw new ModuleError('Database is not open', { code: 'LEVEL_DATABASE_NOT_OPEN' })
    return this.#connection
  }

  #connect (): Connection {
    if (this.#connection !== null && this.#connection.failure === null) return this.#connection
    const source = this.#source
    if (typeof source === 'string' || source instanceof URL) {
      const WorkerClass = (globalThis as { Worker?: new (url: string | URL, options: object) => WorkerEndpoint }).Worker
      if (WorkerClass === undefined) throw new ModuleError('No Worker in this environment: pass a function or an endpoint as the worker option', { code: 'LEVEL_NOT_SUPPORTED' })
      this.#connection = new Connection(new WorkerClass(source, { type: 'module' }), true)
    } else if (typeof source === 'function') {
      this.#connection = new Connection(source(), true)
    } else if (this.#connection === null) {
      this.#connection = new Connection(source, false)
    } else {
      throw this.#connection.failure
    }
    return this.#connection
  }

  async _open (options: PrivateOpenOptions): Promise<void> {
    const connection = this.#connect()
    try {
      if (this.#sharedMemory !== false) await connection.offerLane(this.#sharedMemory === true)
      await connection.call(['open', 0, this.#location, wireOptions(options, ['passive'])])
    } catch (err) {
      if (connection.owned) this.#disconnect(connection, 'the database failed to open')
      throw err
    }
  }

  async _close (): Promise<void> {
    const connection = this.#connected
    try {
      await connection.release(['close', 0])
    } finally {
      if (connection.owned) this.#disconnect(connection, 'the database was closed')
    }
  }

  #disconnect (connection: Connection, reason: string): void {
    connection.end(connectionLost(reason))
    if (this.#connection === connection) this.#connection = null
  }

  // Values come back in the format asked for: strings for 'utf8', bytes otherwise (see decode()).
  async _get (key: Data, options: ClientReadOptions): Promise<Data | undefined> {
    const value = await this.#connected.call(['get', 0, single(key), wireFormat(options.valueEncoding), this.#snapshotId(options.snapshot), extraOptions(options, READ_OPTIONS)])
    return options.valueEncoding === 'buffer' && value instanceof Uint8Array ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : value as Data | undefined
  }

  async _getMany (keys: Data[], options: ClientReadOptions): Promise<Array<Data | undefined>> {
    const data = pack(keys)
    const values = await this.#connected.call(['getMany', 0, data, wireFormat(options.valueEncoding), this.#snapshotId(options.snapshot), extraOptions(options, READ_OPTIONS)], transferOf(data))
    return decode(values as PackedData, [options.valueEncoding])
  }

  async _has (key: Data, options: ClientReadOptions): Promise<boolean> {
    return await this.#connected.call(['has', 0, single(key), 'view', this.#snapshotId(options.snapshot), extraOptions(options, READ_OPTIONS)]) as boolean
  }

  async _hasMany (keys: Data[], options: ClientReadOptions): Promise<boolean[]> {
    const data = pack(keys)
    return await this.#connected.call(['hasMany', 0, data, 'view', this.#snapshotId(options.snapshot), extraOptions(options, READ_OPTIONS)], transferOf(data)) as boolean[]
  }

  async _put (key: Data, value: Data, options: WriteOptions): Promise<void> {
    await this.#connected.call(['put', 0, single(key), single(value), writeOptions(options)])
  }

  async _del (key: Data, options: WriteOptions): Promise<void> {
    await this.#connected.call(['del', 0, single(key), writeOptions(options)])
  }

  async _batch (operations: ClientBatchOperation[], options: WriteOptions): Promise<void> {
    // Packed arrays (push(), not new Array(n)): see pack().
    const types: Array<'put' | 'del'> = []
    const items: Data[] = []
    for (let i = 0; i < operations.length; i++) {
      const op = operations[i]
      types.push(op.type)
      items.push(op.key)
      if (op.type === 'put') items.push(op.value)
    }
    const data = pack(items)
    await this.#connected.call(['batch', 0, types, data, writeOptions(options)], transferOf(data))
  }

  async _clear (options: PrivateRangeOptions & { keyEncoding: Format, snapshot?: AbstractSnapshot }): Promise<void> {
    const data = packRange(options)
    await this.#connected.call(['clear', 0, data, this.#rangeOptions(options)], transferOf(data))
  }

  _iterator (options: ClientIteratorOptions): RemoteIterator<this> {
    return new RemoteIterator(this, options, this.#cursor('iterator', options, (items, i) => [items[i], items[i + 1]]))
  }

  _keys (options: ClientIteratorOptions): RemoteKeyIterator<this> {
    return new RemoteKeyIterator(this, options, this.#cursor('keys', options, (items, i) => items[i] as Data))
  }

  _values (options: ClientIteratorOptions): RemoteValueIterator<this> {
    return new RemoteValueIterator(this, options, this.#cursor('values', options, (items, i) => items[i] as Data))
  }

  _snapshot (options: object): RemoteSnapshot {
    return new RemoteSnapshot(options, this.#connected)
  }

  /** Approximate number of bytes of storage used by the range `[start..end)`. */
  async approximateSize (start: KDefault, end: KDefault): Promise<number>
  async approximateSize<K = KDefault> (start: K, end: K, options: StartEndOptions<K>): Promise<number>
  async approximateSize (start: unknown, end: unknown, options?: StartEndOptions<unknown>): Promise<number> {
    if (arguments.length < 2) throw new TypeError("The arguments 'start' and 'end' are required")
    return await this.#onRange('approximateSize', start, end, options) as number
  }

  /** Compact the range `[start..end)` down the levels. */
  async compactRange (start: KDefault, end: KDefault): Promise<void>
  async compactRange<K = KDefault> (start: K, end: K, options: StartEndOptions<K>): Promise<void>
  async compactRange (start: unknown, end: unknown, options?: StartEndOptions<unknown>): Promise<void> {
    if (arguments.length < 2) throw new TypeError("The arguments 'start' and 'end' are required")
    await this.#onRange('compactRange', start, end, options)
  }

  async #onRange (op: 'approximateSize' | 'compactRange', start: unknown, end: unknown, options: StartEndOptions<unknown> | undefined): Promise<Result> {
    if (this.status === 'opening') return this.deferAsync(() => this.#onRange(op, start, end, options))
    if (this.status !== 'open') throw new ModuleError(`Database is not open: cannot call ${op}()`, { code: 'LEVEL_DATABASE_NOT_OPEN' })
    // Boundary: keyEncoding() takes any encoding (none for the default), but its typings want a known one.
    const keyEncoding = this.keyEncoding as (encoding?: unknown) => Transcoder.Encoding<unknown, Data, unknown>
    const encoding = keyEncoding.call(this, options?.keyEncoding)
    const data = pack([encoding.encode(start), encoding.encode(end)])
    return await this.#connected.call([op, 0, data, { keyEncoding: wireFormat(encoding.format) }], transferOf(data))
  }

  #cursor<T> (kind: IteratorKind, options: ClientIteratorOptions, item: (items: Array<Data | undefined>, i: number) => T): RemoteCursor<T> {
    const connection = this.#connected
    const id = connection.nextIterator++
    const data = packRange(options)
    connection.notify(['iterator', null, id, kind, data, this.#rangeOptions(options)], transferOf(data))
    const formats: Format[] = kind === 'iterator' ? [options.keyEncoding, options.valueEncoding] : [kind === 'keys' ? options.keyEncoding : options.valueEncoding]
    return new RemoteCursor(connection, id, formats, item, options.signal ?? null)
  }

  #rangeOptions (options: PrivateRangeOptions & { keyEncoding: Format, valueEncoding?: Format, snapshot?: AbstractSnapshot }): WireOptions {
    return {
      ...wireOptions(options, RANGE_KEYS),
      keyEncoding: wireFormat(options.keyEncoding),
      valueEncoding: wireFormat(options.valueEncoding),
      snapshot: this.#snapshotId(options.snapshot)
    }
  }

  #snapshotId (snapshot: AbstractSnapshot | undefined): number | null {
    if (snapshot === undefined || snapshot === null) return null
    if (!(snapshot instanceof RemoteSnapshot) || snapshot.connection !== this.#connection) {
      throw new ModuleError('The snapshot option must be a snapshot of this database', { code: 'LEVEL_INVALID_VALUE' })
    }
    return snapshot.id
  }
}

// Encodings are implied by the data's types (see worker-protocol.ts); sync and the like cross.
function writeOptions (options: WriteOptions): ExtraOptions {
  return extraOptions(options, WRITE_OPTIONS)
}

function packRange (options: PrivateRangeOptions): PackedData {
  return pack(RANGE_KEYS.map(name => options[name]))
}

// The host answers in the format asked for (wireFormat()): strings for 'utf8', bytes otherwise;
// here 'buffer' makes Buffers of bytes and 'view' keeps views over the answer's one buffer.
// `formats` repeat: an entry's key then value, or one format for all.
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true })

function decode (data: PackedData, formats: readonly Format[]): Array<Data | undefined> {
  return unpackWith(data, (buffer, start, end, i): Data => {
    const format = formats[i % formats.length]
    if (format === 'buffer') return Buffer.from(buffer, start, end - start)
    // Bytes for 'utf8' only from a hosted database that ignores the format it was asked for.
    if (format === 'utf8') return utf8.decode(new Uint8Array(buffer, start, end - start))
    return new Uint8Array(buffer, start, end - start)
  })
}

const SnapshotBase = AbstractSnapshot as unknown as new (options: object) => AbstractSnapshot

class RemoteSnapshot extends SnapshotBase {
  readonly id: number
  readonly connection: Connection

  // `options.owner` is the database (or sublevel) that closes the snapshot on its close().
  constructor (options: object, connection: Connection) {
    super(options)
    this.connection = connection
    this.id = connection.nextSnapshot++
    connection.notify(['snapshot', null, this.id])
  }

  async _close (): Promise<void> {
    await this.connection.release(['closeSnapshot', 0, this.id])
  }
}

// Reads a host iterator a batch at a time; `item` makes one result out of the decoded items at i.
class RemoteCursor<T> {
  readonly #connection: Connection
  readonly #id: number
  readonly #formats: Format[]
  readonly #item: (items: Array<Data | undefined>, i: number) => T
  readonly #signal: AbortSignal | null
  #items: Array<Data | undefined> = []
  #index = 0
  #ended = false
  #fetchSize = FIRST_FETCH
  // Once a reader has used up one batch since the start or the last seek(), it is likely reading
  // on: each batch that arrives then keeps PREFETCH_DEPTH following ones asked for, so the host
  // reads ahead while this side hands the current one out, and a late wake-up of either thread
  // does not leave the other waiting. A seek() drops their answers.
  #streaming = false
  #prefetched: Array<Promise<[number, PackedData, boolean]>> = []
  // The last seek() target not yet sent: it travels with the next fetch, one message for both.
  #seekTarget: Data | undefined = undefined

  constructor (connection: Connection, id: number, formats: Format[], item: (items: Array<Data | undefined>, i: number) => T, signal: AbortSignal | null) {
    this.#connection = connection
    this.#id = id
    this.#formats = formats
    this.#item = item
    this.#signal = signal
  }

  // Without a promise while the batch lasts: a scan makes one next() call per entry.
  next (): T | undefined | Promise<T | undefined> {
    if (this.#index < this.#items.length) return this.#take()
    return this.#nextBatch()
  }

  async #nextBatch (): Promise<T | undefined> {
    if (this.#ended) return undefined
    await this.#fetch(this.#fetchSize)
    return this.#items.length === 0 ? undefined : this.#take()
  }

  async nextv (size: number): Promise<T[]> {
    if (this.#index === this.#items.length) {
      if (this.#ended) return []
      await this.#fetch(Math.max(size, this.#fetchSize))
    }
    const out: T[] = []
    while (out.length < size && this.#index < this.#items.length) out.push(this.#take())
    return out
  }

  async all (): Promise<T[]> {
    const out: T[] = []
    while (this.#index < this.#items.length) out.push(this.#take())
    if (this.#ended) return out
    while (this.#prefetched.length > 0) {
      await this.#fetch(0, 'all')
      while (this.#index < this.#items.length) out.push(this.#take())
      if (this.#ended) return out
    }
    await this.#fetch(0, 'all')
    while (this.#index < this.#items.length) out.push(this.#take())
    return out
  }

  seek (target: Data): void {
    this.#items = []
    this.#index = 0
    this.#ended = false
    this.#fetchSize = SEEK_FETCH
    this.#streaming = false
    this.#prefetched = []
    this.#seekTarget = single(target)
  }

  async close (): Promise<void> {
    await this.#connection.release(['closeIterator', 0, this.#id])
  }

  #take (): T {
    const item = this.#item(this.#items, this.#index)
    this.#index += this.#formats.length
    return item
  }

  // Takes the first batch already asked for, if any, else asks for `size` entries (or all of them).
  async #fetch (size: number, op: 'next' | 'all' = 'next'): Promise<void> {
    const seek = this.#seekTarget
    this.#seekTarget = undefined
    const queued = this.#prefetched.shift()
    const [, data, ended] = await this.#abortable(queued ?? this.#connection.fetch([op, 0, this.#id, size, seek]))
    this.#ended = ended
    // #fetchSize is the size of the next batch asked for: a prefetch moved it on already.
    if (queued === undefined) this.#fetchSize = Math.min(2 * this.#fetchSize, MAX_FETCH)
    // Batches asked for beyond the end come back empty: nobody needs them.
    if (ended) this.#prefetched = []
    // Asked for before this batch is decoded, so the host starts on them at once; each twice
    // the size of the one before it, up to MAX_FETCH. As messages, never on the lane: their
    // answers are awaited a batch later, so the lane's quicker wake-up gains nothing, and a large
    // answer that fits the lane is written into it a character at a time by JavaScript, slower
    // than structured clone copies it.
    else if (op === 'next' && this.#streaming) {
      while (this.#prefetched.length < PREFETCH_DEPTH) {
        const prefetch = this.#connection.fetch(['next', 0, this.#id, this.#fetchSize, undefined], NO_TRANSFER, false)
        this.#fetchSize = Math.min(2 * this.#fetchSize, MAX_FETCH)
        // Its failure reaches whoever awaits it; a dropped one (after seek()) has nobody to tell.
        prefetch.catch(() => {})
        this.#prefetched.push(prefetch)
      }
    }
    this.#streaming = true
    this.#items = decode(data, this.#formats)
    this.#index = 0
  }

  // An abort rejects the read at once; the host's answer, when it comes, is dropped.
  #abortable<T> (answer: Promise<T>): Promise<T> {
    const signal = this.#signal
    if (signal === null) return answer
    return new Promise((resolve, reject) => {
      const onAbort = (): void => reject(abortError())
      signal.addEventListener('abort', onAbort, { once: true })
      answer.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
    })
  }
}

// abstract-level requires three iterator classes; each just delegates to its cursor. _next() is not
// async: abstract-level awaits what it returns, and an entry of the current batch needs no promise
// of its own (a scan makes one next() call per entry).

class RemoteIterator<TDatabase> extends AbstractIterator<TDatabase, Data, Data> {
  readonly #cursor: RemoteCursor<[Data | undefined, Data | undefined]>

  constructor (db: TDatabase, options: ClientIteratorOptions, cursor: RemoteCursor<[Data | undefined, Data | undefined]>) {
    super(db, options)
    this.#cursor = cursor
  }

  _next (): [Data | undefined, Data | undefined] | undefined | Promise<[Data | undefined, Data | undefined] | undefined> { return this.#cursor.next() }
  async _nextv (size: number): Promise<Array<[Data | undefined, Data | undefined]>> { return this.#cursor.nextv(size) }
  async _all (): Promise<Array<[Data | undefined, Data | undefined]>> { return this.#cursor.all() }
  _seek (target: Data): void { this.#cursor.seek(target) }
  async _close (): Promise<void> { return this.#cursor.close() }
}

class RemoteKeyIterator<TDatabase> extends AbstractKeyIterator<TDatabase, Data> {
  readonly #cursor: RemoteCursor<Data>

  constructor (db: TDatabase, options: ClientIteratorOptions, cursor: RemoteCursor<Data>) {
    super(db, options)
    this.#cursor = cursor
  }

  _next (): Data | undefined | Promise<Data | undefined> { return this.#cursor.next() }
  async _nextv (size: number): Promise<Data[]> { return this.#cursor.nextv(size) }
  async _all (): Promise<Data[]> { return this.#cursor.all() }
  _seek (target: Data): void { this.#cursor.seek(target) }
  async _close (): Promise<void> { return this.#cursor.close() }
}

class RemoteValueIterator<TDatabase> extends AbstractValueIterator<TDatabase, Data, Data> {
  readonly #cursor: RemoteCursor<Data>

  constructor (db: TDatabase, options: ClientIteratorOptions, cursor: RemoteCursor<Data>) {
    super(db, options)
    this.#cursor = cursor
  }

  _next (): Data | undefined | Promise<Data | undefined> { return this.#cursor.next() }
  async _nextv (size: number): Promise<Data[]> { return this.#cursor.nextv(size) }
  async _all (): Promise<Data[]> { return this.#cursor.all() }
  _seek (target: Data): void { this.#cursor.seek(target) }
  async _close (): Promise<void> { return this.#cursor.close() }
}
