// Injected into every browser bundle by build-browser.ts: bundled code that names the global
// `Buffer` gets the `buffer` package's, without putting it on globalThis.
export { Buffer } from 'buffer'
