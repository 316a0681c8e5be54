import tape from 'tape'
import { median, ratio, rotate, Sample, summarizeSamples } from '../../benchmarks/summary'
import type { Measurement } from '../../benchmarks/workloads'

const shape = { encoding: 'utf8' as const, valueSize: 100 }

function sample (engine: 'ai' | 'classic', rep: number, measurement: Measurement, workload = 'readrandom'): Sample {
  return { workload, shape, count: measurement.operations, engine, rep, result: { ok: true, measurement, peakRssBytes: 100 + rep } }
}

tape('rotate turns the list left by the repetition number', (t) => {
  t.same(rotate(['ai', 'classic', 'memory'], 0), ['ai', 'classic', 'memory'])
  t.same(rotate(['ai', 'classic', 'memory'], 1), ['classic', 'memory', 'ai'])
  t.same(rotate(['ai', 'classic', 'memory'], 2), ['memory', 'ai', 'classic'])
  t.same(rotate(['ai', 'classic', 'memory'], 3), ['ai', 'classic', 'memory'], 'wraps around')
  t.same(rotate(['ai', 'classic'], -1), ['classic', 'ai'], 'negative shifts turn right')
  t.same(rotate([], 5), [])
  t.end()
})

tape('median of odd and even counts', (t) => {
  t.is(median([3, 1, 2]), 2)
  t.is(median([4, 1, 3, 2]), 2.5)
  t.is(median([7]), 7)
  t.throws(() => median([]), RangeError)
  t.end()
})

tape('summarizeSamples takes medians of ops/s and CPU per op per engine', (t) => {
  const samples = [
    // ai: 1000 ops in 100, 50 and 200 ms -> 10K, 20K, 5K ops/s; CPU 2, 4, 3 µs/op.
    sample('ai', 0, { operations: 1000, elapsedMs: 100, cpuMicros: 2000, found: 1000 }),
    sample('ai', 1, { operations: 1000, elapsedMs: 50, cpuMicros: 4000, found: 1000 }),
    sample('ai', 2, { operations: 1000, elapsedMs: 200, cpuMicros: 3000, found: 1000 }),
    sample('classic', 0, { operations: 1000, elapsedMs: 250, cpuMicros: 6000 }),
    sample('classic', 1, { operations: 1000, elapsedMs: 200, cpuMicros: 6000 })
  ]
  const rows = summarizeSamples(samples)
  t.is(rows.length, 1)
  const ai = rows[0].byEngine.get('ai')
  const classic = rows[0].byEngine.get('classic')
  t.is(ai?.opsPerSecond, 10_000)
  t.is(ai?.cpuMicrosPerOp, 3)
  t.is(ai?.reps, 3)
  t.is(ai?.peakRssBytes, 101)
  t.is(classic?.opsPerSecond, 4500, 'even count: mean of the middle two (4000 and 5000)')
  t.is(classic?.cpuMicrosPerOp, 6)
  t.is(ratio(rows[0], (summary) => summary.opsPerSecond), 10_000 / 4500)
  t.is(ratio(rows[0], (summary) => summary.cpuMicrosPerOp), 0.5)
  t.end()
})

tape('summarizeSamples gives each phase a row of its own, right after its workload', (t) => {
  const fill2m = (engine: 'ai' | 'classic'): Sample => sample(engine, 0, {
    operations: 2000,
    elapsedMs: 1000,
    cpuMicros: 4000,
    phases: [
      { name: 'scan', operations: 1990, elapsedMs: 10, cpuMicros: 199 },
      { name: 'get', operations: 100, elapsedMs: 10, cpuMicros: 500, found: 100 }
    ]
  }, 'fill2m')
  const rows = summarizeSamples([fill2m('ai'), fill2m('classic'), sample('ai', 0, { operations: 10, elapsedMs: 1, cpuMicros: 1 }, 'bigvalue')])
  t.same(rows.map((row) => row.workload), ['fill2m', 'fill2m.scan', 'fill2m.get', 'bigvalue'])
  t.same(rows.map((row) => row.count), [2000, 1990, 100, 10], 'a phase counts its own operations')
  t.is(rows[1].byEngine.get('ai')?.opsPerSecond, 199_000)
  t.is(rows[2].byEngine.get('classic')?.cpuMicrosPerOp, 5)
  t.end()
})

tape('summarizeSamples keeps failures visible and the fill report of the median repetition', (t) => {
  const fillReport = (peakRssBytes: number): NonNullable<Measurement['fill']> => ({
    userBytes: 1, eventLoop: undefined, batchLatency: undefined, reads: undefined, io: undefined, dirBytesAfterClose: 1, peakRssBytes
  })
  const samples: Sample[] = [
    sample('ai', 0, { operations: 100, elapsedMs: 10, cpuMicros: 100, fill: fillReport(1) }, 'fill2m'),
    sample('ai', 1, { operations: 100, elapsedMs: 20, cpuMicros: 100, fill: fillReport(2) }, 'fill2m'),
    sample('ai', 2, { operations: 100, elapsedMs: 40, cpuMicros: 100, fill: fillReport(3) }, 'fill2m'),
    { workload: 'fill2m', shape, count: 100, engine: 'classic', rep: 0, result: { ok: false, error: 'boom' } }
  ]
  const [row] = summarizeSamples(samples)
  t.is(row.byEngine.get('ai')?.fill?.peakRssBytes, 2, 'the repetition at the median rate (5,000 ops/s)')
  const classic = row.byEngine.get('classic')
  t.is(classic?.reps, 0)
  t.is(classic?.error, 'boom')
  t.is(ratio(row, (summary) => summary.opsPerSecond), undefined, 'no ratio against a failed engine')
  t.end()
})

tape('summarizeSamples takes the steady part for the headline and keeps the whole loop as the cold figures', (t) => {
  const warmedUp = (engine: 'ai' | 'classic', cpuMicros: number, steadyCpuMicros: number): Sample => sample(engine, 0, {
    operations: 1000,
    elapsedMs: 100,
    cpuMicros,
    steady: { operations: 500, elapsedMs: 25, cpuMicros: steadyCpuMicros }
  })
  const [row] = summarizeSamples([warmedUp('ai', 6000, 1000), warmedUp('classic', 3000, 1000)])
  const ai = row.byEngine.get('ai')
  t.is(ai?.cpuMicrosPerOp, 2, 'steady: 1000 µs over 500 ops')
  t.is(ai?.opsPerSecond, 20_000)
  t.same(ai?.cold, { opsPerSecond: 10_000, cpuMicrosPerOp: 6 }, 'cold: the whole loop')
  t.is(ai?.elapsedMs, 100, 'elapsed time stays the whole loop\'s')
  t.is(ratio(row, (summary) => summary.cpuMicrosPerOp), 1)
  t.is(ratio(row, (summary) => summary.cold?.cpuMicrosPerOp ?? NaN), 2)
  const [timedWhole] = summarizeSamples([sample('ai', 0, { operations: 10, elapsedMs: 1, cpuMicros: 30 })])
  t.is(timedWhole.byEngine.get('ai')?.cold, undefined, 'a loop timed whole has no separate cold figures')
  t.end()
})
