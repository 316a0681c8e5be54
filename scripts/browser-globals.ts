// Injected into every browser bundle by build-browser.ts: bundled code that names the global
// `Buffer` gets the `buffer` package's, without putting it on globalThis.
import { Buffer } from 'buffer'
import { latin1Write, utf8Length, utf8Write } from './browser-string-writes'

// Node's Buffer writes strings at an offset without argument checks through these methods, which
// the engine calls on its hot write path (lib/format/write-batch.ts); the package's Buffer has
// only the checked write(), which does the same in several times the time
// (browser-string-writes.ts). Its byteLength() of a utf8 string, on the same path, too.
interface StringWriting {
  latin1Write?: (string: string, offset: number, length: number) => number
  utf8Write?: (string: string, offset: number, length: number) => number
}
const prototype = Buffer.prototype as Buffer & StringWriting
prototype.latin1Write ??= latin1Write
prototype.utf8Write ??= utf8Write
const packageByteLength = Buffer.byteLength
const UTF8 = new Set([undefined, 'utf8', 'utf-8', 'UTF8', 'UTF-8'])
Buffer.byteLength = function (string: Parameters<typeof Buffer.byteLength>[0], encoding?: BufferEncoding): number {
  return typeof string === 'string' && UTF8.has(encoding) ? utf8Length(string) : packageByteLength(string, encoding)
}

export { Buffer }
