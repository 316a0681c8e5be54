// A minimal way to run one script in a dedicated worker in Chromium and watch it:
//   node dist/scripts/browser-smoke.js path/to/worker.ts [timeoutMs] [filesDir]
// Bundles the script with build-browser.ts, serves it from localhost (a secure context, so OPFS
// works), starts it as a module worker from a blank page in Debian's Chromium, prints every console
// line, and exits 0 once a line starts with "SMOKE DONE" or 1 on "SMOKE FAIL", an uncaught error
// or the timeout. A worker that posts the message 'restart' is terminated at once, as a killed tab
// would be, and started again with the next run number in its URL (?run=N). With filesDir, the
// worker can fetch its files (GET /files/ lists them as JSON, GET /files/<name> gives one) and
// upload files into filesDir/uploaded (PUT /uploaded/<name>).
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { chromium } from 'playwright-core'
import { buildBrowserBundle } from './build-browser'

const PAGE = `<!doctype html><meta charset="utf-8"><script type="module">
let run = 0
function start () {
  const worker = new Worker('./worker.js?run=' + run, { type: 'module' })
  worker.onerror = event => console.log('SMOKE FAIL worker error: ' + (event.message || 'no message'))
  worker.onmessage = event => {
    if (event.data !== 'restart') return
    worker.terminate()
    run++
    start()
  }
}
start()
</script>`

async function main (): Promise<number> {
  const [script, timeoutArg, filesDir] = process.argv.slice(2)
  if (script === undefined) throw new Error('usage: browser-smoke.js <worker script> [timeoutMs]')
  const timeoutMs = Number(timeoutArg ?? 120_000)
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-level-smoke-'))
  await buildBrowserBundle({ entryPoints: { worker: path.resolve(script) }, outdir, sourcemap: true })
  fs.writeFileSync(path.join(outdir, 'index.html'), PAGE)

  const server = http.createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname
    if (filesDir !== undefined && pathname.startsWith('/files/')) { serveFiles(filesDir, pathname.slice(7), res); return }
    if (filesDir !== undefined && pathname.startsWith('/uploaded/') && req.method === 'PUT') { receiveFile(filesDir, path.basename(pathname), req, res); return }
    const name = path.basename(pathname) || 'index.html'
    const file = path.join(outdir, name)
    if (!fs.existsSync(file)) { res.writeHead(404).end(); return }
    res.writeHead(200, { 'content-type': name.endsWith('.html') ? 'text/html' : 'text/javascript' })
    res.end(fs.readFileSync(file))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true })
  try {
    const page = await browser.newPage()
    const outcome = new Promise<number>(resolve => {
      page.on('console', message => {
        const text = message.text()
        console.log(text)
        if (text.startsWith('SMOKE DONE')) resolve(0)
        if (text.startsWith('SMOKE FAIL')) resolve(1)
      })
      page.on('pageerror', error => { console.log(`page error: ${error.message}`); resolve(1) })
      setTimeout(() => { console.log(`SMOKE FAIL timeout after ${timeoutMs} ms`); resolve(1) }, timeoutMs).unref()
    })
    await page.goto(`http://localhost:${port}/index.html`)
    return await outcome
  } finally {
    await browser.close()
    server.close()
    fs.rmSync(outdir, { recursive: true, force: true })
  }
}

function serveFiles (dir: string, name: string, res: http.ServerResponse): void {
  if (name === '') {
    const names = fs.readdirSync(dir).filter(entry => fs.statSync(path.join(dir, entry)).isFile())
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(names))
    return
  }
  const file = path.join(dir, path.basename(name))
  if (!fs.existsSync(file)) { res.writeHead(404).end(); return }
  res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(fs.readFileSync(file))
}

function receiveFile (dir: string, name: string, req: http.IncomingMessage, res: http.ServerResponse): void {
  const chunks: Buffer[] = []
  req.on('data', (chunk: Buffer) => chunks.push(chunk))
  req.on('end', () => {
    fs.mkdirSync(path.join(dir, 'uploaded'), { recursive: true })
    fs.writeFileSync(path.join(dir, 'uploaded', name), Buffer.concat(chunks))
    res.writeHead(204).end()
  })
}

main().then(code => { process.exitCode = code }, error => { console.error(error); process.exitCode = 1 })
