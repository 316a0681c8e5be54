// A small seeded PRNG so randomised tests and benchmarks are reproducible.

export interface Random {
  /** Uniform float in [0, 1). */
  next (): number
  /** Uniform integer in [0, maxExclusive). */
  int (maxExclusive: number): number
  /** Uniform integer in [min, max]. */
  between (min: number, max: number): number
  chance (probability: number): boolean
  pick<T> (items: readonly T[]): T
  fill (target: Uint8Array): Uint8Array
}

// mulberry32: tiny, fast and good enough for test data (not for cryptography).
export function createRandom (seed: number): Random {
  let state = seed >>> 0

  const nextUint32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let mixed = state
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1)
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61)
    return (mixed ^ (mixed >>> 14)) >>> 0
  }

  const next = (): number => nextUint32() / 0x100000000
  const int = (maxExclusive: number): number => Math.floor(next() * maxExclusive)

  return {
    next,
    int,
    between: (min, max) => min + int(max - min + 1),
    chance: (probability) => next() < probability,
    pick: (items) => {
      if (items.length === 0) throw new RangeError('Cannot pick from an empty list')
      return items[int(items.length)]
    },
    fill: (target) => {
      for (let i = 0; i < target.length; i += 4) {
        let word = nextUint32()
        for (let j = i; j < Math.min(i + 4, target.length); j++) {
          target[j] = word & 0xff
          word >>>= 8
        }
      }
      return target
    }
  }
}

/**
 * The seed of a randomised test: `fixed` unless AIDB_TEST_SEED gives another (`random` draws one),
 * so CI runs are reproducible and a failure replays with the seed the test prints.
 */
export function testSeed (fixed: number): number {
  if (process.env.AIDB_TEST_SEED === 'random') return Math.floor(Math.random() * 1e6)
  return integerFromEnv('AIDB_TEST_SEED', fixed)
}

/** Reads an integer (a seed, a count) from an environment variable, falling back to a fixed default so runs are reproducible. */
export function integerFromEnv (name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isSafeInteger(value)) throw new TypeError(`${name} must be an integer, got ${JSON.stringify(raw)}`)
  return value
}
