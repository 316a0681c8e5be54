// Progress of long commands on stderr: a bar with rate and ETA on a terminal (cli-progress), plain
// lines every few seconds otherwise, so logs of scripted runs stay readable.
import { SingleBar } from 'cli-progress'

const PLAIN_EVERY_MS = 5000

export interface Progress {
  // Sets how far along the work is, in the unit given to startProgress, and the total if it is
  // known only now or has changed.
  update (done: number, total?: number): void
  stop (): void
}

export function startProgress (label: string, unit: string, total: number | null, stream: NodeJS.WriteStream = process.stderr): Progress {
  return stream.isTTY ? new BarProgress(label, unit, total, stream) : new PlainProgress(label, unit, total, stream)
}

class BarProgress implements Progress {
  readonly #bar: SingleBar
  readonly #started = Date.now()

  constructor (label: string, unit: string, total: number | null, stream: NodeJS.WriteStream) {
    // Without a total (input from a pipe, say) the bar shows the count and rate only.
    const format = total === null
      ? `${label} {value} ${unit} | {rate} ${unit}/s | {duration_formatted}`
      : `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {rate} ${unit}/s | ETA {eta_formatted}`
    this.#bar = new SingleBar({ format, stream, hideCursor: true, etaBuffer: 50, fps: 5 })
    this.#bar.start(total ?? 0, 0, { rate: '0' })
  }

  update (done: number, total?: number): void {
    if (total !== undefined) this.#bar.setTotal(total)
    this.#bar.update(done, { rate: formatRate(done, this.#started) })
  }

  stop (): void {
    this.#bar.stop()
  }
}

class PlainProgress implements Progress {
  readonly #started = Date.now()
  #lastLine = Date.now()
  #done = 0

  constructor (private readonly label: string, private readonly unit: string, private total: number | null, private readonly stream: NodeJS.WriteStream) {}

  update (done: number, total?: number): void {
    this.#done = done
    if (total !== undefined) this.total = total
    const now = Date.now()
    if (now - this.#lastLine < PLAIN_EVERY_MS) return
    this.#lastLine = now
    this.#write()
  }

  stop (): void {
    this.#write()
  }

  #write (): void {
    const of = this.total === null ? '' : ` of ${this.total} (${Math.floor(100 * this.#done / Math.max(1, this.total))}%)`
    this.stream.write(`${this.label}: ${this.#done}${of} ${this.unit}, ${formatRate(this.#done, this.#started)} ${this.unit}/s\n`)
  }
}

function formatRate (done: number, started: number): string {
  const seconds = Math.max(0.001, (Date.now() - started) / 1000)
  return Math.round(done / seconds).toLocaleString('en-US')
}
