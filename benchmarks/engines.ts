// The databases under comparison, each opened with buffer keys and values and default tuning.
import { ClassicLevel } from 'classic-level'
import { MemoryLevel } from 'memory-level'
import { AiLevel } from '../index'

/** What the workloads use, written structurally because abstract-level's class types are invariant in the database type. */
export interface BenchDb {
  open (): Promise<void>
  close (): Promise<void>
  put (key: Buffer, value: Buffer): Promise<void>
  get (key: Buffer): Promise<Buffer | undefined>
  batch (operations: Array<{ type: 'put', key: Buffer, value: Buffer }>): Promise<void>
  iterator (): {
    next (): Promise<[Buffer, Buffer] | undefined>
    nextv (size: number): Promise<Array<[Buffer, Buffer]>>
    seek (target: Buffer): void
    close (): Promise<void>
  }
}

export const ENGINE_NAMES = ['classic', 'memory', 'ai'] as const
export type EngineName = typeof ENGINE_NAMES[number]

export interface Engine {
  name: EngineName
  packageName: string
  /** Whether closing and reopening keeps the data (memory-level does not). */
  persistent: boolean
  create (location: string): BenchDb
}

const encodings = { keyEncoding: 'buffer', valueEncoding: 'buffer' } as const

export const engines: Record<EngineName, Engine> = {
  classic: {
    name: 'classic',
    packageName: 'classic-level',
    persistent: true,
    create: (location) => new ClassicLevel<Buffer, Buffer>(location, encodings)
  },
  memory: {
    name: 'memory',
    packageName: 'memory-level',
    persistent: false,
    create: () => new MemoryLevel<Buffer, Buffer>(encodings)
  },
  ai: {
    name: 'ai',
    packageName: 'ai-level',
    persistent: true,
    create: (location) => new AiLevel<Buffer, Buffer>(location, { ...encodings, ...aiOptionsFromEnv() })
  }
}

// BENCH_AI_OPTIONS='{"backgroundWorker":false}' tries other open options on ai-level.
function aiOptionsFromEnv (): Record<string, unknown> {
  const raw = process.env.BENCH_AI_OPTIONS
  return raw === undefined || raw === '' ? {} : JSON.parse(raw) as Record<string, unknown>
}

export function isEngineName (name: string): name is EngineName {
  return (ENGINE_NAMES as readonly string[]).includes(name)
}
