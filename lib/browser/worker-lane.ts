// The shared-memory lane between AiLevelWorker (worker-client.ts) and its host (worker-host.ts):
// one request at a time written into a SharedArrayBuffer, the host's thread blocked in
// Atomics.wait() between requests, the answer written back into the same buffer and awaited on the
// client's side with Atomics.waitAsync(). Used where both sides can (the page is cross-origin
// isolated, the browser has Atomics.waitAsync(), the host's thread may block); messages carry
// everything else, and everything when there is no lane.
//
// Why: an awaited call over postMessage() costs two posts and two event-loop wake-ups, about 25 us
// for a bare echo in Chromium 150 on this machine, where a worker blocked in Atomics.wait() answers
// an echo through shared memory in about 4 us.
//
// Invariants:
// - The lane carries at most one request at a time: the client writes a request only when the
//   answer to its previous one has been read (or was sent as a message instead), so the buffer's
//   data area belongs to the client from then until it bumps REQUEST, and to the host from then
//   until it bumps ANSWER.
// - Order: a lane request records how many messages the client had posted before it (AFTER), and
//   the host takes it only once it has handled that many; a message the host handles first takes
//   any lane request that came before it. So requests are handled in the order the client made
//   them, whichever way each travelled (the protocol's ordering invariant).
// - The client bumps BELL (and notifies it) after every lane request and every posted message, so
//   a host blocked in Atomics.wait() on BELL wakes for both; BELL is read before the host looks
//   for work, so no wake-up falls between its look and its wait.
// - What travels is the protocol's own messages (worker-protocol.ts), encoded here: undefined,
//   null, booleans, numbers, strings (one byte a code unit when all are ASCII, else as UTF-16
//   code units, so any string crosses unchanged), Uint8Arrays (decoded as plain Uint8Arrays, as
//   structured clone does), ArrayBuffers, arrays and plain objects. Anything else, or a message too large for the buffer, travels as a message.

// Int32 slots at the start of the buffer.
const BELL = 0
const REQUEST = 1
const AFTER = 2
const POSTED = 3
const ANSWER = 4
// The answer's length in bytes, or POSTED_ANSWER when the answer was posted as a message.
const ANSWER_LENGTH = 5
const HEADER_BYTES = 32
const POSTED_ANSWER = -1

// Serial calls, seeks and the first batches of a scan fit; larger messages (a batch of a thousand
// puts, a full fetch) travel as messages, as structured clone copies long strings faster than
// this file's encoding does.
const DATA_BYTES = 64 * 1024

// How long the host's thread stays blocked waiting for the next request before it gives its event
// loop back (then Atomics.waitAsync() wakes it, more slowly), and how long it serves requests
// without letting its event loop run (timers, the job worker's messages).
const HOT_MILLIS = 2
const YIELD_MILLIS = 2

const TAG_UNDEFINED = 0
const TAG_NULL = 1
const TAG_FALSE = 2
const TAG_TRUE = 3
const TAG_NUMBER = 4
const TAG_STRING = 5
const TAG_BYTES = 6
const TAG_BUFFER = 7
const TAG_ARRAY = 8
const TAG_OBJECT = 9

// Thrown inside encode() when a message cannot (or should not) travel on the lane.
const UNSUITABLE = new Error('not for the lane')

// String.fromCharCode.apply() takes its code units as arguments: this many at a time. Longer
// strings are decoded by a TextDecoder from a copy (it cannot read shared memory), faster, unless
// they hold a lone surrogate, which only fromCharCode keeps. An ASCII string travels as one byte a
// code unit: a UTF-8 TextDecoder makes it about five times as fast as a UTF-16 one makes a string
// of code units (1.5 against 7.6 ns a code unit, Chromium 150), and it takes half the room.
const CHARS_PER_CALL = 256
const utf16 = new TextDecoder('utf-16le', { fatal: true, ignoreBOM: true })
const ascii = new TextDecoder('utf-8', { ignoreBOM: true })
const ASCII_LIMIT = 0x80
// How a string's code units are written: one byte each, or two.
const CHARS_ASCII = 0
const CHARS_UTF16 = 1

type WaitAsync = (typed: Int32Array, index: number, value: number) => { async: boolean, value: Promise<unknown> | string }

function waitAsync (): WaitAsync | null {
  const fn = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync
  return typeof fn === 'function' ? fn : null
}

/**
 * Whether this thread can start a lane: shared memory and Atomics.waitAsync(); unless `asked`,
 * also a cross-origin isolated page (in Node, where Atomics.waitAsync() wakes more slowly than a
 * message arrives, measured at about 80 us a round trip, messages are the default).
 */
export function laneAvailable (asked: boolean): boolean {
  return typeof SharedArrayBuffer === 'function' && waitAsync() !== null &&
    (asked || (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true)
}

/** Whether this thread can serve a lane: it may block in Atomics.wait() (a browser page's main thread may not). */
export function laneServable (): boolean {
  if (typeof SharedArrayBuffer !== 'function' || waitAsync() === null) return false
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0)
    return true
  } catch {
    return false
  }
}

export function newLaneBuffer (): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER_BYTES + DATA_BYTES)
}

// The data area of a lane's buffer, and the encoding of messages into it.
class LaneData {
  readonly #bytes: Uint8Array
  readonly #chars: Uint16Array
  readonly #view: DataView
  // Long strings are copied here to be decoded (a TextDecoder cannot read shared memory): one
  // buffer for the lane's life, not an allocation outside the heap per string.
  readonly #scratch = new Uint8Array(DATA_BYTES)
  #at = 0

  constructor (buffer: SharedArrayBuffer) {
    this.#bytes = new Uint8Array(buffer, HEADER_BYTES, DATA_BYTES)
    this.#chars = new Uint16Array(buffer, HEADER_BYTES, DATA_BYTES / 2)
    this.#view = new DataView(buffer, HEADER_BYTES, DATA_BYTES)
  }

  /** Writes `message` into the data area: its length in bytes, or -1 when it is not for the lane. */
  encode (message: unknown): number {
    this.#at = 0
    try {
      this.#write(message)
    } catch (err) {
      if (err === UNSUITABLE) return -1
      throw err
    }
    return this.#at
  }

  decode (): unknown {
    this.#at = 0
    return this.#read()
  }

  #room (bytes: number): number {
    const at = this.#at
    if (at + bytes > DATA_BYTES) throw UNSUITABLE
    this.#at = at + bytes
    return at
  }

  #write (value: unknown): void {
    switch (typeof value) {
      case 'undefined':
        this.#bytes[this.#room(1)] = TAG_UNDEFINED
        return
      case 'boolean':
        this.#bytes[this.#room(1)] = value ? TAG_TRUE : TAG_FALSE
        return
      case 'number': {
        const at = this.#room(9)
        this.#bytes[at] = TAG_NUMBER
        this.#view.setFloat64(at + 1, value, true)
        return
      }
      case 'string':
        this.#bytes[this.#room(1)] = TAG_STRING
        this.#writeString(value)
        return
      case 'object':
        if (value === null) {
          this.#bytes[this.#room(1)] = TAG_NULL
        } else if (value instanceof Uint8Array) {
          this.#writeBytes(TAG_BYTES, value)
        } else if (value instanceof ArrayBuffer) {
          this.#writeBytes(TAG_BUFFER, new Uint8Array(value))
        } else if (Array.isArray(value)) {
          this.#writeHead(TAG_ARRAY, value.length)
          for (let i = 0; i < value.length; i++) this.#write(value[i])
        } else if (Object.getPrototypeOf(value) === Object.prototype) {
          const names = Object.keys(value)
          this.#writeHead(TAG_OBJECT, names.length)
          for (const name of names) {
            this.#writeString(name)
            this.#write((value as Record<string, unknown>)[name])
          }
        } else {
          throw UNSUITABLE
        }
        return
      default:
        throw UNSUITABLE
    }
  }

  #writeHead (tag: number, count: number): void {
    const at = this.#room(5)
    this.#bytes[at] = tag
    this.#view.setUint32(at + 1, count, true)
  }

  // How its code units are written, its length, then its code units: one byte each when they
  // are all ASCII, else two each from the next even offset.
  #writeString (value: string): void {
    const n = value.length
    const head = this.#room(5)
    this.#view.setUint32(head + 1, n, true)
    const at = this.#at
    if (at + n <= DATA_BYTES) {
      const bytes = this.#bytes
      let i = 0
      for (; i < n; i++) {
        const c = value.charCodeAt(i)
        if (c >= ASCII_LIMIT) break
        bytes[at + i] = c
      }
      if (i === n) {
        bytes[head] = CHARS_ASCII
        this.#at = at + n
        return
      }
    }
    this.#bytes[head] = CHARS_UTF16
    if ((this.#at & 1) === 1) this.#room(1)
    const start = this.#room(2 * n) >> 1
    const chars = this.#chars
    for (let i = 0; i < n; i++) chars[start + i] = value.charCodeAt(i)
  }

  #writeBytes (tag: number, value: Uint8Array): void {
    this.#writeHead(tag, value.byteLength)
    this.#bytes.set(value, this.#room(value.byteLength))
  }

  #read (): unknown {
    const tag = this.#bytes[this.#at++]
    switch (tag) {
      case TAG_UNDEFINED: return undefined
      case TAG_NULL: return null
      case TAG_FALSE: return false
      case TAG_TRUE: return true
      case TAG_NUMBER: {
        const value = this.#view.getFloat64(this.#at, true)
        this.#at += 8
        return value
      }
      case TAG_STRING: return this.#readString()
      // slice() copies into a buffer of its own, not shared.
      case TAG_BYTES: {
        const n = this.#readCount()
        return this.#bytes.slice(this.#at, this.#at += n)
      }
      case TAG_BUFFER: {
        const n = this.#readCount()
        return this.#bytes.slice(this.#at, this.#at += n).buffer
      }
      case TAG_ARRAY: {
        const n = this.#readCount()
        // Filled by push(): a packed array, as the protocol's arrays are (see pack()).
        const out: unknown[] = []
        for (let i = 0; i < n; i++) out.push(this.#read())
        return out
      }
      case TAG_OBJECT: {
        const n = this.#readCount()
        const out: Record<string, unknown> = {}
        for (let i = 0; i < n; i++) {
          const name = this.#readString()
          out[name] = this.#read()
        }
        return out
      }
      default: throw new Error(`Corrupt lane message: tag ${String(tag)}`)
    }
  }

  #readCount (): number {
    const n = this.#view.getUint32(this.#at, true)
    this.#at += 4
    return n
  }

  #readString (): string {
    const kind = this.#bytes[this.#at++]
    const n = this.#readCount()
    if (kind === CHARS_ASCII) {
      const start = this.#at
      this.#at += n
      const bytes = this.#bytes
      if (n <= CHARS_PER_CALL) return String.fromCharCode.apply(null, bytes.subarray(start, start + n) as unknown as number[])
      this.#scratch.set(bytes.subarray(start, start + n))
      return ascii.decode(this.#scratch.subarray(0, n))
    }
    if ((this.#at & 1) === 1) this.#at++
    const start = this.#at >> 1
    this.#at += 2 * n
    const chars = this.#chars
    if (n <= CHARS_PER_CALL) return String.fromCharCode.apply(null, chars.subarray(start, start + n) as unknown as number[])
    try {
      const units = this.#scratch.subarray(0, 2 * n)
      units.set(this.#bytes.subarray(2 * start, 2 * start + 2 * n))
      return utf16.decode(units)
    } catch {
      // A lone surrogate: decoded below, unchanged.
    }
    let out = ''
    for (let i = 0; i < n; i += CHARS_PER_CALL) {
      out += String.fromCharCode.apply(null, chars.subarray(start + i, start + Math.min(i + CHARS_PER_CALL, n)) as unknown as number[])
    }
    return out
  }
}

/** The client's end: sends one request at a time and awaits its answer. */
export class ClientLane {
  readonly #control: Int32Array
  readonly #data: LaneData
  readonly #waitAsync: WaitAsync
  #sequence = 0
  #busy = false

  constructor (buffer: SharedArrayBuffer) {
    this.#control = new Int32Array(buffer, 0, HEADER_BYTES / 4)
    this.#data = new LaneData(buffer)
    this.#waitAsync = waitAsync() as WaitAsync
  }

  get idle (): boolean {
    return !this.#busy
  }

  /**
   * Writes `request` for the host, after the `posted` messages posted so far: false (and nothing
   * sent) when the lane is busy or the request is not for it.
   */
  send (request: unknown, posted: number): boolean {
    if (this.#busy || this.#data.encode(request) < 0) return false
    this.#busy = true
    const control = this.#control
    Atomics.store(control, AFTER, posted)
    Atomics.store(control, REQUEST, ++this.#sequence)
    this.#ring()
    return true
  }

  /**
   * The answer to the request sent last: the host's message, or undefined when the host posted it
   * as a message instead, or when `lost()` says the connection ended meanwhile.
   */
  async answer (lost: () => boolean): Promise<unknown> {
    const control = this.#control
    const sequence = this.#sequence
    for (let seen = Atomics.load(control, ANSWER); seen !== sequence; seen = Atomics.load(control, ANSWER)) {
      if (lost()) return undefined
      const wait = this.#waitAsync(control, ANSWER, seen)
      if (wait.async) await wait.value
    }
    const answer = Atomics.load(control, ANSWER_LENGTH) === POSTED_ANSWER ? undefined : this.#data.decode()
    this.#busy = false
    return answer
  }

  /** Tells the host that `posted` messages have been posted so far. */
  posted (posted: number): void {
    Atomics.store(this.#control, POSTED, posted)
    this.#ring()
  }

  /** Wakes answer() to see that the connection is lost. */
  wake (): void {
    Atomics.notify(this.#control, ANSWER)
  }

  #ring (): void {
    Atomics.add(this.#control, BELL, 1)
    Atomics.notify(this.#control, BELL)
  }
}

/**
 * What a HostLane serves requests with: the host's handling of a request, how many messages it has
 * handled, and how many of its calls are under way (handled, not yet answered).
 */
export interface LaneServer {
  /** Handles a request; its answer comes back through HostLane.answer() (or as a message). */
  handle (request: unknown): void
  readonly handled: number
  readonly working: number
}

// A MessageChannel, as far as HostLane uses it (Node's ports can also be unref()ed).
interface Yielder {
  port1: { onmessage: (() => void) | null, unref?: () => void }
  port2: { postMessage: (message: null) => void }
}

/** The host's end: takes each request in order, hands it to the server and writes its answer back. */
export class HostLane {
  readonly #control: Int32Array
  readonly #data: LaneData
  readonly #server: LaneServer
  readonly #waitAsync: WaitAsync
  #taken = 0
  // The id of the request taken and not yet answered, or null.
  #current: number | null = null
  #onAnswer: (() => void) | null = null
  #onMessage: (() => void) | null = null
  #onSettled: (() => void) | null = null
  // The wait for BELL to move from `#bellSeen`, while calls are under way (see run()).
  #bellWait: Promise<unknown> | null = null
  #bellSeen = 0
  readonly #yielder: Yielder

  constructor (buffer: SharedArrayBuffer, server: LaneServer) {
    this.#control = new Int32Array(buffer, 0, HEADER_BYTES / 4)
    this.#data = new LaneData(buffer)
    this.#server = server
    this.#waitAsync = waitAsync() as WaitAsync
    // A message to itself gives the event loop one turn, without setTimeout()'s clamping of nested timers.
    this.#yielder = new MessageChannel() as unknown as Yielder
    this.#yielder.port1.unref?.()
  }

  /** Whether the request the host is answering is this lane's. */
  owns (id: number): boolean {
    return this.#current === id
  }

  /**
   * Writes the answer to the lane's request: false when it is not for the lane, and the host then
   * posts it as a message (the client waits for that instead).
   */
  answer (message: unknown): boolean {
    const length = this.#data.encode(message)
    this.#current = null
    Atomics.store(this.#control, ANSWER_LENGTH, length < 0 ? POSTED_ANSWER : length)
    Atomics.store(this.#control, ANSWER, this.#taken)
    Atomics.notify(this.#control, ANSWER)
    this.#onAnswer?.()
    return length >= 0
  }

  /** Called before each message is handled: takes a lane request that was made before it. */
  beforeMessage (): void {
    this.#take()
  }

  /** Called after each message is handled. */
  afterMessage (): void {
    this.#take()
    this.#onMessage?.()
  }

  /** Called when a call the server had under way is answered. */
  settled (): void {
    this.#onSettled?.()
  }

  // Takes the waiting request, if there is one and every message posted before it has been handled.
  #take (): boolean {
    const control = this.#control
    if (this.#current !== null || Atomics.load(control, REQUEST) === this.#taken) return false
    if (Atomics.load(control, AFTER) > this.#server.handled) return false
    this.#taken = Atomics.load(control, REQUEST)
    const request = this.#data.decode() as [string, number]
    this.#current = request[1]
    this.#server.handle(request)
    return true
  }

  // Resolves once BELL has moved from `bell`: one Atomics.waitAsync() per value, however often
  // run() asks while calls are under way.
  #bellChange (bell: number): Promise<unknown> {
    if (this.#bellWait === null || this.#bellSeen !== bell) {
      const wait = this.#waitAsync(this.#control, BELL, bell)
      this.#bellSeen = bell
      this.#bellWait = wait.async ? wait.value as Promise<unknown> : Promise.resolve()
    }
    return this.#bellWait
  }

  /** Serves the lane for as long as the thread lives. */
  async run (): Promise<void> {
    const control = this.#control
    let yielded = performance.now()
    for (;;) {
      if (this.#current !== null) {
        await new Promise<void>(resolve => { this.#onAnswer = resolve })
        this.#onAnswer = null
        continue
      }
      const bell = Atomics.load(control, BELL)
      if (this.#take()) continue
      // POSTED counts every message posted before the waiting request, if there is one.
      if (Atomics.load(control, POSTED) > this.#server.handled) {
        // Messages to handle first: they arrive through the event loop.
        await new Promise<void>(resolve => { this.#onMessage = resolve })
        this.#onMessage = null
        yielded = performance.now()
        continue
      }
      // Calls under way go on in this thread's microtasks and tasks (an iterator's reads, a write
      // waiting for its log), which a thread blocked in Atomics.wait() would hold up until the
      // next request: wait for one of them to settle, or for the next request, without blocking.
      // (A scan's read-ahead fetches through the lane lost 1.6 ms a batch that way.)
      if (this.#server.working > 0) {
        await new Promise<unknown>(resolve => {
          this.#onSettled = () => resolve(undefined)
          void this.#bellChange(bell).then(resolve)
        })
        this.#onSettled = null
        yielded = performance.now()
        continue
      }
      if (performance.now() - yielded > YIELD_MILLIS) {
        await new Promise<void>(resolve => {
          this.#yielder.port1.onmessage = resolve
          this.#yielder.port2.postMessage(null)
        })
        yielded = performance.now()
        continue
      }
      if (Atomics.wait(control, BELL, bell, HOT_MILLIS) === 'timed-out') {
        const wait = this.#waitAsync(control, BELL, bell)
        if (wait.async) await wait.value
        yielded = performance.now()
      }
    }
  }
}
