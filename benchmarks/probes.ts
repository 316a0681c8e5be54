// Resource probes for the fill2m workload: event-loop delay, bytes written, directory size.
import fs from 'node:fs'
import path from 'node:path'
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks'

/** Milliseconds. Includes the 10 ms sampling interval itself: an idle process shows about 10 ms. */
export interface DelaySummary {
  p50: number
  p99: number
  max: number
  mean: number
}

export interface IoCounters {
  /** Bytes this process caused to be sent to storage (all threads), from /proc/self/io write_bytes. */
  writeBytes: number
  /** Bytes passed to write(2) and friends, from /proc/self/io wchar. */
  wchar: number
}

export class EventLoopProbe {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 })

  start (): void {
    this.histogram.enable()
  }

  // Undefined when the loop never reached a timer during the measurement (it was blocked throughout).
  stop (): DelaySummary | undefined {
    this.histogram.disable()
    if (this.histogram.count === 0) return undefined
    const ms = (ns: number): number => ns / 1e6
    return {
      p50: ms(this.histogram.percentile(50)),
      p99: ms(this.histogram.percentile(99)),
      max: ms(this.histogram.max),
      mean: ms(this.histogram.mean)
    }
  }
}

/** Undefined where /proc is not available. */
export function readIoCounters (): IoCounters | undefined {
  let text: string
  try {
    text = fs.readFileSync('/proc/self/io', 'utf8')
  } catch {
    return undefined
  }
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s*(\\d+)`, 'm').exec(text)?.[1] ?? NaN)
  return { writeBytes: field('write_bytes'), wchar: field('wchar') }
}

export function ioDelta (before: IoCounters | undefined, after: IoCounters | undefined): IoCounters | undefined {
  if (before === undefined || after === undefined) return undefined
  return { writeBytes: after.writeBytes - before.writeBytes, wchar: after.wchar - before.wchar }
}

export function directorySize (location: string): number {
  let total = 0
  for (const entry of fs.readdirSync(location, { withFileTypes: true })) {
    const full = path.join(location, entry.name)
    total += entry.isDirectory() ? directorySize(full) : fs.statSync(full).size
  }
  return total
}

/** Latency samples in milliseconds. */
export class LatencyRecorder {
  private readonly samples: number[] = []

  record (ms: number): void {
    this.samples.push(ms)
  }

  get count (): number {
    return this.samples.length
  }

  summary (): DelaySummary | undefined {
    if (this.samples.length === 0) return undefined
    const sorted = [...this.samples].sort((a, b) => a - b)
    const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
    return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1], mean: sorted.reduce((a, b) => a + b, 0) / sorted.length }
  }
}

/** Samples resident set size every few milliseconds; process.resourceUsage().maxRSS covers the whole process life instead. */
export class RssSampler {
  private peak = 0
  private timer: NodeJS.Timeout | null = null

  start (intervalMs = 50): void {
    this.sample()
    this.timer = setInterval(() => this.sample(), intervalMs)
    this.timer.unref()
  }

  private sample (): void {
    this.peak = Math.max(this.peak, process.memoryUsage.rss())
  }

  stop (): number {
    if (this.timer !== null) clearInterval(this.timer)
    this.timer = null
    this.sample()
    return this.peak
  }
}
