// Turns the samples of a run (one per workload, shape, engine and repetition) into rows of medians.
// Pure functions of the samples, so a saved results.json can be rendered again.
import type { Shape } from './data'
import type { EngineName } from './engines'
import type { WorkerResult } from './worker'
import type { FillReport, Span, Timing } from './workloads'

/** One child process's answer. */
export interface Sample {
  workload: string
  shape: Shape
  count: number
  engine: EngineName
  rep: number
  result: WorkerResult
}

/** Throughput and CPU time per operation over a stretch of a loop. */
export interface Rates {
  opsPerSecond: number
  cpuMicrosPerOp: number
}

/**
 * Medians over the repetitions of one engine on one row. opsPerSecond and cpuMicrosPerOp are the
 * steady figures (the loop after its warm-up) where the loop has them, else the whole loop's.
 */
export interface EngineSummary extends Rates {
  /** The whole loop's, first pass in a fresh process, warm-up included; only where the steady figures differ from it. */
  cold?: Rates
  /** The whole loop's wall time. */
  elapsedMs: number
  peakRssBytes: number
  /** The fill report of the repetition with the median fill rate (fill2m only). */
  fill?: FillReport
  /** Repetitions that succeeded. */
  reps: number
  /** The first failure's message, if any repetition failed. */
  error?: string
}

export interface Row {
  /** The workload, or `workload.phase` for a further timed loop of it. */
  workload: string
  shape: Shape
  count: number
  byEngine: Map<EngineName, EngineSummary>
}

/** The list turned left by `by` places: repetition r runs the engines in rotate(engines, r) order. */
export function rotate<T> (items: readonly T[], by: number): T[] {
  if (items.length === 0) return []
  const shift = ((by % items.length) + items.length) % items.length
  return [...items.slice(shift), ...items.slice(0, shift)]
}

export function median (values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values')
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

export function opsPerSecond (span: Span): number {
  return span.operations / (span.elapsedMs / 1000)
}

export function cpuMicrosPerOp (span: Span): number {
  return span.cpuMicros / span.operations
}

/** The stretch of a loop its headline figures come from: after the warm-up where it has one. */
export function steadySpan (timing: Timing): Span {
  return timing.steady ?? timing
}

export function shapeLabel (shape: Shape): string {
  return `${shape.encoding}, ${shape.valueSize >= 1024 ? `${shape.valueSize / 1024} KiB` : `${shape.valueSize}-byte`} values`
}

function shapeKey (shape: Shape): string {
  return `${shape.encoding}/${shape.valueSize}`
}

interface TimedSample {
  timing: Timing
  peakRssBytes: number
  fill?: FillReport
}

/** The timings a sample contributes to each row: its own, then one per phase. */
function timingsOf (sample: Sample): Array<[string, TimedSample | string]> {
  const { result } = sample
  if (!result.ok) return [[sample.workload, result.error]]
  const { measurement, peakRssBytes } = result
  return [
    [sample.workload, { timing: measurement, peakRssBytes, fill: measurement.fill }],
    ...(measurement.phases ?? []).map((phase): [string, TimedSample] => [`${sample.workload}.${phase.name}`, { timing: phase, peakRssBytes }])
  ]
}

function summarize (entries: Array<TimedSample | string>): EngineSummary {
  const ok = entries.filter((entry): entry is TimedSample => typeof entry !== 'string')
  const error = entries.find((entry): entry is string => typeof entry === 'string')
  if (ok.length === 0) {
    return { opsPerSecond: NaN, cpuMicrosPerOp: NaN, elapsedMs: NaN, peakRssBytes: NaN, reps: 0, error: error ?? 'no result' }
  }
  const medianRate = median(ok.map((entry) => opsPerSecond(entry.timing)))
  const withFill = ok.filter((entry) => entry.fill !== undefined)
  // The fill report is one real run's (the one nearest the median rate), not a mix of runs.
  const fill = withFill.length === 0
    ? undefined
    : withFill.reduce((best, entry) =>
      Math.abs(opsPerSecond(entry.timing) - medianRate) < Math.abs(opsPerSecond(best.timing) - medianRate) ? entry : best).fill
  const summary: EngineSummary = {
    opsPerSecond: median(ok.map((entry) => opsPerSecond(steadySpan(entry.timing)))),
    cpuMicrosPerOp: median(ok.map((entry) => cpuMicrosPerOp(steadySpan(entry.timing)))),
    elapsedMs: median(ok.map((entry) => entry.timing.elapsedMs)),
    peakRssBytes: median(ok.map((entry) => entry.peakRssBytes)),
    reps: ok.length
  }
  if (ok.some((entry) => entry.timing.steady !== undefined)) {
    summary.cold = { opsPerSecond: medianRate, cpuMicrosPerOp: median(ok.map((entry) => cpuMicrosPerOp(entry.timing))) }
  }
  if (fill !== undefined) summary.fill = fill
  if (error !== undefined) summary.error = error
  return summary
}

/** Rows in the order their workloads first appear in the samples, phases right after their workload. */
export function summarizeSamples (samples: readonly Sample[]): Row[] {
  const groups = new Map<string, { workload: string, shape: Shape, count: number, byEngine: Map<EngineName, Array<TimedSample | string>> }>()
  for (const sample of samples) {
    for (const [workload, entry] of timingsOf(sample)) {
      const key = `${shapeKey(sample.shape)}|${workload}`
      let group = groups.get(key)
      if (group === undefined) {
        group = { workload, shape: sample.shape, count: sample.count, byEngine: new Map() }
        groups.set(key, group)
      }
      const list = group.byEngine.get(sample.engine) ?? []
      list.push(entry)
      group.byEngine.set(sample.engine, list)
    }
  }
  return [...groups.values()].map(({ workload, shape, count, byEngine }) => ({
    workload,
    shape,
    count: countOf(workload, count, byEngine),
    byEngine: new Map([...byEngine].map(([engine, entries]) => [engine, summarize(entries)]))
  }))
}

// A phase's operation count is its own (fill2m.get reads 1 in 20 keys), taken from any successful sample.
function countOf (workload: string, count: number, byEngine: Map<EngineName, Array<TimedSample | string>>): number {
  if (!workload.includes('.')) return count
  for (const entries of byEngine.values()) {
    for (const entry of entries) if (typeof entry !== 'string') return entry.timing.operations
  }
  return count
}

/** ai-level's figure over classic-level's, or undefined when either is missing. */
export function ratio (row: Row, pick: (summary: EngineSummary) => number): number | undefined {
  const ai = row.byEngine.get('ai')
  const classic = row.byEngine.get('classic')
  if (ai === undefined || classic === undefined || ai.reps === 0 || classic.reps === 0) return undefined
  const value = pick(ai) / pick(classic)
  return Number.isFinite(value) ? value : undefined
}
