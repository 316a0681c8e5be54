// The messages between AiLevelWorker (worker-client.ts) and the host that serves a database to it
// (worker-host.ts), and how keys, values, options and errors travel in them. Nothing here depends
// on a platform: the same code runs over a browser Worker, a MessagePort or Node's worker_threads.
//
// Why arrays: a serial call through a worker costs two postMessage() calls and two thread
// wake-ups, and what it carries adds to both. Measured in Chromium 150 (page <-> dedicated worker,
// round trip, mean): a number each way 19 us; a 3-item array out and a 2-item array back 23 us;
// the nested objects of the first protocol 28 us, 31 us with the value's buffer transferred. So
// every message is a flat array, a single key or value travels as itself, and a buffer is
// transferred only when it is large enough for the copy to cost more than the transfer.
//
// Invariants:
// - Requests are handled by the host in the order they were posted, and each database call a
//   request makes starts before the host looks at the next request. So an iterator or snapshot
//   that the client creates without waiting for an answer still sees exactly the writes posted
//   before it, and none posted after.
// - A single key or value travels as itself: a string, or a Uint8Array that is alone in its
//   ArrayBuffer (single() copies any other view, so a clone never drags a larger buffer, or a
//   SharedArrayBuffer, along). Several travel inside a PackedData: the strings joined into one
//   string, the bytes copied once into one ArrayBuffer, transferred (never cloned) from
//   TRANSFER_BYTES on. The type of each item is its format: a string is 'utf8', bytes are 'view'
//   (the client turns them into Buffers for 'buffer'). A string unpacked may share the memory of
//   the message's joined string while it lives.
// - Options carry only primitives (and snapshot ids): no functions, signals or encodings cross.
import ModuleError from 'module-error'
import type { Data } from '../level/format'

// What the host asks its database for: bytes are always plain views there.
export type WireFormat = 'view' | 'utf8'

/**
 * Keys or values: item i ends at ends[i] in `text` when it is a string, at -1 - ends[i] in `bytes`
 * when it is bytes (a negative number), and is absent (undefined) when ends[i] is null; it starts
 * where the previous item of its kind ended, or at 0.
 */
export type PackedData = [ends: Array<number | null>, text: string, bytes: ArrayBuffer | null]

/** Primitive options that cross as they are; null when there are none (the usual case). */
export type WireOptions = Record<string, string | number | boolean | null>
export type ExtraOptions = WireOptions | null

export interface WireError {
  name: string
  message: string
  code?: string
  cause?: WireError
}

export type IteratorKind = 'iterator' | 'keys' | 'values'

/**
 * Requests the host answers: [op, id, ...arguments]; the client gives each a fresh id, which the
 * answer repeats. A read's `snapshot` is the id of an explicit snapshot, or null.
 */
export type Call =
  | ['open', number, string, WireOptions]
  | ['close', number]
  | ['get' | 'has', number, Data, WireFormat, number | null, ExtraOptions]
  | ['getMany' | 'hasMany', number, PackedData, WireFormat, number | null, ExtraOptions]
  | ['put', number, Data, Data, ExtraOptions]
  | ['del', number, Data, ExtraOptions]
  | ['batch', number, Array<'put' | 'del'>, PackedData, ExtraOptions]
  | ['clear', number, PackedData, WireOptions]
  | ['approximateSize' | 'compactRange', number, PackedData, WireOptions]
  // `seek`: the target of the client's last seek() since its previous fetch, done first.
  | ['next' | 'all', number, number, number, Data | undefined]
  | ['closeIterator', number, number]
  | ['closeSnapshot', number, number]
  // Offers the host a shared-memory lane (worker-lane.ts); answered with whether it serves it.
  | ['lane', number, SharedArrayBuffer]

/**
 * Requests without an answer (their id is null): the host keeps what they create, or the error
 * that creating it raised, for the calls that use it next.
 */
export type Notice =
  | ['iterator', null, number, IteratorKind, PackedData, WireOptions]
  | ['snapshot', null, number]

export type Request = Call | Notice

/**
 * What a call resolves with: a value (or undefined) for get, a PackedData for getMany and fetches,
 * booleans for has and hasMany, a number for approximateSize, nothing otherwise.
 */
export type Result = unknown

/** [id, result] or, for a fetch, [id, result, ended]; a failure is an object. */
export type Reply = [number, Result] | [number, Result, boolean] | { id: number, error: WireError }

export interface EndpointEvent {
  data?: unknown
  message?: string
}

/**
 * What both sides talk through: a Worker, a MessagePort, a worker's global scope, or anything
 * with postMessage() and either addEventListener() or on<type> handler properties.
 */
export interface MessageEndpoint {
  postMessage (message: unknown, transfer: ArrayBuffer[]): void
  addEventListener? (type: string, listener: (event: EndpointEvent) => void): void
  removeEventListener? (type: string, listener: (event: EndpointEvent) => void): void
  // A MessagePort delivers nothing to addEventListener() listeners before start().
  start? (): void
}

export function listen (endpoint: MessageEndpoint, type: 'message' | 'messageerror' | 'error', listener: (event: EndpointEvent) => void): void {
  if (typeof endpoint.addEventListener === 'function') endpoint.addEventListener(type, listener)
  else (endpoint as unknown as Record<string, unknown>)[`on${type}`] = listener
}

export function unlisten (endpoint: MessageEndpoint, type: 'message' | 'messageerror' | 'error', listener: (event: EndpointEvent) => void): void {
  if (typeof endpoint.removeEventListener === 'function') endpoint.removeEventListener(type, listener)
  else (endpoint as unknown as Record<string, unknown>)[`on${type}`] = null
}

// Range options travel as packed data, in this order.
export const RANGE_KEYS = ['gt', 'gte', 'lt', 'lte'] as const

/** Packs items for posting; transfer transferOf(packed) along with the message. */
export function pack (items: ArrayLike<Data | undefined>): PackedData {
  const n = items.length
  // Filled by push(), never made with new Array(n): V8 clones an array made with holes element by
  // element as a sparse object, about a microsecond per element (a 1,024-entry fetch cost its
  // host 1.4 ms in postMessage()), where a packed array is written out densely.
  const ends: Array<number | null> = []
  const texts: string[] = []
  let textLength = 0
  let byteLength = 0
  for (let i = 0; i < n; i++) {
    const item = items[i]
    if (item === undefined) {
      ends.push(null)
    } else if (typeof item === 'string') {
      texts.push(item)
      textLength += item.length
      ends.push(textLength)
    } else {
      byteLength += item.byteLength
      ends.push(-1 - byteLength)
    }
  }
  // A zero-length item needs no buffer at all.
  const bytes = byteLength > 0 ? new ArrayBuffer(byteLength) : null
  if (bytes !== null) {
    const view = new Uint8Array(bytes)
    let offset = 0
    for (let i = 0; i < n; i++) {
      const end = ends[i]
      if (end === null || end >= 0) continue
      view.set(items[i] as Uint8Array, offset)
      offset = -1 - end
    }
  }
  return [ends, texts.length === 1 ? texts[0] : texts.join(''), bytes]
}

/** What the bytes of item `index` become: `buffer[start, end)` is their range of the one transferred buffer. */
export type BytesReader<B> = (buffer: ArrayBuffer, start: number, end: number, index: number) => B

const EMPTY = new ArrayBuffer(0)

/** The items of a PackedData: strings as they are, bytes as `fromBytes` makes them. */
export function unpackWith<B> (packed: PackedData, fromBytes: BytesReader<B>): Array<string | B | undefined> {
  const [ends, text] = packed
  // Null when every item in bytes is empty.
  const bytes = packed[2] ?? EMPTY
  const out: Array<string | B | undefined> = new Array(ends.length)
  let textAt = 0
  let byteAt = 0
  for (let i = 0; i < ends.length; i++) {
    const end = ends[i]
    if (end === null) {
      out[i] = undefined
    } else if (end >= 0) {
      out[i] = textAt === 0 && end === text.length ? text : text.slice(textAt, end)
      textAt = end
    } else {
      out[i] = fromBytes(bytes, byteAt, -1 - end, i)
      byteAt = -1 - end
    }
  }
  return out
}

const asView: BytesReader<Uint8Array> = (buffer, start, end) => new Uint8Array(buffer, start, end - start)

/** The items of a PackedData, bytes as views of the one transferred buffer. */
export function unpack (packed: PackedData): Array<string | Uint8Array | undefined> {
  return unpackWith(packed, asView)
}

// From this size on a buffer is moved to the other thread rather than copied: a transfer costs
// a few microseconds whatever the size, a copy about a microsecond per 10 KiB or so.
export const TRANSFER_BYTES = 16 * 1024

const NO_TRANSFER: ArrayBuffer[] = []

/** What to transfer along with a message that carries `data`. */
export function transferOf (data: PackedData): ArrayBuffer[] {
  const bytes = data[2]
  return bytes !== null && bytes.byteLength >= TRANSFER_BYTES ? [bytes] : NO_TRANSFER
}

/**
 * One key or value as it travels alone: a string as it is, bytes in an ArrayBuffer of their own
 * (a view of part of a buffer, or of shared memory, is copied; structured clone would copy or
 * share the whole buffer).
 */
export function single (data: Data): Data
export function single (data: Data | undefined): Data | undefined
export function single (data: Data | undefined): Data | undefined {
  if (data === undefined || typeof data === 'string') return data
  if (data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer && data.constructor === Uint8Array) return data
  return new Uint8Array(data)
}

/** Options beyond the ones the protocol carries itself, or null when there are none. */
export function extraOptions (options: object, without: readonly string[]): ExtraOptions {
  let extra: WireOptions | null = null
  for (const name in options) {
    if (!Object.hasOwn(options, name) || without.includes(name)) continue
    const value = (options as Record<string, unknown>)[name]
    if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      extra ??= {}
      extra[name] = value
    }
  }
  return extra
}

export function wireFormat (format: string | undefined): WireFormat {
  return format === 'utf8' ? 'utf8' : 'view'
}

/**
 * The options that can cross: primitives only. Range bounds, encodings, snapshots and signals
 * are carried (or dropped) by the caller on purpose.
 */
export function wireOptions (options: object, without: readonly string[] = []): WireOptions {
  const wire: WireOptions = {}
  for (const [name, value] of Object.entries(options)) {
    if (without.includes(name)) continue
    if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') wire[name] = value
  }
  return wire
}

const MAX_CAUSE_DEPTH = 4

export function toWireError (err: unknown, depth = 0): WireError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) }
  const wire: WireError = { name: err.name, message: err.message }
  const code = (err as { code?: unknown }).code
  if (typeof code === 'string') wire.code = code
  if (err.cause !== undefined && depth < MAX_CAUSE_DEPTH) wire.cause = toWireError(err.cause, depth + 1)
  return wire
}

export function fromWireError (wire: WireError): Error {
  const cause = wire.cause === undefined ? undefined : fromWireError(wire.cause)
  const err = new ModuleError(wire.message, { code: wire.code, cause })
  err.name = wire.name
  return err
}
