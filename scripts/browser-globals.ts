// Injected into every browser bundle by build-browser.ts: bundled code that names the global
// `Buffer` gets the `buffer` package's, without putting it on globalThis.
import { Buffer } from 'buffer'

// Node's Buffer writes strings at an offset without argument checks through these methods, which
// the engine calls on its hot write path (lib/format/write-batch.ts); the package's Buffer has
// only the checked write(), which does the same.
interface StringWriting {
  latin1Write?: (string: string, offset: number, length: number) => number
  utf8Write?: (string: string, offset: number, length: number) => number
}
const prototype = Buffer.prototype as Buffer & StringWriting
prototype.latin1Write ??= function (this: Buffer, string: string, offset: number, length: number) { return this.write(string, offset, length, 'latin1') }
prototype.utf8Write ??= function (this: Buffer, string: string, offset: number, length: number) { return this.write(string, offset, length, 'utf8') }

export { Buffer }
