// Deterministic pseudo-random numbers (mulberry32) so randomised tests can be replayed by seed.
export class SeededRandom {
  private state: number

  constructor (readonly seed: number) {
    this.state = seed >>> 0
  }

  // Uniform in [0, 1).
  float (): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  // Uniform integer in [0, n).
  int (n: number): number {
    return Math.floor(this.float() * n)
  }

  bytes (length: number): Buffer {
    const buf = Buffer.allocUnsafe(length)
    for (let i = 0; i < length; i++) buf[i] = this.int(256)
    return buf
  }
}
