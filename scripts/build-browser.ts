// The one esbuild configuration for browser bundles of ai-level (tests, the package's browser
// build, benchmarks). It swaps the Node platform module (lib/platform/node) for the browser one,
// gives bundled code `Buffer` from the `buffer` package and `events` from the `events` package
// (both what abstract-level itself needs), and fails the build when any other Node built-in is
// still imported, so Node-only code cannot slip into a browser bundle unnoticed.
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

function browserPlatformPlugin (alias: Record<string, string>): Plugin {
  const builtins = new Set(builtinModules.filter(name => !name.startsWith('_')))
  return {
    name: 'ai-level-browser-platform',
    setup (pluginBuild) {
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
