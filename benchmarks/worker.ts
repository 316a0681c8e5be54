// Runs one workload against one engine in a child process, so peak RSS, heap and JIT state are not shared between runs.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Shape } from './data'
import { EngineName, engines } from './engines'
import { findWorkload, Measurement } from './workloads'

export interface WorkerRequest {
  workload: string
  engine: EngineName
  shape: Shape
  count: number
  dbSize: number
  seed: number
}

export type WorkerResult =
  | { ok: true, measurement: Measurement, peakRssBytes: number }
  | { ok: false, error: string }

async function runRequest (request: WorkerRequest): Promise<WorkerResult> {
  const workload = findWorkload(request.workload)
  if (workload === undefined) return { ok: false, error: `Unknown workload ${request.workload}` }
  const location = fs.mkdtempSync(path.join(os.tmpdir(), `ai-level-bench-${request.engine}-`))
  try {
    const measurement = await workload.run({
      engine: engines[request.engine],
      location,
      shape: request.shape,
      count: request.count,
      dbSize: request.dbSize,
      seed: request.seed
    })
    // Every read workload targets existing keys, so a shortfall means the engine lost data: a fast wrong answer is no result.
    for (const timing of [measurement, ...(measurement.phases ?? [])]) {
      if (timing.found !== undefined && timing.found !== timing.operations) {
        return { ok: false, error: `expected ${timing.operations} entries to be found, got ${timing.found}` }
      }
    }
    const reads = measurement.fill?.reads
    if (reads !== undefined && reads.found !== reads.count) {
      return { ok: false, error: `reads during the fill: expected ${reads.count} entries to be found, got ${reads.found}` }
    }
    // maxRSS is in kilobytes and covers this process's whole life, including any preparation.
    return { ok: true, measurement, peakRssBytes: process.resourceUsage().maxRSS * 1024 }
  } finally {
    fs.rmSync(location, { recursive: true, force: true })
  }
}

async function main (): Promise<void> {
  const request = JSON.parse(process.argv[2]) as WorkerRequest
  let result: WorkerResult
  try {
    result = await runRequest(request)
  } catch (error) {
    result = { ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }
  }
  if (process.send !== undefined) {
    process.send(result, () => process.exit(0))
  } else {
    console.log(JSON.stringify(result))
  }
}

if (require.main === module) void main()
