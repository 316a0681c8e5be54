// The one esbuild configuration for browser bundles of ai-level (tests, the package's browser
// build, benchmarks). It swaps the Node platform module (lib/platform/node) for the browser one,
// gives bundled code `Buffer` from the `buffer` package and `events` from the `events` package
// (both what abstract-level itself needs), and fails the build when any other Node built-in is
// still imported, so Node-only code cannot slip into a browser bundle unnoticed. The text of the
// background job worker (lib/compaction/browser-job-worker.ts, bundled the same way) replaces
// lib/compaction/browser-job-source, so every bundle can start that worker from memory.
import fs from 'node:fs'
import { builtinModules } from 'node:module'
import path from 'node:path'
import { build, type BuildResult, type Metafile, type OutputFile, type Plugin } from 'esbuild'

export interface BrowserBundleOptions {
  // Source files (.ts or .js) to bundle, or output names mapped to them.
  entryPoints: string[] | Record<string, string>
  outdir: string
  minify?: boolean
  sourcemap?: boolean
  // False keeps the bundles in memory (BrowserBundle.outputFiles) instead of writing them.
  write?: boolean
  // Extra compile-time constants, as esbuild's `define`.
  define?: Record<string, string>
  // Bare module names mapped to files that replace them (the browser tests give tape the few Node
  // built-ins it imports); checked before the built-in rule below.
  alias?: Record<string, string>
}

export interface BrowserBundle {
  metafile: Metafile
  outputFiles: OutputFile[]
}

// Node built-ins the bundle gets from npm packages of the same name.
const SHIMMED_BUILTINS = new Set(['buffer', 'events'])
// Optional native addons the engine tries to load and does without: in a bundle they fail to
// load, so the engine takes its TypeScript fallback.
const OPTIONAL_ADDONS = ['@node-rs/crc32']

const packageRoot = findPackageRoot(__dirname)

export async function buildBrowserBundle (options: BrowserBundleOptions): Promise<BrowserBundle> {
  const result: BuildResult<{ metafile: true, write: boolean }> = await build({
    entryPoints: options.entryPoints,
    outdir: options.outdir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    mainFields: ['browser', 'module', 'main'],
    minify: options.minify ?? false,
    sourcemap: options.sourcemap ?? false,
    write: options.write ?? true,
    define: options.define,
    metafile: true,
    logLevel: 'silent',
    inject: [path.join(packageRoot, 'scripts', 'browser-globals.ts')],
    plugins: [browserPlatformPlugin(options.alias ?? {})]
  })
  return { metafile: result.metafile, outputFiles: result.outputFiles ?? [] }
}

const JOB_WORKER_ENTRY = path.join(packageRoot, 'lib', 'compaction', 'browser-job-worker.ts')

// The job worker's bundle, built once per process: it is the same for every bundle that embeds it.
// Always minified: it travels as a string inside every bundle (about 40% of the unminified size).
let jobWorkerBundle: Promise<string> | null = null

function buildJobWorker (): Promise<string> {
  jobWorkerBundle ??= build({
    entryPoints: [JOB_WORKER_ENTRY],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    mainFields: ['browser', 'module', 'main'],
    minify: true,
    write: false,
    logLevel: 'silent',
    inject: [path.join(packageRoot, 'scripts', 'browser-globals.ts')],
    // The worker's own copy of the source module stays the placeholder (no worker inside it).
    plugins: [browserPlatformPlugin({}, false)]
  }).then(result => result.outputFiles[0].text)
  return jobWorkerBundle
}

function browserPlatformPlugin (alias: Record<string, string>, embedJobWorker = true): Plugin {
  const builtins = new Set(builtinModules.filter(name => !name.startsWith('_')))
  return {
    name: 'ai-level-browser-platform',
    setup (pluginBuild) {
      if (embedJobWorker) {
        pluginBuild.onResolve({ filter: /(^|[\\/])browser-job-source(\.[jt]s)?$/ }, args => ({ path: path.resolve(args.resolveDir, args.path), namespace: 'ai-level-job-worker' }))
        pluginBuild.onLoad({ filter: /.*/, namespace: 'ai-level-job-worker' }, async () => ({
          contents: `export const jobWorkerSource = ${JSON.stringify(await buildJobWorker())}`,
          loader: 'js'
        }))
      }
      pluginBuild.onResolve({ filter: /(^|[\\/])platform[\\/]node(\.[jt]s)?$/ }, args => {
        const browserPath = path.resolve(args.resolveDir, args.path.replace(/node(\.[jt]s)?$/, 'browser'))
        const found = ['.ts', '.js'].map(ext => browserPath + ext).find(file => fs.existsSync(file))
        if (found === undefined) return { errors: [{ text: `No browser platform module next to ${args.path} (imported by ${args.importer})` }] }
        return { path: found }
      })
      pluginBuild.onResolve({ filter: /^[^./]/ }, async args => {
        const name = args.path.startsWith('node:') ? args.path.slice(5) : args.path
        const root = name.split('/')[0]
        if (Object.hasOwn(alias, args.path)) return { path: alias[args.path] }
        if (OPTIONAL_ADDONS.includes(args.path)) return { path: args.path, namespace: 'ai-level-unavailable' }
        if (!args.path.startsWith('node:') && !builtins.has(root)) return undefined
        if (SHIMMED_BUILTINS.has(name)) {
          if (!args.path.startsWith('node:')) return undefined
          return await pluginBuild.resolve(name, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer })
        }
        return { errors: [{ text: `Node built-in "${args.path}" is imported by ${path.relative(packageRoot, args.importer)}, which browsers cannot load` }] }
      })
      pluginBuild.onLoad({ filter: /.*/, namespace: 'ai-level-unavailable' }, args => ({
        contents: `throw new Error(${JSON.stringify(`${args.path} is not available in browsers`)})`,
        loader: 'js'
      }))
    }
  }
}

function findPackageRoot (from: string): string {
  let dir = from
  while (!fs.existsSync(path.join(dir, 'package.json')) || !fs.existsSync(path.join(dir, 'scripts'))) {
    const parent = path.dirname(dir)
    if (parent === dir) throw new Error(`No package root above ${from}`)
    dir = parent
  }
  return dir
}
