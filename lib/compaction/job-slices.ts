// Flush and compaction jobs are written as generators that yield at points where they can pause
// (every few hundred entries). A worker thread runs a job to the end in one go (runToEnd); the
// inline runner, which shares its thread with reads and writes, runs it a time slice at a time
// and lets the event loop run between slices (runInSlices), so a job never holds the thread for
// much longer than JOB_SLICE_MS.

// A job's steps: each yield is a place it may pause; the return value is its result.
export type JobSteps<T> = Generator<void, T, void>

// How long an inline job runs before it lets other tasks have the thread.
export const JOB_SLICE_MS = 4

// How many entries a job handles between yields: often enough to keep slices near
// JOB_SLICE_MS, rarely enough to cost nothing.
export const ENTRIES_PER_STEP = 256

export function runToEnd<T> (steps: JobSteps<T>): T {
  let step = steps.next()
  while (step.done !== true) step = steps.next()
  return step.value
}

// Before each step, waits for as long as `ready` gives a promise (see Env.whenReadyToCreate).
export async function runInSlices<T> (steps: JobSteps<T>, nextTurn: () => Promise<void>, ready?: () => Promise<void> | undefined): Promise<T> {
  let sliceStarted = performance.now()
  let step: IteratorResult<void, T> | undefined
  while (step?.done !== true) {
    let waiting = ready?.()
    if (waiting !== undefined) {
      for (; waiting !== undefined; waiting = ready?.()) await waiting
      sliceStarted = performance.now()
    } else if (performance.now() - sliceStarted >= JOB_SLICE_MS) {
      await nextTurn()
      sliceStarted = performance.now()
    }
    step = steps.next()
  }
  return step.value
}
