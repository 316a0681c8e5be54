// What crash-writer.worker.ts writes, for crash.page.ts to check.
export const CRASH_LOCATION = 'crash'

export const crashKey = (i: number): string => `key-${String(i).padStart(8, '0')}`
export const crashValue = (i: number): string => `value-${i}-${'x'.repeat(64)}`
