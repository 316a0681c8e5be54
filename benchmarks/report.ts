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

function ms (value: number | undefined): string {
  return value === undefined ? '-' : value.toFixed(1)
}

function mib (bytes: number): string {
  return `${Math.round(bytes / MEGABYTE)} MB`
}

export function formatResourceTable (results: WorkloadResults, engineNames: readonly EngineName[]): string {
  const title = `${results.workload} (${results.count.toLocaleString('en-US')} entries)`
  const resources = engineNames.map((name) => {
    const result = results.byEngine.get(name)
    if (result === undefined || !result.ok) return [engines[name].packageName, '-', '-', '-', '-', '-', '-', '-']
    const fill = result.measurement.fill
    const io = fill?.io
    return [
      engines[name].packageName,
      `${(result.measurement.elapsedMs / 1000).toFixed(1)} s`,
      formatRate(result),
      mib(result.peakRssBytes),
      fill === undefined ? '-' : mib(fill.peakRssBytes),
      io === undefined || fill === undefined ? '-' : `${(io.writeBytes / MEGABYTE).toFixed(0)} MB (${(io.writeBytes / fill.userBytes).toFixed(2)}x)`,
      io === undefined || fill === undefined ? '-' : `${(io.wchar / fill.userBytes).toFixed(2)}x`,
      fill === undefined ? '-' : `${mib(fill.dirBytesAfterClose)} (${(fill.dirBytesAfterClose / fill.userBytes).toFixed(2)}x)`
    ]
  })
  const responsiveness = engineNames.map((name) => {
    const result = results.byEngine.get(name)
    const fill = result !== undefined && result.ok ? result.measurement.fill : undefined
    if (fill === undefined) return [engines[name].packageName, '-', '-', '-', '-', '-', '-', '-', '-']
    const loop = fill.eventLoop
    const reads = fill.reads
    return [
      engines[name].packageName,
      ms(loop?.p50), ms(loop?.p99), ms(loop?.max),
      ms(fill.batchLatency?.p99), ms(fill.batchLatency?.max),
      reads === undefined ? '-' : Math.round(reads.perSecond).toLocaleString('en-US'),
      ms(reads?.latency?.p99), ms(reads?.latency?.max)
    ]
  })
  return [
    table([title, 'elapsed', 'ops/s', 'peak RSS (process)', 'peak RSS (fill)', 'written (write amp)', 'wchar amp', 'dir after close (space amp)'], resources),
    '',
    table([`${results.workload} responsiveness (ms)`, 'loop p50', 'loop p99', 'loop max', 'batch p99', 'batch max', 'reads/s', 'read p99', 'read max'], responsiveness),
    '',
    'Event-loop delay: perf_hooks.monitorEventLoopDelay({ resolution: 10 }) on the main thread during the fill; it includes the 10 ms interval, so an idle process shows about 10 ms.',
    'Reads: one db.get of an already written key at a time, 1 ms apart, while the fill runs. Write amplification: /proc/self/io write_bytes (wchar: bytes passed to write calls) over the 116-byte entries written.'
  ].join('\n')
}

export function formatProgress (workload: string, engine: EngineName, result: WorkerResult): string {
  if (!result.ok) return `${workload} ${engines[engine].packageName}: FAILED\n${result.error}`
  const { measurement, peakRssBytes } = result
  const found = measurement.found === undefined ? '' : `, found ${measurement.found.toLocaleString('en-US')}`
  const fill = measurement.fill
  const loop = fill === undefined ? '' : `, event loop p99 ${ms(fill.eventLoop?.p99)} ms max ${ms(fill.eventLoop?.max)} ms`
  return `${workload} ${engines[engine].packageName}: ${formatRate(result)} ops/s` +
    ` (${(measurement.elapsedMs / 1000).toFixed(2)} s${found}, peak RSS ${Math.round(peakRssBytes / MEGABYTE)} MB${loop})`
}
