// Keeps up to maxOpenFiles tables open. A table evicted while iterators still read it is closed
// when the last of them closes.
import type { Env } from '../env/env'
import type { EntryRanges } from '../iterator/entry-ranges'
import type { InternalIterator } from '../iterator/iterator'
import { LRUCache } from '../util/lru-cache'
import type { BlockCache } from '../table/block-cache'
import { Table } from '../table/table'
import { openTableFile } from '../table/table-file'

interface OpenTable {
  table: Table
  users: number
  evicted: boolean
}

export interface TableCacheOptions {
  verifyChecksums: boolean
  paranoidChecks?: boolean
  blockCache: BlockCache
}

// LevelDB keeps a few descriptors for logs, the MANIFEST and the lock.
const RESERVED_FILES = 10

let nextCacheId = 1

export class TableCache {
  private readonly tables: LRUCache<OpenTable>

  constructor (
    private readonly env: Env,
    private readonly dbname: string,
    private readonly options: TableCacheOptions,
    maxOpenFiles: number
  ) {
    this.tables = new LRUCache<OpenTable>(Math.max(maxOpenFiles - RESERVED_FILES, 1), (_key, entry) => {
      entry.evicted = true
      if (entry.users === 0) entry.table.close()
    })
  }

  private open (fileNumber: number, fileSize: number): OpenTable {
    const cached = this.tables.get(fileNumber)
    if (cached !== undefined) return cached
    const file = openTableFile(this.env, this.dbname, fileNumber)
    let table: Table
    try {
      table = Table.open(file, fileSize, {
        verifyChecksums: this.options.verifyChecksums,
        paranoidChecks: this.options.paranoidChecks,
        blockCache: this.options.blockCache,
        cacheId: nextCacheId++
      })
    } catch (err) {
      file.close()
      throw err
    }
    const entry: OpenTable = { table, users: 0, evicted: false }
    this.tables.set(fileNumber, entry, 1)
    return entry
  }

  // A point lookup begins: the previous one's result is no longer in use (see BlockCache).
  startLookup (): void {
    this.options.blockCache.startLookup()
  }

  // See Table.get: the ranges put in `into` are valid until this table's next get().
  get (fileNumber: number, fileSize: number, internalKey: Buffer, userKeyHash: number, fillCache: boolean, into: EntryRanges): boolean {
    return this.open(fileNumber, fileSize).table.get(internalKey, userKeyHash, fillCache, into)
  }

  newIterator (fileNumber: number, fileSize: number, fillCache = true): InternalIterator {
    const entry = this.open(fileNumber, fileSize)
    entry.users++
    // The table iterator's close() calls this once: no wrapper per table iterator, whose extra
    // call per step every scan would pay.
    return entry.table.newIterator({ fillCache }, () => {
      entry.users--
      if (entry.evicted && entry.users === 0) entry.table.close()
    })
  }

  approximateOffsetOf (fileNumber: number, fileSize: number, internalKey: Buffer): number {
    return this.open(fileNumber, fileSize).table.approximateOffsetOf(internalKey)
  }

  // Closes every table not in `live` (tables in use by an iterator close when it lets go).
  evictAllExcept (live: ReadonlySet<number>): void {
    for (const fileNumber of this.tables.keys()) {
      if (typeof fileNumber === 'number' && !live.has(fileNumber)) this.tables.delete(fileNumber)
    }
  }

  close (): void {
    this.tables.clear()
  }
}
