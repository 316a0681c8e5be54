// What the benchmark's driver (run.ts), page (page-entry.ts) and worker (worker-entry.ts) say to
// each other: which engine to run on which database, and the timings or the error that come back.
import type { BenchConfig, WorkloadTiming } from './workloads'

/**
 * Engines run in a dedicated worker: ai-level itself, browser-level (IndexedDB, the baseline) and
 * memory-level (no storage at all: the abstract-level ceiling).
 */
export const WORKER_ENGINES = ['ai-level', 'browser-level', 'memory-level'] as const
export type WorkerEngine = typeof WORKER_ENGINES[number]
/**
 * Engines run on the page: ai-level through AiLevelWorker, its worker started from the package's
 * worker script; `AiLevelWorker` on a page that is not cross-origin isolated (calls are
 * messages), `AiLevelWorker-isolated` on one that is (calls take the shared-memory lane).
 */
export const PAGE_ENGINES = ['AiLevelWorker', 'AiLevelWorker-isolated'] as const
export type PageEngine = typeof PAGE_ENGINES[number]
export const ENGINES = ['ai-level', 'AiLevelWorker', 'AiLevelWorker-isolated', 'browser-level', 'memory-level'] as const
export type Engine = WorkerEngine | PageEngine

export interface BenchRequest<E extends Engine = Engine> {
  engine: E
  /** A database name used by this run alone. */
  name: string
  config: BenchConfig
}

export type BenchReply = { timings: WorkloadTiming[] } | { error: string }

/** A worker asks its page for the browser's CPU time so far ({ cpuQuery }), and gets { cpuMillis } back. */
export interface CpuQuery { cpuQuery: true }
export interface CpuAnswer { cpuMillis: number }

/** A bare postMessage() round trip between the page and a dedicated worker: wall and CPU microseconds (page-entry.ts, echo()). */
export interface EchoReply { micros: number, cpuMicros: number }
