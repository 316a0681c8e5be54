// What the benchmark's driver (run.ts), page (page-entry.ts) and worker (worker-entry.ts) say to
// each other: which engine to run on which database, and the timings or the error that come back.
import type { BenchConfig, WorkloadTiming } from './workloads'

/** Engines run in a dedicated worker: browser-level (IndexedDB, the baseline) and memory-level (the abstract-level ceiling). */
export const WORKER_ENGINES = ['browser-level', 'memory-level'] as const
export type WorkerEngine = typeof WORKER_ENGINES[number]

export interface WorkerRequest {
  engine: WorkerEngine
  /** A database name used by this run alone. */
  name: string
  config: BenchConfig
}

export type WorkerReply = { timings: WorkloadTiming[] } | { error: string }
