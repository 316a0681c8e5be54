// tape's streams (@ljharb/through) build on Node's legacy Stream: an EventEmitter with pipe().
// Nothing in a test run pauses them, so pipe() forwards data and end without back-pressure.
import { EventEmitter } from 'events'

interface Writable {
  write (data: unknown): unknown
  end (): unknown
}

export class Stream extends EventEmitter {
  pipe<T extends Writable> (destination: T): T {
    this.on('data', (data: unknown) => destination.write(data))
    this.on('end', () => destination.end())
    return destination
  }
}

export default { Stream }
