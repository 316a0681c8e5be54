import tape from 'tape'
import { formatMicros, formatRatioSvg, formatResultsMarkdown, formatThroughputTable, markdownTable, RunMeta } from '../../benchmarks/report'
import { Row, Sample, summarizeSamples } from '../../benchmarks/summary'

const meta: RunMeta = {
  date: '2026-01-02T03:04:05Z',
  commit: 'abc1234',
  cpuModel: 'Test CPU <x>',
  cores: 2,
  memoryGiB: 24,
  os: 'Linux 6',
  node: 'v20.0.0',
  packages: { 'classic-level': '3.0.0' },
  reps: 3,
  scale: 1,
  seed: 42
}

function rows (): Row[] {
  const samples: Sample[] = []
  const add = (workload: string, encoding: 'utf8' | 'buffer', engine: 'ai' | 'classic', elapsedMs: number, cpuMicros: number): void => {
    samples.push({ workload, shape: { encoding, valueSize: 100 }, count: 1000, engine, rep: 0, result: { ok: true, measurement: { operations: 1000, elapsedMs, cpuMicros }, peakRssBytes: 1 } })
  }
  add('fillseq', 'utf8', 'ai', 100, 5000) // 10,000 ops/s, 5 µs/op
  add('fillseq', 'utf8', 'classic', 50, 2500) // 20,000 ops/s, 2.5 µs/op
  add('readrandom', 'utf8', 'ai', 25, 1000) // 40,000 ops/s
  add('readrandom', 'utf8', 'classic', 100, 4000) // 10,000 ops/s
  add('fillseq', 'buffer', 'ai', 100, 1000)
  add('fillseq', 'buffer', 'classic', 100, 1000)
  add('bigvalue', 'utf8', 'ai', 2000, 1000)
  add('bigvalue', 'utf8', 'classic', 1000, 1000)
  return summarizeSamples(samples)
}

tape('markdownTable pads columns and right-aligns all but the first', (t) => {
  t.is(markdownTable(['a', 'bb'], [['xyz', '1']]), '| a   | bb |\n|-----|---:|\n| xyz |  1 |')
  t.end()
})

tape('formatMicros keeps about three significant digits', (t) => {
  t.is(formatMicros(3.14159), '3.14')
  t.is(formatMicros(31.4159), '31.4')
  t.is(formatMicros(3141.59), '3,142')
  t.is(formatMicros(NaN), '-')
  t.end()
})

tape('the throughput table shows ops/s, CPU per op and both ratios', (t) => {
  const table = formatThroughputTable(rows().filter((row) => row.shape.encoding === 'utf8' && row.workload !== 'bigvalue'), ['classic', 'ai'])
  const lines = table.split('\n')
  t.same(lines[0].split('|').map((cell) => cell.trim()).filter((cell) => cell !== ''),
    ['workload', 'count', 'classic-level ops/s', 'ai-level ops/s', 'ops/s ai/classic', 'classic-level CPU µs/op', 'ai-level CPU µs/op', 'CPU ai/classic'])
  t.same(lines[2].split('|').map((cell) => cell.trim()).filter((cell) => cell !== ''),
    ['fillseq', '1,000', '20,000', '10,000', '0.50x', '2.50', '5.00', '2.00x'])
  t.same(lines[3].split('|').map((cell) => cell.trim()).filter((cell) => cell !== ''),
    ['readrandom', '1,000', '10,000', '40,000', '4.00x', '4.00', '1.00', '0.25x'])
  t.notOk(formatThroughputTable(rows(), ['ai']).includes('ai/classic'), 'no ratio without classic-level')
  t.ok(formatThroughputTable(rows(), ['classic', 'ai'], 3).includes('| fillseq (1 rep) '), 'rows from fewer repetitions than the run say so')
  t.notOk(formatThroughputTable(rows(), ['classic', 'ai'], 1).includes('rep)'))
  t.end()
})

tape('the results document is stamped and has one table per shape plus the round-trip table', (t) => {
  const markdown = formatResultsMarkdown(meta, rows(), ['classic', 'ai'], [{ name: 'Snappy codec', markdown: '| codec |\n|---|\n' }])
  t.ok(markdown.includes('2026-01-02T03:04:05Z, commit abc1234; Test CPU <x> (2 cores)'), 'date, commit and machine')
  t.ok(markdown.includes('Node v20.0.0; classic-level 3.0.0. 3 repetitions in rotated engine order, medians'))
  t.ok(markdown.includes('## utf8, 100-byte values'))
  t.ok(markdown.includes('## buffer, 100-byte values'))
  t.ok(markdown.includes('## 50 MB value round trip'))
  t.notOk(/\| bigvalue +\| +1,000/.test(markdown), 'the round trip is not in the ops/s tables')
  t.ok(markdown.includes('## Snappy codec\n\n| codec |'), 'extra sections follow')
  t.ok(markdown.includes('Every figure covers a whole timed loop'), 'results without steady figures say their figures are whole loops')
  t.notOk(markdown.includes('## First pass (cold)'))
  t.end()
})

tape('first-pass (cold) figures get tables of their own, for the rows timed with a warm-up', (t) => {
  const samples: Sample[] = [
    ...(['ai', 'classic'] as const).map((engine): Sample => ({
      workload: 'scan',
      shape: { encoding: 'utf8', valueSize: 100 },
      count: 1000,
      engine,
      rep: 0,
      result: { ok: true, measurement: { operations: 1000, elapsedMs: 100, cpuMicros: engine === 'ai' ? 8000 : 4000, steady: { operations: 500, elapsedMs: 25, cpuMicros: 1000 } }, peakRssBytes: 1 }
    })),
    { workload: 'fillseq', shape: { encoding: 'utf8', valueSize: 100 }, count: 1000, engine: 'ai', rep: 0, result: { ok: true, measurement: { operations: 1000, elapsedMs: 10, cpuMicros: 1000 }, peakRssBytes: 1 } }
  ]
  const summarized = summarizeSamples(samples)
  const cell = (table: string, line: number): string[] => table.split('\n')[line].split('|').map((text) => text.trim()).filter((text) => text !== '')
  t.same(cell(formatThroughputTable(summarized, ['ai', 'classic']), 2), ['scan', '1,000', '20,000', '20,000', '1.00x', '2.00', '2.00', '1.00x'], 'steady figures by default')
  t.same(cell(formatThroughputTable(summarized, ['ai', 'classic'], 1, 'cold'), 2), ['scan', '1,000', '10,000', '10,000', '1.00x', '8.00', '4.00', '2.00x'], 'the whole loop with pass cold')
  const markdown = formatResultsMarkdown(meta, summarized, ['ai', 'classic'], [])
  t.ok(markdown.includes('## First pass (cold)'))
  t.ok(markdown.includes('The tables per shape give the steady state'))
  const cold = markdown.slice(markdown.indexOf('### utf8, 100-byte values, first pass'))
  t.ok(cold.includes('| scan '), 'the scan, timed with a warm-up, has a cold row')
  t.notOk(cold.includes('| fillseq '), 'a loop timed whole has none')
  t.end()
})

tape('the SVG chart draws one bar per ratio, right of 1x when ai-level is faster', (t) => {
  const svg = formatRatioSvg(meta, rows())
  t.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'))
  t.ok(svg.trim().endsWith('</svg>'))
  t.ok(svg.includes('Test CPU &lt;x&gt;'), 'text is escaped')
  t.ok(svg.includes('commit abc1234'))
  const bars = [...svg.matchAll(/<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)" height="14" fill="(#[0-9a-f]+)"\/>/g)]
  t.is(bars.length, 3, 'fillseq and readrandom in utf8, fillseq in buffer; no bar for the round trip')
  const center = Number(/<line x1="([\d.]+)"[^>]*stroke="#000"/.exec(svg)?.[1])
  const [slower, faster, even] = bars.map((bar) => ({ x: Number(bar[1]), width: Number(bar[2]), fill: bar[3] }))
  t.ok(Math.abs(slower.x + slower.width - center) < 0.2 && slower.fill === '#c62828', '0.50x ends at 1x, red')
  t.ok(Math.abs(faster.x - center) < 0.2 && faster.fill === '#2e7d32', '4.00x starts at 1x, green')
  t.ok(Math.abs(faster.width - 2 * slower.width) < 0.2, 'log scale: 4x is twice as long as 1/2x')
  t.ok(even.width <= 1, '1.00x has no length')
  t.ok(svg.includes('>0.50x<') && svg.includes('>4.00x<'))
  t.end()
})
