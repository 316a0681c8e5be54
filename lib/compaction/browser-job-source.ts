// The script of the browser job worker (browser-job-worker.ts), bundled, as text: browser bundles
// built with scripts/build-browser.ts get a module that exports it in place of this one, and the
// runner starts the worker from it (a blob: URL), so no bundler or server has to ship a second
// file. Anything else (tsc's output, run on Node) has no script: the browser runner then runs jobs
// inline.
export const jobWorkerSource: string | undefined = undefined
