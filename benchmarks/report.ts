// Formats benchmark results: Markdown tables (terminal and docs/bench/results.md) and an SVG chart of
// the ops/s ratio to classic-level per workload (docs/bench/results.svg).
import { EngineName, engines } from './engines'
import { cpuMicrosPerOp, EngineSummary, opsPerSecond, ratio, Rates, Row, shapeLabel } from './summary'
import type { WorkerResult } from './worker'

/** Where and how a run was made: stamped on every table and chart. */
export interface RunMeta {
  date: string
  commit: string
  cpuModel: string
  cores: number
  memoryGiB: number
  os: string
  node: string
  /** Versions of the compared packages, e.g. { 'classic-level': '3.0.0' }. */
  packages: Record<string, string>
  reps: number
  scale: number
  seed: number
}

/** Markdown printed by a further benchmark script (codec, fallbacks...), under its own heading. */
export interface ExtraSection {
  name: string
  markdown: string
}

const MEGABYTE = 1024 * 1024
/** Workloads reported by time and peak RSS in a table of their own rather than in ops/s (one round trip takes seconds). */
const PEAK_RSS_WORKLOADS = ['bigvalue']

function inThroughputTable (row: Row): boolean {
  return !PEAK_RSS_WORKLOADS.includes(row.workload)
}

export function formatMeta (meta: RunMeta): string {
  const packages = Object.entries(meta.packages).map(([name, version]) => `${name} ${version}`).join(', ')
  return `${meta.date}, commit ${meta.commit}; ${meta.cpuModel} (${meta.cores} cores), ${meta.memoryGiB} GiB, ${meta.os}; Node ${meta.node}; ${packages}. ` +
    `${meta.reps} repetition${meta.reps === 1 ? '' : 's'} in rotated engine order, medians; scale ${meta.scale}; seed ${meta.seed}.`
}

export function formatRate (rate: number): string {
  return Number.isFinite(rate) ? Math.round(rate).toLocaleString('en-US') : '-'
}

export function formatMicros (micros: number): string {
  if (!Number.isFinite(micros)) return '-'
  return micros < 10 ? micros.toFixed(2) : micros < 100 ? micros.toFixed(1) : Math.round(micros).toLocaleString('en-US')
}

export function formatRatio (value: number | undefined): string {
  return value === undefined ? '-' : `${value.toFixed(2)}x`
}

export function markdownTable (header: string[], rows: string[][]): string {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column].length)))
  const line = (cells: string[]): string =>
    '| ' + cells.map((cell, column) => column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column])).join(' | ') + ' |'
  const rule = '|' + widths.map((width, column) => column === 0 ? '-'.repeat(width + 2) : '-'.repeat(width + 1) + ':').join('|') + '|'
  return [line(header), rule, ...rows.map(line)].join('\n')
}

function cell (summary: EngineSummary | undefined, pick: (summary: EngineSummary) => string): string {
  if (summary === undefined) return '-'
  if (summary.reps === 0) return 'failed'
  return pick(summary) + (summary.error === undefined ? '' : ' (1+ failed)')
}

function showsRatio (engineNames: readonly EngineName[]): boolean {
  return engineNames.includes('ai') && engineNames.includes('classic')
}

/** How many repetitions a row's figures come from: its engines' most. */
function repsOf (row: Row): number {
  return Math.max(0, ...[...row.byEngine.values()].map((summary) => summary.reps))
}

/** Which figures a throughput table shows: the steady ones (the headline) or the whole first pass's. */
export type Pass = 'steady' | 'cold'

// A summary without cold figures was timed whole: its figures are the whole loop's either way.
function ratesOf (summary: EngineSummary, pass: Pass): Rates {
  return pass === 'steady' ? summary : summary.cold ?? summary
}

/** Rows with cold figures of their own: loops timed with a warm-up, not only whole. */
export function hasColdFigures (row: Row): boolean {
  return [...row.byEngine.values()].some((summary) => summary.cold !== undefined)
}

/**
 * One table per shape: ops/s and CPU µs/op per engine, and ai/classic ratios of both, steady or
 * cold (see Pass). A row from fewer than `reps` repetitions (results merged from runs with
 * different --reps) says so.
 */
export function formatThroughputTable (rows: readonly Row[], engineNames: readonly EngineName[], reps = 1, pass: Pass = 'steady'): string {
  const withRatio = showsRatio(engineNames)
  const header = ['workload', 'count', ...engineNames.map((name) => `${engines[name].packageName} ops/s`)]
  if (withRatio) header.push('ops/s ai/classic')
  header.push(...engineNames.map((name) => `${engines[name].packageName} CPU µs/op`))
  if (withRatio) header.push('CPU ai/classic')
  const body = rows.map((row) => {
    const rowReps = repsOf(row)
    const cells = [rowReps > 0 && rowReps < reps ? `${row.workload} (${rowReps} rep)` : row.workload, row.count.toLocaleString('en-US')]
    cells.push(...engineNames.map((name) => cell(row.byEngine.get(name), (summary) => formatRate(ratesOf(summary, pass).opsPerSecond))))
    if (withRatio) cells.push(formatRatio(ratio(row, (summary) => ratesOf(summary, pass).opsPerSecond)))
    cells.push(...engineNames.map((name) => cell(row.byEngine.get(name), (summary) => formatMicros(ratesOf(summary, pass).cpuMicrosPerOp))))
    if (withRatio) cells.push(formatRatio(ratio(row, (summary) => ratesOf(summary, pass).cpuMicrosPerOp)))
    return cells
  })
  return markdownTable(header, body)
}

/** Rows of the throughput tables grouped by shape, in first-seen order; with `pass` cold, only rows with cold figures. */
export function groupByShape (rows: readonly Row[], pass: Pass = 'steady'): Array<{ label: string, rows: Row[] }> {
  const groups = new Map<string, Row[]>()
  for (const row of rows.filter((candidate) => inThroughputTable(candidate) && (pass === 'steady' || hasColdFigures(candidate)))) {
    const label = shapeLabel(row.shape)
    groups.set(label, [...(groups.get(label) ?? []), row])
  }
  return [...groups].map(([label, grouped]) => ({ label, rows: grouped }))
}

function ms (value: number | undefined): string {
  return value === undefined ? '-' : value.toFixed(1)
}

function mib (bytes: number): string {
  return Number.isFinite(bytes) ? `${Math.round(bytes / MEGABYTE)} MB` : '-'
}

export function formatResourceTable (row: Row, engineNames: readonly EngineName[]): string {
  const title = `${row.workload} (${row.count.toLocaleString('en-US')} entries, ${row.shape.encoding})`
  const resources = engineNames.map((name) => {
    const summary = row.byEngine.get(name)
    const fill = summary?.fill
    if (summary === undefined || fill === undefined) return [engines[name].packageName, '-', '-', '-', '-', '-', '-', '-']
    const io = fill.io
    return [
      engines[name].packageName,
      `${(summary.elapsedMs / 1000).toFixed(1)} s`,
      // The whole fill's rate, like the elapsed time and the resources beside it.
      formatRate(ratesOf(summary, 'cold').opsPerSecond),
      mib(summary.peakRssBytes),
      mib(fill.peakRssBytes),
      io === undefined ? '-' : `${(io.writeBytes / MEGABYTE).toFixed(0)} MB (${(io.writeBytes / fill.userBytes).toFixed(2)}x)`,
      io === undefined ? '-' : `${(io.wchar / fill.userBytes).toFixed(2)}x`,
      `${mib(fill.dirBytesAfterClose)} (${(fill.dirBytesAfterClose / fill.userBytes).toFixed(2)}x)`
    ]
  })
  const responsiveness = engineNames.map((name) => {
    const fill = row.byEngine.get(name)?.fill
    if (fill === undefined) return [engines[name].packageName, '-', '-', '-', '-', '-', '-', '-', '-']
    const loop = fill.eventLoop
    const reads = fill.reads
    return [
      engines[name].packageName,
      ms(loop?.p50), ms(loop?.p99), ms(loop?.max),
      ms(fill.batchLatency?.p99), ms(fill.batchLatency?.max),
      reads === undefined ? '-' : formatRate(reads.perSecond),
      ms(reads?.latency?.p99), ms(reads?.latency?.max)
    ]
  })
  return [
    markdownTable([title, 'elapsed', 'ops/s', 'peak RSS (process)', 'peak RSS (fill)', 'written (write amp)', 'wchar amp', 'dir after close (space amp)'], resources),
    '',
    markdownTable([`${row.workload} responsiveness (ms)`, 'loop p50', 'loop p99', 'loop max', 'batch p99', 'batch max', 'reads/s', 'read p99', 'read max'], responsiveness)
  ].join('\n')
}

export const RESOURCE_NOTES = 'Figures of the repetition with the median fill rate; peak RSS (process) is the median over repetitions of the child\'s maximum resident set size over its whole life ' +
  '(for fill2m, the scan and reads after reopening included); peak RSS (fill) is sampled every 50 ms from open to close of the fill. ' +
  'Event-loop delay: perf_hooks.monitorEventLoopDelay({ resolution: 10 }) on the main thread during the fill; it includes the 10 ms interval, so an idle process shows about 10 ms. ' +
  'Reads: one db.get of an already written key at a time, 1 ms apart, while the fill runs. ' +
  'Write amplification: /proc/self/io write_bytes (wchar: bytes passed to write calls) over the bytes of keys and values written.'

export function formatPeakRssTable (row: Row, engineNames: readonly EngineName[]): string {
  const header = [`${row.workload} (${row.shape.encoding})`, ...engineNames.map((name) => engines[name].packageName)]
  const rows = [
    ['round trip', ...engineNames.map((name) => cell(row.byEngine.get(name), (summary) => `${(summary.elapsedMs / 1000).toFixed(2)} s`))],
    ['peak RSS', ...engineNames.map((name) => cell(row.byEngine.get(name), (summary) => mib(summary.peakRssBytes)))]
  ]
  if (showsRatio(engineNames)) {
    header.push('ai/classic')
    rows[0].push(formatRatio(ratio(row, (summary) => summary.elapsedMs)))
    rows[1].push(formatRatio(ratio(row, (summary) => summary.peakRssBytes)))
  }
  return markdownTable(header, rows)
}

export const STEADY_NOTE = 'Every measurement runs in a fresh child process, so a loop\'s first operations pay one-time costs (V8 compiling the hot code, ' +
  'ai-level\'s compaction worker starting, the first block reads). The tables per shape give the steady state a long-running process sees: ' +
  'each loop is timed from the end of its first half, the first half (operations of the same kind on the same database; for fills, the first half of the same fill) being its warm-up. ' +
  'The [first pass](#first-pass-cold) tables give the whole loop, warm-up included.'

export const WHOLE_LOOP_NOTE = 'Every figure covers a whole timed loop, first pass in a fresh process, warm-up included (results without a separate steady state).'

export const COLD_NOTE = 'The whole timed loop, first pass in a fresh process, warm-up included: what a short-lived process pays, and the figure earlier results published. ' +
  'results.json keeps each loop\'s CPU time and wall time per tenth of its operations.'

/** The whole results document: stamp, one table per shape, resource tables, then the further scripts' sections. */
export function formatResultsMarkdown (meta: RunMeta, rows: readonly Row[], engineNames: readonly EngineName[], extras: readonly ExtraSection[]): string {
  const parts = [
    '# Benchmark results',
    '',
    formatMeta(meta),
    '',
    'ops/s is wall-clock throughput; CPU µs/op is the child process\'s CPU time (user + system, all threads) per operation. ' +
      'Ratios are ai-level over classic-level: above 1x is better for ai-level in ops/s, below 1x is better in CPU. Chart: [results.svg](results.svg).'
  ]
  const coldGroups = groupByShape(rows, 'cold')
  parts.push('', coldGroups.length > 0 ? STEADY_NOTE : WHOLE_LOOP_NOTE)
  for (const group of groupByShape(rows)) {
    parts.push('', `## ${group.label}`, '', formatThroughputTable(group.rows, engineNames, meta.reps))
  }
  if (coldGroups.length > 0) {
    parts.push('', '## First pass (cold)', '', COLD_NOTE)
    for (const group of coldGroups) {
      parts.push('', `### ${group.label}, first pass`, '', formatThroughputTable(group.rows, engineNames, meta.reps, 'cold'))
    }
  }
  const resourceRows = rows.filter((row) => row.byEngine.size > 0 && [...row.byEngine.values()].some((summary) => summary.fill !== undefined))
  if (resourceRows.length > 0) {
    parts.push('', '## Resources of the 2-million-entry fills')
    for (const row of resourceRows) parts.push('', formatResourceTable(row, engineNames))
    parts.push('', RESOURCE_NOTES)
  }
  const bigValueRows = rows.filter((row) => !inThroughputTable(row))
  if (bigValueRows.length > 0) {
    parts.push('', '## 50 MB value round trip', '')
    parts.push(bigValueRows.map((row) => formatPeakRssTable(row, engineNames)).join('\n\n'))
    parts.push('', 'Peak RSS: the child process\'s maximum resident set size over its whole life (the 50 MB value itself included), median over repetitions.')
  }
  for (const extra of extras) parts.push('', `## ${extra.name}`, '', extra.markdown.trim())
  return parts.join('\n') + '\n'
}

function escapeXml (text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

// Chart geometry, in SVG user units.
const CHART_WIDTH = 640
const LABEL_WIDTH = 130
const BAR_HEIGHT = 14
const ROW_HEIGHT = 18
const HEADING_HEIGHT = 26
const TOP = 58
/** The axis runs from 1/LIMIT to LIMIT on a log scale; ratios beyond are drawn at the edge. */
const RATIO_LIMIT = 8

/** A horizontal bar per row: ai-level ops/s over classic-level's on a log scale, 1x in the middle. */
export function formatRatioSvg (meta: RunMeta, rows: readonly Row[]): string {
  const plotLeft = LABEL_WIDTH
  // The ratio's figure goes in a column of its own at the right, clear of bars at either edge.
  const plotWidth = CHART_WIDTH - LABEL_WIDTH - 70
  const center = plotLeft + plotWidth / 2
  const xOf = (value: number): number => {
    const clamped = Math.min(RATIO_LIMIT, Math.max(1 / RATIO_LIMIT, value))
    return center + (Math.log2(clamped) / Math.log2(RATIO_LIMIT)) * (plotWidth / 2)
  }
  const elements: string[] = []
  let y = TOP
  for (const group of groupByShape(rows)) {
    const charted = group.rows.filter((row) => ratio(row, (summary) => summary.opsPerSecond) !== undefined)
    if (charted.length === 0) continue
    elements.push(`<text x="8" y="${y + 16}" font-weight="bold">${escapeXml(group.label)}</text>`)
    y += HEADING_HEIGHT
    for (const row of charted) {
      const value = ratio(row, (summary) => summary.opsPerSecond) as number
      const x = xOf(value)
      const left = Math.min(x, center)
      const width = Math.max(1, Math.abs(x - center))
      const fill = value >= 1 ? '#2e7d32' : '#c62828'
      elements.push(`<text x="${plotLeft - 6}" y="${y + 11}" text-anchor="end">${escapeXml(row.workload)}</text>`)
      elements.push(`<rect x="${left.toFixed(1)}" y="${y}" width="${width.toFixed(1)}" height="${BAR_HEIGHT}" fill="${fill}"/>`)
      elements.push(`<text x="${CHART_WIDTH - 8}" y="${y + 11}" text-anchor="end">${value.toFixed(2)}x</text>`)
      y += ROW_HEIGHT
    }
  }
  const bottom = y + 24
  const ticks = [1 / 8, 1 / 4, 1 / 2, 1, 2, 4, 8].map((tick) => {
    const x = xOf(tick).toFixed(1)
    const label = tick < 1 ? `1/${1 / tick}x` : `${tick}x`
    return `<line x1="${x}" y1="${TOP - 4}" x2="${x}" y2="${y}" stroke="${tick === 1 ? '#000' : '#ddd'}"/>` +
      `<text x="${x}" y="${y + 14}" text-anchor="middle" fill="#555">${label}</text>`
  })
  const title = 'ai-level ops/s relative to classic-level, steady state (log scale; right of 1x: ai-level faster)'
  const stamp = `${meta.date.slice(0, 10)}, commit ${meta.commit}, ${meta.cpuModel} (${meta.cores} cores), Node ${meta.node}, medians of ${meta.reps}`
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${CHART_WIDTH}" height="${bottom}" viewBox="0 0 ${CHART_WIDTH} ${bottom}" font-family="sans-serif" font-size="11">`,
    `<rect width="${CHART_WIDTH}" height="${bottom}" fill="#fff"/>`,
    `<text x="8" y="18" font-size="13" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="8" y="36" fill="#555">${escapeXml(stamp)}</text>`,
    ...ticks,
    ...elements,
    '</svg>'
  ].join('\n') + '\n'
}

export function formatProgress (label: string, engine: EngineName, result: WorkerResult): string {
  if (!result.ok) return `${label} ${engines[engine].packageName}: FAILED\n${result.error}`
  const { measurement, peakRssBytes } = result
  const rate = opsPerSecond(measurement)
  const fill = measurement.fill
  const loop = fill === undefined ? '' : `, event loop p99 ${ms(fill.eventLoop?.p99)} ms max ${ms(fill.eventLoop?.max)} ms`
  const phases = (measurement.phases ?? []).map((phase) =>
    `; ${phase.name} ${formatRate(opsPerSecond(phase))} ops/s ${formatMicros(cpuMicrosPerOp(phase))} µs/op`).join('')
  const steady = measurement.steady === undefined ? '' : `steady ${formatRate(opsPerSecond(measurement.steady))} ops/s, CPU ${formatMicros(cpuMicrosPerOp(measurement.steady))} µs/op; first pass `
  return `${label} ${engines[engine].packageName}: ${steady}${formatRate(rate)} ops/s, CPU ${formatMicros(cpuMicrosPerOp(measurement))} µs/op` +
    ` (${(measurement.elapsedMs / 1000).toFixed(2)} s, peak RSS ${Math.round(peakRssBytes / MEGABYTE)} MB${loop})${phases}`
}
