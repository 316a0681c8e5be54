// Formats benchmark results as Markdown tables, readable in a terminal and pasteable into the README.
import { EngineName, engines } from './engines'
import type { WorkerResult } from './worker'

export interface WorkloadResults {
  workload: string
  count: number
  byEngine: Map<EngineName, WorkerResult>
}

const MEGABYTE = 1024 * 1024

function opsPerSecond (result: WorkerResult | undefined): number | undefined {
  if (result === undefined || !result.ok) return undefined
  return result.measurement.operations / (result.measurement.elapsedMs / 1000)
}

function formatRate (result: WorkerResult | undefined): string {
  if (result === undefined) return '-'
  if (!result.ok) return 'failed'
  return Math.round(opsPerSecond(result) ?? 0).toLocaleString('en-US')
}

function formatRatio (numerator: number | undefined, denominator: number | undefined): string {
  if (numerator === undefined || denominator === undefined || denominator === 0) return '-'
  return `${(numerator / denominator).toFixed(2)}x`
}

function table (header: string[], rows: string[][]): string {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column].length)))
  const line = (cells: string[]): string =>
    '| ' + cells.map((cell, column) => column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column])).join(' | ') + ' |'
  const rule = '|' + widths.map((width, column) => column === 0 ? '-'.repeat(width + 2) : '-'.repeat(width + 1) + ':').join('|') + '|'
  return [line(header), rule, ...rows.map(line)].join('\n')
}

export function formatThroughputTable (results: WorkloadResults[], engineNames: readonly EngineName[]): string {
  const showRatio = engineNames.includes('ai') && engineNames.includes('classic')
  const header = ['workload', 'count', ...engineNames.map((name) => `${engines[name].packageName} ops/s`)]
  if (showRatio) header.push('ai/classic')
  const rows = results.map(({ workload, count, byEngine }) => {
    const row = [workload, count.toLocaleString('en-US'), ...engineNames.map((name) => formatRate(byEngine.get(name)))]
    if (showRatio) row.push(formatRatio(opsPerSecond(byEngine.get('ai')), opsPerSecond(byEngine.get('classic'))))
    return row
  })
  return table(header, rows)
}

export function formatResourceTable (results: WorkloadResults, engineNames: readonly EngineName[]): string {
  const rows = engineNames.map((name) => {
    const result = results.byEngine.get(name)
    if (result === undefined || !result.ok) return [engines[name].packageName, '-', '-', '-']
    return [
      engines[name].packageName,
      `${(result.measurement.elapsedMs / 1000).toFixed(1)} s`,
      formatRate(result),
      `${Math.round(result.peakRssBytes / MEGABYTE)} MB`
    ]
  })
  return table([`${results.workload} (${results.count.toLocaleString('en-US')} entries)`, 'elapsed', 'ops/s', 'peak RSS'], rows)
}

export function formatProgress (workload: string, engine: EngineName, result: WorkerResult): string {
  if (!result.ok) return `${workload} ${engines[engine].packageName}: FAILED\n${result.error}`
  const { measurement, peakRssBytes } = result
  const found = measurement.found === undefined ? '' : `, found ${measurement.found.toLocaleString('en-US')}`
  return `${workload} ${engines[engine].packageName}: ${formatRate(result)} ops/s` +
    ` (${(measurement.elapsedMs / 1000).toFixed(2)} s${found}, peak RSS ${Math.round(peakRssBytes / MEGABYTE)} MB)`
}
