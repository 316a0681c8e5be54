// The messages between AiLevelWorker (worker-client.ts) and the host that serves a database to it
// (worker-host.ts), and how keys, values, options and errors travel in them. Nothing here depends
// on a platform: the same code runs over a browser Worker, a MessagePort or Node's worker_threads.
//
// Invariants:
// - Requests are handled by the host in the order they were posted, and each database call a
//   request makes starts before the host looks at the next request. So an iterator or snapshot
//   that the client creates without waiting for an answer still sees exactly the writes posted
//   before it, and none posted after.
// - Every key and value travels inside a PackedData: the strings joined into one string, the bytes
//   copied once into one ArrayBuffer per message that is transferred, never cloned, so a message
//   costs a few copies rather than one clone per item. The type of each item is its format: a
//   string is 'utf8', bytes are 'view' (the client turns them into Buffers for 'buffer'). A string
//   unpacked may share the memory of the message's joined string while it lives.
// - Options carry only primitives (and snapshot ids): no functions, signals or encodings cross.
import ModuleError from 'module-error'
import type { Data } from '../level/format'

// What the host asks its database for: bytes are always plain views there.
export type WireFormat = 'view' | 'utf8'

/**
 * Keys or values: item i ends at ends[i] in `text` when it is a string, at -1 - ends[i] in `bytes`
 * when it is bytes (a negative number), and is absent (undefined) when ends[i] is null; it starts
 * where the previous item of its kind ended, or at 0. Plain arrays: a message of a few items
 * costs less to clone than with typed arrays.
 */
export interface PackedData {
  ends: Array<number | null>
  text: string
  bytes: ArrayBuffer | null
}

export type WireOptions = Record<string, string | number | boolean | null>

export interface WireError {
  name: string
  message: string
  code?: string
  cause?: WireError
}

export type IteratorKind = 'iterator' | 'keys' | 'values'

/** Requests the host answers (the client adds a fresh `id`, which the answer repeats). */
export type Call =
  | { op: 'open', location: string, options: WireOptions }
  | { op: 'close' }
  | { op: 'get' | 'getMany' | 'has' | 'hasMany' | 'del' | 'put', data: PackedData, options: WireOptions }
  | { op: 'batch', types: Array<'put' | 'del'>, data: PackedData, options: WireOptions }
  | { op: 'clear', data: PackedData, options: WireOptions }
  | { op: 'approximateSize' | 'compactRange', data: PackedData, options: WireOptions }
  // `seek`: the target of the client's last seek() since its previous fetch, done first.
  | { op: 'next' | 'all', iterator: number, size: number, seek?: PackedData }
  | { op: 'closeIterator', iterator: number }
  | { op: 'closeSnapshot', snapshot: number }

/**
 * Requests without an answer: the host keeps what they create, or the error that creating it
 * raised, for the calls that use it next.
 */
export type Notice =
  | { op: 'iterator', iterator: number, kind: IteratorKind, data: PackedData, options: WireOptions }
  | { op: 'snapshot', snapshot: number }

export type Request = (Call & { id: number }) | Notice

export interface Answer { result?: unknown, data?: PackedData, ended?: boolean }

export type Reply = (Answer & { id: number }) | { id: number, error: WireError }

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

/** Packs items for posting; transfer `packed.bytes` (when not null) along with the message. */
export function pack (items: ArrayLike<Data | undefined>): PackedData {
  const n = items.length
  const ends: Array<number | null> = new Array(n)
  const texts: string[] = []
  let textLength = 0
  let byteLength = 0
  for (let i = 0; i < n; i++) {
    const item = items[i]
    if (item === undefined) {
      ends[i] = null
    } else if (typeof item === 'string') {
      texts.push(item)
      textLength += item.length
      ends[i] = textLength
    } else {
      byteLength += item.byteLength
      ends[i] = -1 - byteLength
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
  return { ends, text: texts.length === 1 ? texts[0] : texts.join(''), bytes }
}

/** The items of a PackedData, bytes as views of the one transferred buffer. */
export function unpack (packed: PackedData): Array<string | Uint8Array | undefined> {
  const { ends, text } = packed
  const bytes = packed.bytes ?? new ArrayBuffer(0)
  const out: Array<string | Uint8Array | undefined> = new Array(ends.length)
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
      out[i] = new Uint8Array(bytes, byteAt, -1 - end - byteAt)
      byteAt = -1 - end
    }
  }
  return out
}

export function transferOf (data: PackedData): ArrayBuffer[] {
  return data.bytes === null ? [] : [data.bytes]
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
