// The next file number, kept in shared memory (where the platform has it) so that a background
// worker can name its output files while the main thread keeps allocating numbers for logs and flushes.
import { platform } from '../platform/node'

export class FileNumberCounter {
  private readonly cell: BigInt64Array

  constructor (readonly shared: SharedArrayBuffer | ArrayBuffer = platform.newSharedMemory(8)) {
    this.cell = new BigInt64Array(shared)
  }

  get value (): number {
    return Number(Atomics.load(this.cell, 0))
  }

  set value (next: number) {
    Atomics.store(this.cell, 0, BigInt(next))
  }

  allocate (): number {
    return Number(Atomics.add(this.cell, 0, 1n))
  }

  // Ensures numbers up to `number` are never handed out again.
  markUsed (number: number): void {
    const wanted = BigInt(number + 1)
    for (let seen = Atomics.load(this.cell, 0); seen < wanted; seen = Atomics.load(this.cell, 0)) {
      if (Atomics.compareExchange(this.cell, 0, seen, wanted) === seen) return
    }
  }
}
