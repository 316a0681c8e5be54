import tape from 'tape'
import { timed } from '../../benchmarks/workloads'

tape('timed marks each tenth of a loop and times its second half as the steady part', async (t) => {
  const timing = await timed(1000, async (progress) => {
    for (let i = 0; i < 1000; i++) progress(i + 1)
    return 1000
  })
  t.is(timing.operations, 1000, 'the whole loop is the first-pass figure')
  t.is(timing.found, 1000)
  t.same(timing.slices?.map((slice) => slice.operations), [100, 100, 100, 100, 100, 100, 100, 100, 100, 100])
  t.is(timing.steady?.operations, 500, 'steady: from the end of the first half on')
  const slices = timing.slices ?? []
  const sum = (from: number): number => slices.slice(from).reduce((total, slice) => total + slice.cpuMicros, 0)
  t.is(sum(0), timing.cpuMicros, 'the slices add up to the whole loop')
  t.is(sum(5), timing.steady?.cpuMicros, 'and their second half to the steady part')
  t.end()
})

tape('timed follows progress reported in steps, and times a loop without progress whole', async (t) => {
  const batched = await timed(2500, async (progress) => {
    for (let done = 1000; done <= 2500; done += 1000) progress(done)
    progress(2500)
  })
  t.same(batched.slices?.map((slice) => slice.operations), [1000, 1000, 500], 'steps coarser than a tenth give fewer slices')
  t.is(batched.steady?.operations, 500, 'steady from the first step at or past half of the loop: 2000 of 2500')
  t.is(batched.found, undefined)

  const whole = await timed(10, async () => {})
  t.is(whole.operations, 10)
  t.is(whole.steady, undefined, 'no progress: timed whole only')
  t.is(whole.slices, undefined)
  t.end()
})
