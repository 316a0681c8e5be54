// Builds the example with esbuild into dist-esbuild/. esbuild leaves
// `new Worker(new URL('./x.js', import.meta.url))` as it is, so every worker script must end up
// next to the page's bundle under the name it is started by: the app's own worker is a second
// entry point, and ai-level's worker script (which AiLevelWorker starts) is copied from the package.
import { build } from 'esbuild'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

const outdir = 'dist-esbuild'
await build({ entryPoints: ['main.js', 'worker.js'], bundle: true, format: 'esm', minify: true, outdir })
fs.copyFileSync('index.html', path.join(outdir, 'index.html'))
const aiLevelWorker = createRequire(import.meta.url).resolve('ai-level/ai-level-worker.js')
fs.copyFileSync(aiLevelWorker, path.join(outdir, 'ai-level-worker.js'))
