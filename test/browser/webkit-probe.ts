// `node dist/test/browser/webkit-probe.js`: what WebKitGTK (Debian's libwebkit2gtk-4.1-0, the WebKit
// family of current Safari) offers of what the OPFS Env needs, checked in a dedicated worker.
// WebKit is not one of the browsers `npm run test:browser` runs, because WebKitGTK has no OPFS sync
// access handles: this probe is how to see that again (on a newer WebKitGTK, for one), not a test.
//
// It serves one page on 127.0.0.1 (cross-origin isolated, as the runner's pages are) and opens it in
// MiniBrowser three ways, each with a fresh profile in a temporary HOME, under xvfb-run when there is
// no DISPLAY (MiniBrowser has no headless mode):
// - profile: MiniBrowser started directly, with a profile on disk;
// - private: the same with --private (an ephemeral session);
// - webdriver: through WebKitWebDriver and the W3C WebDriver HTTP endpoints (a session, a navigation,
//   the session's end), which is how a test runner would drive it; its sessions are ephemeral too.
// MiniBrowser gets --features=+StorageAPI,+FileSystem,+AccessHandle (all off by default in
// WebKitGTK: navigator.storage is undefined without them) and JSC_useSharedArrayBuffer=1 (without
// it SharedArrayBuffer is undefined even when crossOriginIsolated is true). The worker reports each
// check's result, or the exception's name and message, to the server by fetch; the probe prints them.
// Paths: MINIBROWSER_PATH, WEBKIT_WEBDRIVER_PATH.
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'

const MINIBROWSER = process.env.MINIBROWSER_PATH ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser'
const WEBDRIVER = process.env.WEBKIT_WEBDRIVER_PATH ?? '/usr/bin/WebKitWebDriver'
const FEATURES = '--features=+StorageAPI,+FileSystem,+AccessHandle'
const RESULT_TIMEOUT_MS = 60_000

// The checks, in the worker: each is a name and a function whose value (or exception) is reported.
// Later checks use what earlier ones made, so one failure shows as TypeErrors after it.
const WORKER = `
const results = []
const check = async (name, fn) => {
  try {
    const value = await fn()
    results.push([name, value === undefined ? 'ok' : String(value)])
  } catch (error) {
    results.push([name, 'threw ' + error.name + ': ' + error.message])
  }
}
let root, file, handle
;(async () => {
  await check('crossOriginIsolated', () => self.crossOriginIsolated)
  await check('SharedArrayBuffer', () => typeof SharedArrayBuffer)
  await check('navigator.storage.getDirectory()', async () => { root = await navigator.storage.getDirectory(); return root.constructor.name })
  await check('getFileHandle(create)', async () => { file = await root.getFileHandle('probe', { create: true }); return file.constructor.name })
  await check('createSyncAccessHandle()', async () => { handle = await file.createSyncAccessHandle(); return handle.constructor.name })
  await check('write 4 KiB at 0 and at 8192', () => handle.write(new Uint8Array(4096).fill(1), { at: 0 }) + handle.write(new Uint8Array(4096).fill(2), { at: 8192 }))
  await check('read 4 KiB at 8192', () => { const bytes = new Uint8Array(4096); return handle.read(bytes, { at: 8192 }) + ' bytes, first ' + bytes[0] })
  await check('getSize()', () => handle.getSize())
  await check('flush()', () => handle.flush())
  await check('truncate(10000)', () => { handle.truncate(10000); return handle.getSize() })
  await check('a second createSyncAccessHandle() while one is open', async () => { const second = await (await root.getFileHandle('probe')).createSyncAccessHandle(); second.close(); return 'opened (not refused)' })
  await check("createSyncAccessHandle({ mode: 'readwrite-unsafe' }) twice", async () => {
    const f = await root.getFileHandle('unsafe', { create: true })
    const a = await f.createSyncAccessHandle({ mode: 'readwrite-unsafe' })
    const b = await f.createSyncAccessHandle({ mode: 'readwrite-unsafe' })
    a.close(); b.close()
    return 'both opened'
  })
  await check('close()', () => handle.close())
  await check('move(name)', async () => { const f = await root.getFileHandle('m1', { create: true }); await f.move('m1-moved'); return f.name })
  await check('move(directory, name)', async () => { const f = await root.getFileHandle('m2', { create: true }); await f.move(root, 'm2-moved'); return f.name })
  await check('removeEntry()', () => root.removeEntry('m2-moved'))
  await check('entries()', async () => { const names = []; for await (const [name] of root.entries()) names.push(name); return names.sort().join(' ') })
  postMessage(results)
})().catch(error => postMessage([['worker', 'threw ' + error]]))
`

const PAGE = `<!doctype html><meta charset="utf-8"><title>webkit probe</title><script>
const send = body => fetch('/result', { method: 'POST', body: JSON.stringify(body) })
const worker = new Worker('/probe.worker.js')
worker.onmessage = event => send(event.data)
worker.onerror = event => send([['worker', 'failed to load: ' + event.message]])
</script>`

type Results = Array<[string, string]>

let deliver: ((results: Results) => void) | undefined

function serve (request: http.IncomingMessage, response: http.ServerResponse): void {
  const headers = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp', 'cache-control': 'no-store' }
  if (request.method === 'POST' && request.url === '/result') {
    let body = ''
    request.on('data', (chunk: Buffer) => { body += chunk.toString() })
    request.on('end', () => {
      response.writeHead(204, headers).end()
      deliver?.(JSON.parse(body) as Results)
    })
  } else if (request.url === '/probe.worker.js') {
    response.writeHead(200, { ...headers, 'content-type': 'text/javascript' }).end(WORKER)
  } else {
    response.writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8' }).end(PAGE)
  }
}

/** Starts `command` in a process group of its own (under xvfb-run without a DISPLAY), with a fresh HOME. */
function start (command: string, args: string[], home: string): ChildProcess {
  const [file, argv] = process.env.DISPLAY === undefined ? ['xvfb-run', ['-a', command, ...args]] : [command, args]
  return spawn(file, argv, {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, HOME: home, XDG_DATA_HOME: path.join(home, 'data'), XDG_CACHE_HOME: path.join(home, 'cache'), JSC_useSharedArrayBuffer: '1' }
  })
}

/** Ends the process group `start` made: xvfb-run, Xvfb, the browser and its helper processes. */
function stop (child: ChildProcess): void {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, 'SIGTERM')
  } catch {
    // The group has ended already.
  }
}

function waitForResults (): Promise<Results> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no results within ${RESULT_TIMEOUT_MS / 1000} s`)), RESULT_TIMEOUT_MS)
    deliver = results => {
      clearTimeout(timer)
      resolve(results)
    }
  })
}

async function direct (url: string, home: string, extra: string[]): Promise<Results> {
  const results = waitForResults()
  const browser = start(MINIBROWSER, [FEATURES, ...extra, url], home)
  try {
    return await results
  } finally {
    stop(browser)
  }
}

// ---- A W3C WebDriver client: the four endpoints the probe needs, over fetch ----

async function webdriver (base: string, method: 'GET' | 'POST' | 'DELETE', route: string, body?: unknown): Promise<unknown> {
  const response = await fetch(base + route, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
  const answer = await response.json() as { value: unknown }
  if (!response.ok) throw new Error(`WebDriver ${method} ${route}: ${JSON.stringify(answer.value)}`)
  return answer.value
}

async function throughWebDriver (url: string, home: string): Promise<Results> {
  const port = await new Promise<number>(resolve => {
    const probe = http.createServer().listen(0, '127.0.0.1', () => {
      const free = (probe.address() as AddressInfo).port
      probe.close(() => resolve(free))
    })
  })
  const base = `http://127.0.0.1:${port}`
  const driver = start(WEBDRIVER, [`--port=${port}`], home)
  try {
    for (let waited = 0; ; waited += 100) {
      if (await webdriver(base, 'GET', '/status').then(() => true, () => false)) break
      if (waited > 10_000) throw new Error(`WebKitWebDriver did not answer on port ${port}`)
      await new Promise(resolve => setTimeout(resolve, 100))
    }
    const session = await webdriver(base, 'POST', '/session', {
      capabilities: { alwaysMatch: { browserName: 'MiniBrowser', 'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation', FEATURES] } } }
    }) as { sessionId: string }
    try {
      const results = waitForResults()
      await webdriver(base, 'POST', `/session/${session.sessionId}/url`, { url })
      return await results
    } finally {
      await webdriver(base, 'DELETE', `/session/${session.sessionId}`)
    }
  } finally {
    stop(driver)
  }
}

async function main (): Promise<void> {
  if (!fs.existsSync(MINIBROWSER)) {
    console.log(`webkit-probe: no MiniBrowser at ${MINIBROWSER} (Debian's libwebkit2gtk-4.1-0; set MINIBROWSER_PATH)`)
    return
  }
  const server = http.createServer(serve)
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  const ways: Array<[string, (home: string) => Promise<Results>]> = [
    ['profile', home => direct(url, home, [])],
    ['private', home => direct(url, home, ['--private'])]
  ]
  if (fs.existsSync(WEBDRIVER)) ways.push(['webdriver', home => throughWebDriver(url, home)])
  else console.log(`webkit-probe: webdriver skipped, no WebKitWebDriver at ${WEBDRIVER} (Debian's webkit2gtk-driver)`)
  try {
    for (const [name, run] of ways) {
      const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-level-webkit-'))
      try {
        const results = await run(home)
        console.log(`\n# ${name}`)
        for (const [check, result] of results) console.log(`${check}: ${result}`)
      } catch (error) {
        console.log(`\n# ${name}\nfailed: ${error instanceof Error ? error.message : String(error)}`)
        process.exitCode = 1
      } finally {
        fs.rmSync(home, { recursive: true, force: true })
      }
    }
  } finally {
    server.close()
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
