// Jobs as steps: run to the end in one go (worker thread), or in time slices with the event loop
// served between them (inline runner), with the same result either way.
import test from 'tape'
import { JOB_SLICE_MS, runInSlices, runToEnd, type JobSteps } from '../../lib/compaction/job-slices'

function busyFor (ms: number): void {
  const end = performance.now() + ms
  while (performance.now() < end) { /* a step's work */ }
}

function * countingSteps (steps: number, msPerStep: number, log: string[]): JobSteps<number> {
  let sum = 0
  for (let i = 0; i < steps; i++) {
    busyFor(msPerStep)
    sum += i
    log.push(`step ${i}`)
    yield
  }
  return sum
}

const nextTurn = (): Promise<void> => new Promise(resolve => setImmediate(resolve))

test('runToEnd and runInSlices give the same result', async (t) => {
  t.is(runToEnd(countingSteps(20, 0, [])), 190, 'run to the end')
  t.is(await runInSlices(countingSteps(20, 0, []), nextTurn), 190, 'run in slices')
})

test('runInSlices lets other tasks run between slices, and none of the job runs after it settles', async (t) => {
  const log: string[] = []
  const steps = 12 * JOB_SLICE_MS
  setImmediate(() => log.push('other task'))
  const job = runInSlices(countingSteps(steps, 1, log), nextTurn)
  log.push('job handed over')
  await job
  const other = log.indexOf('other task')
  t.ok(other > 0 && other < log.length - 1, `a task queued before the job ran in the middle of it (at ${other} of ${log.length})`)
  t.is(log.filter(entry => entry.startsWith('step')).length, steps, 'every step ran once')
  t.ok(log.indexOf('job handed over') < other, 'the first slice ran before the caller went on, the rest after it')
})

test('runInSlices waits for ready() before a step while it gives a promise', async (t) => {
  const log: string[] = []
  let waits = 0
  const ready = (): Promise<void> | undefined => {
    if (waits >= 3) return undefined
    waits++
    log.push(`wait ${waits}`)
    return new Promise(resolve => setTimeout(resolve, 1))
  }
  t.is(await runInSlices(countingSteps(2, 0, log), nextTurn, ready), 1, 'result')
  t.deepEqual(log, ['wait 1', 'wait 2', 'wait 3', 'step 0', 'step 1'], 'no step ran until ready() gave undefined')
})
