// The browser part of `npm run build`: bundles the browser entry (lib/browser/index.ts) and the
// worker script that its AiLevelWorker starts by default (lib/browser/worker-entry.ts) into
// dist/browser/ as ES modules, with the project's one esbuild helper. The entry's default worker is
// `new Worker(new URL('./ai-level-worker.js', import.meta.url))` once bundled (AI_LEVEL_BUNDLE_URL
// is defined as import.meta.url), the form bundlers such as Vite recognise and ship. Both carry the
// background job worker's script as text (scripts/build-browser.ts), so it needs no file of its own.
import fs from 'node:fs'
import path from 'node:path'
import { buildBrowserBundle } from './build-browser'

const ROOT = path.resolve(__dirname, '..', '..')
const OUT = path.join(ROOT, 'dist', 'browser')

async function main (): Promise<void> {
  fs.rmSync(OUT, { recursive: true, force: true })
  await buildBrowserBundle({
    entryPoints: {
      index: path.join(ROOT, 'lib', 'browser', 'index.ts'),
      'ai-level-worker': path.join(ROOT, 'lib', 'browser', 'worker-entry.ts')
    },
    outdir: OUT,
    define: { AI_LEVEL_BUNDLE_URL: 'import.meta.url' }
  })
  // The package is CommonJS; these files are ES modules wherever a tool asks.
  fs.writeFileSync(path.join(OUT, 'package.json'), JSON.stringify({ type: 'module' }) + '\n')
}

main().catch((err: Error) => {
  console.error(err)
  process.exitCode = 1
})
