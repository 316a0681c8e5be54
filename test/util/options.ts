// The tests' small-option presets: sizes small enough that a test's few hundred kilobytes of writes
// go through many flushes and compactions. A test that needs something else spreads a preset and
// overrides what differs, so the difference shows where it is used.
import type { DBOptions } from '../../lib/db/options'
import { UNCLAMPED_SIZES } from '../../lib/level/options'

/** 1 KiB memtables, 4 KiB tables and an 8 KiB level 1: a few hundred KB spread over several levels. */
export const TINY: Partial<DBOptions> = { writeBufferSize: 1024, maxFileSize: 4096, levelSizeBase: 8 * 1024 }

/**
 * 4 KiB memtables and 16 KiB tables: a few thousand writes flush and compact many tables. Options
 * both AiLevel and the engine take; AiLevel is told to keep them below LevelDB's clamps.
 */
export const SMALL = { writeBufferSize: 4096, maxFileSize: 16 * 1024, [UNCLAMPED_SIZES]: true } as const
