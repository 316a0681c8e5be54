// Serves a folder over http on localhost, a secure context (so OPFS works), for pages loaded into
// Chromium by the browser benchmark and the packaged browser example's check. Not cross-origin
// isolated unless asked, as most sites are not: ai-level does without SharedArrayBuffer there.
// `isolated` sends the two headers that make a page cross-origin isolated.
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.css': 'text/css'
}

export interface StaticServer {
  /** http://localhost:port */
  origin: string
  close (): Promise<void>
}

const ISOLATION_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp'
}

export async function serveDirectory (root: string, options: { isolated?: boolean } = {}): Promise<StaticServer> {
  const server = http.createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname)
    const file = path.join(root, pathname.endsWith('/') ? `${pathname}index.html` : pathname)
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404).end()
      return
    }
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
      ...(options.isolated === true ? ISOLATION_HEADERS : {})
    })
    res.end(fs.readFileSync(file))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    origin: `http://localhost:${port}`,
    close: () => new Promise(resolve => server.close(() => resolve()))
  }
}
