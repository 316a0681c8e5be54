// The databases under comparison, each opened with the run's encodings and default tuning.
import { ClassicLevel } from 'classic-level'
import { MemoryLevel } from 'memory-level'
import { AiLevel } from '../index'
import type { Datum, Encoding } from './data'

export interface BenchIterator {
  next (): Promise<[Datum, Datum] | undefined>
  nextv (size: number): Promise<Array<[Datum, Datum]>>
  seek (target: Datum): void
  close (): Promise<void>
  [Symbol.asyncIterator] (): AsyncIterator<[Datum, Datum]>
}

/** What the workloads use, written structurally because abstract-level's class types are invariant in the database type. */
export interface BenchDb {
  open (): Promise<void>
  close (): Promise<void>
  put (key: Datum, value: Datum, options?: { sync?: boolean }): Promise<void>
  get (key: Datum): Promise<Datum | undefined>
  getSync (key: Datum): Datum | undefined
  getMany (keys: Datum[]): Promise<Array<Datum | undefined>>
  batch (operations: Array<{ type: 'put', key: Datum, value: Datum }>): Promise<void>
  iterator (options?: { reverse?: boolean }): BenchIterator
}

export const ENGINE_NAMES = ['classic', 'memory', 'ai'] as const
export type EngineName = typeof ENGINE_NAMES[number]
/** Engines run when --engines is not given: the two persistent ones, whose ratio is the point. */
export const DEFAULT_ENGINES: readonly EngineName[] = ['ai', 'classic']

export interface Engine {
  name: EngineName
  packageName: string
  /** Whether closing and reopening keeps the data (memory-level does not). */
  persistent: boolean
  create (location: string, encoding: Encoding): BenchDb
}

function encodings (encoding: Encoding): { keyEncoding: Encoding, valueEncoding: Encoding } {
  return { keyEncoding: encoding, valueEncoding: encoding }
}

export const engines: Record<EngineName, Engine> = {
  classic: {
    name: 'classic',
    packageName: 'classic-level',
    persistent: true,
    create: (location, encoding) => new ClassicLevel<Datum, Datum>(location, encodings(encoding))
  },
  memory: {
    name: 'memory',
    packageName: 'memory-level',
    persistent: false,
    create: (_location, encoding) => new MemoryLevel<Datum, Datum>(encodings(encoding))
  },
  ai: {
    name: 'ai',
    packageName: 'ai-level',
    persistent: true,
    create: (location, encoding) => new AiLevel<Datum, Datum>(location, { ...encodings(encoding), ...aiOptionsFromEnv() })
  }
}

// BENCH_AI_OPTIONS='{"backgroundWorker":false}' tries other open options on ai-level.
function aiOptionsFromEnv (): Record<string, unknown> {
  const raw = process.env.BENCH_AI_OPTIONS
  return raw === undefined || raw === '' ? {} : JSON.parse(raw) as Record<string, unknown>
}
