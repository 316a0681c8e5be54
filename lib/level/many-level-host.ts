// Serves an abstract-level 3 database (an AiLevel, one of its sublevels, or any other) to
// many-level guests in other processes, over any duplex stream such as a TCP socket.
//
// many-level 2's host drives the database through callbacks (db.put(key, value, options, cb),
// iterator.nextv(size, cb), ...), which abstract-level 3 no longer calls: every guest request
// would wait forever. This module hands many-level's own host a view of the database that takes
// those callbacks and settles them from the promises, so the wire protocol, and with it every
// guest, stays many-level's. Guests run unchanged (`ManyLevelGuest` from many-level).
//
// many-level is an optional peer dependency: it is loaded here only, never by the main entry.
import { ManyLevelHost as CallbackHost } from 'many-level'
import type { Duplex } from 'node:stream'
import ModuleError from 'module-error'

type Callback<T> = (err: Error | null, value?: T) => void

export interface HostOptions {
  /** Refuse writes from guests with `LEVEL_READONLY`. Default `false`. */
  readonly?: boolean
  /** Called before a guest's put; calling back with an error refuses it. */
  preput?: (key: Buffer, value: Buffer, callback: (err?: Error | null) => void) => void
  /** Called before a guest's del; calling back with an error refuses it. */
  predel?: (key: Buffer, callback: (err?: Error | null) => void) => void
  /** Called before a guest's batch; calling back with an error refuses it. */
  prebatch?: (operations: unknown[], callback: (err?: Error | null) => void) => void
}

// The parts of an abstract-level 3 iterator and database that many-level's host uses. Their
// option and operation types are abstract-level's own, left open here: the host passes them
// through untouched (buffer encodings, range options, batch operations).
/* eslint-disable @typescript-eslint/no-explicit-any -- the abstract-level boundary */
interface PromiseIterator {
  nextv (size: number): Promise<unknown[]>
  seek (target: Buffer, options?: any): void
  close (): Promise<void>
}

export interface HostedDatabase {
  readonly supports: object
  open (options: any): Promise<void>
  get (key: Buffer, options: any): Promise<Buffer | undefined>
  getMany (keys: Buffer[], options: any): Promise<Array<Buffer | undefined>>
  put (key: Buffer, value: Buffer, options: any): Promise<void>
  del (key: Buffer, options: any): Promise<void>
  batch (operations: any[], options: any): Promise<void>
  clear (options: any): Promise<void>
  iterator (options: any): PromiseIterator
  keys (options: any): PromiseIterator
  values (options: any): PromiseIterator
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/**
 * A many-level host for abstract-level 3 databases: `new ManyLevelHost(db, options)`, then
 * `host.createRpcStream()` once per guest connection, exactly as with many-level's own host.
 */
export class ManyLevelHost {
  readonly #host: CallbackHost

  constructor (db: HostedDatabase, options: HostOptions = {}) {
    // The host's typings name abstract-level 1's class; what it calls is the callback view.
    this.#host = new CallbackHost(callbackView(db) as unknown as ConstructorParameters<typeof CallbackHost>[0], options)
  }

  /** A duplex stream to pipe to and from one guest (for example a socket). */
  createRpcStream (): Duplex {
    return this.#host.createRpcStream() as unknown as Duplex
  }
}

function settle<T> (promise: Promise<T>, callback: Callback<T>): void {
  promise.then(value => callback(null, value), (err: Error) => callback(err))
}

// abstract-level 1, which guests run, reports an absent key as an error with this code.
function notFound (): Error {
  return new ModuleError('Entry not found', { code: 'LEVEL_NOT_FOUND' })
}

function callbackView (db: HostedDatabase): object {
  const iterate = (it: PromiseIterator): object => ({
    nextv: (size: number, callback: Callback<unknown[]>) => settle(it.nextv(size), callback),
    seek: (target: Buffer, options: object) => it.seek(target, options),
    close: (callback: Callback<void>) => settle(it.close(), callback)
  })
  return {
    get supports () { return db.supports },
    open: (options: object, callback: Callback<void>) => settle(db.open(options), callback),
    get: (key: Buffer, options: object, callback: Callback<Buffer>) => settle(db.get(key, options).then(value => {
      if (value === undefined) throw notFound()
      return value
    }), callback),
    // The host maps the values even when the call failed, so a failure comes with an empty list.
    getMany: (keys: Buffer[], options: object, callback: (err: Error | null, values: Array<Buffer | undefined>) => void) =>
      db.getMany(keys, options).then(values => callback(null, values), (err: Error) => callback(err, [])),
    put: (key: Buffer, value: Buffer, options: object, callback: Callback<void>) => settle(db.put(key, value, options), callback),
    del: (key: Buffer, options: object, callback: Callback<void>) => settle(db.del(key, options), callback),
    batch: (operations: unknown[], options: object, callback: Callback<void>) => settle(db.batch(operations, options), callback),
    clear: (options: object, callback: Callback<void>) => settle(db.clear(options), callback),
    iterator: (options: object) => iterate(db.iterator(options)),
    keys: (options: object) => iterate(db.keys(options)),
    values: (options: object) => iterate(db.values(options))
  }
}
