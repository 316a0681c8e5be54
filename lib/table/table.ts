// An open sorted table: footer, index block and bloom filter held in memory; data blocks read
// on demand through the shared block cache.
import type { CacheHandle, CacheKey } from '../util/lru-cache'
import type { RandomAccessFile } from '../env/env'
import { compareByteSlices } from '../format/compare-bytes'
import { compareBytewiseSlices, compareInternalKeySlices, TAG_SIZE } from '../format/internal-key'
import type { InternalIterator } from '../iterator/iterator'
import { TwoLevelIterator } from '../iterator/two-level-iterator'
import { corruption } from '../util/errors'
import { Block, BlockIterator, EMPTY_BLOCK } from './block'
import type { BlockCache } from './block-cache'
import { BlockHandle, decodeBlockHandle, decodeFooter, Footer, FOOTER_LENGTH } from './block-handle'
import { keepStoredBlockIn, readBlockContents, readBlockToKeep, readStoredBlock, storedFirstUserKey } from './block-reader'
import { BLOOM_FILTER_METAINDEX_KEY, BloomFilterPolicy } from './bloom'
import { FilterBlockReader } from './filter-block'
import { ScanReadahead } from './scan-readahead'
import { PointIndex } from './point-index'
import type { EntryRanges } from '../iterator/entry-ranges'

export interface TableOptions {
  // Checks the CRC of each data block read.
  verifyChecksums: boolean
  // Also checks the CRCs of the index, metaindex and filter blocks when the table opens, as
  // LevelDB's Table::Open does with paranoid_checks; verifyChecksums does too.
  paranoidChecks?: boolean
  blockCache?: BlockCache
  // Unique per open table: distinguishes this table's blocks in the shared cache.
  cacheId: number
}

export interface TableIteratorOptions {
  fillCache?: boolean
}

const METAINDEX_FILTER_KEY = Buffer.from(BLOOM_FILTER_METAINDEX_KEY, 'latin1')

export class Table {
  // Reused by approximateOffsetOf(), which never leaves it positioned across calls.
  private readonly indexIter: BlockIterator
  // Reused by get() for whichever data block it reads.
  private readonly dataIter = EMPTY_BLOCK.newIterator(compareInternalKeySlices)
  // Decoded on the first get(), so tables only ever scanned (compactions, iterators) do without.
  private pointIndex: PointIndex | null = null
  // For get(): the block cache's entry for each data block (by index entry) it last found or put
  // there, so that a hit needs no cache key made and looked up; touch() says whether the entry is
  // still cached.
  private blockHandles: Array<CacheHandle<Block> | undefined> = []
  // For get(), by point-index entry: the first user key (up to FIRST_KEY_BYTES of it) of each
  // data block that a lookup read from the file and found to start after its key (see
  // storedFirstUserKey), so that the next lookup sent there by the filter's false positive skips
  // it without a read. Entry i's length is at i * FIRST_KEY_SLOT (0: not known), its bytes follow.
  // Made at the first such lookup: FIRST_KEY_SLOT bytes per data block, beside the point index.
  private firstKeys: Uint8Array | null = null

  private constructor (
    private readonly file: RandomAccessFile,
    private readonly options: TableOptions,
    private readonly indexBlock: Block,
    private readonly metaindexOffset: number,
    private readonly filter: FilterBlockReader | null
  ) {
    this.indexIter = indexBlock.newIterator(compareInternalKeySlices)
  }

  static open (file: RandomAccessFile, fileSize: number, options: TableOptions): Table {
    const verifyMeta = options.verifyChecksums || options.paranoidChecks === true
    const { footer, indexBlock } = readTableIndex(file, fileSize, verifyMeta)
    const filter = readFilter(file, footer.metaindexHandle, verifyMeta)
    return new Table(file, options, indexBlock, footer.metaindexHandle.offset, filter)
  }

  // onClose runs once, when the iterator is closed.
  newIterator (options: TableIteratorOptions = {}, onClose?: () => void): InternalIterator {
    const scan = new BlockScan(this.file, options.fillCache ?? true)
    return new TwoLevelIterator(this.indexBlock.newIterator(compareInternalKeySlices), (indexValue) => {
      scan.iterator.retarget(this.scanBlock(decodeBlockHandle(indexValue), scan))
      return scan.iterator
    }, () => {
      scan.release()
      if (onClose !== undefined) onClose()
    })
  }

  // Finds the first entry >= seekKey within the one data block that could contain seekKey's user
  // key and describes it in `into`, or returns false when there is none or the filter rules the
  // user key out. userKeyHash is bloomKeyHash() of that user key, hashed once by a lookup that
  // asks several tables. The caller checks whether the entry has the wanted user key. The ranges
  // are valid until this table's next get().
  get (seekKey: Buffer, userKeyHash: number, fillCache: boolean, into: EntryRanges): boolean {
    const index = this.pointIndex ?? this.decodePointIndex()
    const i = index.find(seekKey, seekKey.length)
    if (i >= index.size) return false
    const offset = index.blockOffset(i)
    if (this.filter !== null && !this.filter.hashMayMatch(offset, userKeyHash)) return false
    if (this.firstKeys !== null && startsAfterKnownFirstKey(this.firstKeys, i, seekKey)) return false
    const block = this.dataBlock(i, offset, index.blockSize(i), fillCache, seekKey)
    if (block === null) return false
    const blockIter = this.dataIter
    blockIter.retarget(block)
    blockIter.seek(seekKey)
    if (!blockIter.valid()) return false
    blockIter.readEntry(into)
    return true
  }

  // Approximate file offset where the data for key begins (or would begin).
  approximateOffsetOf (key: Buffer): number {
    const indexIter = this.indexIter
    indexIter.seek(key)
    if (indexIter.valid()) {
      try {
        return decodeBlockHandle(indexIter.value()).offset
      } catch {
        // Fall through: a bad handle only makes the estimate coarser.
      }
    }
    // Past the last key: the data ends where the metaindex begins.
    return this.metaindexOffset
  }

  close (): void {
    this.file.close()
  }

  // An iterator's block: from the cache if there, else read through the scan's readahead. A block
  // the cache keeps gets bytes of its own; any other is transient (see BlockScan).
  private scanBlock (handle: BlockHandle, scan: BlockScan): Block {
    const cache = this.options.blockCache
    const cacheKey = blockCacheKey(this.options.cacheId, handle.offset)
    const cached = cache?.get(cacheKey)
    if (cached !== undefined) return cached
    if (cache === undefined || !scan.fillCache) {
      const contents = readBlockContents(scan.file, handle, this.options.verifyChecksums, scan.decoded)
      // Too long for the buffer, the block was decoded into one of its own, which serves the blocks after it.
      if (!scan.file.isWindow(contents) && contents.buffer !== scan.decoded.buffer) scan.decoded = contents
      return new Block(contents, true)
    }
    // Never recycled (see BlockCache), so it takes no buffer from the cache.
    const block = new Block(readBlockToKeep(scan.file, handle.offset, handle.size, this.options.verifyChecksums))
    cache.set(cacheKey, block, block.size)
    return block
  }

  private decodePointIndex (): PointIndex {
    const index = this.pointIndex = PointIndex.decode(this.indexBlock)
    this.blockHandles = new Array<CacheHandle<Block> | undefined>(index.size).fill(undefined)
    return index
  }

  // Data block `index` (of the point index) for get(): from the cache if there, else read; null
  // when it was read but starts after seekKey's user key, so cannot hold it (see
  // storedBlockStartsAfter): such a block is neither decoded nor cached.
  private dataBlock (index: number, offset: number, size: number, fillCache: boolean, seekKey: Buffer): Block | null {
    const cache = this.options.blockCache
    if (cache === undefined) return new Block(readBlockContents(this.file, { offset, size }, this.options.verifyChecksums))
    const handles = this.blockHandles
    // A handle whose entry has left the cache stays until replaced (touch() answers undefined
    // for it, and it holds no block): clearing it here, a store only lookups after the first
    // evictions make, threw away a fresh process's optimised lookup the first time one did.
    const known = handles[index]
    if (known !== undefined) {
      const block = cache.touch(known)
      if (block !== undefined) return block
    }
    const cacheKey = blockCacheKey(this.options.cacheId, offset)
    const cached = cache.lookup(cacheKey)
    if (cached !== undefined) {
      handles[index] = cached
      return cached.value as Block
    }
    const raw = readStoredBlock(this.file, offset, size, this.options.verifyChecksums)
    if (this.storedBlockStartsAfter(raw, size, index, seekKey)) return null
    const block = keepStoredBlockIn(raw, size, cache)
    if (fillCache) handles[index] = cache.insertForLookup(cacheKey, block)
    else cache.dropAfterLookup(block)
    return block
  }

  // Whether the stored block `raw` of point-index entry `index` starts after seekKey's user key,
  // remembered in firstKeys when it does.
  private storedBlockStartsAfter (raw: Buffer, size: number, index: number, seekKey: Buffer): boolean {
    const firstKey = firstKeyScratch
    const length = storedFirstUserKey(raw, size, firstKey)
    if (length <= 0) return false
    const known = Math.min(length, FIRST_KEY_BYTES)
    // The known bytes begin the first key: a key that sorts before them sorts before it.
    if (compareByteSlices(seekKey, 0, seekKey.length - TAG_SIZE, firstKey, 0, known) >= 0) return false
    const firstKeys = this.firstKeys ??= new Uint8Array((this.pointIndex as PointIndex).size * FIRST_KEY_SLOT)
    const at = index * FIRST_KEY_SLOT
    firstKeys[at] = known
    firstKeys.set(known === FIRST_KEY_BYTES ? firstKey : firstKey.subarray(0, known), at + 1)
    return true
  }
}

// Table.firstKeys' entries: a length byte, then up to FIRST_KEY_BYTES bytes of a first user key.
const FIRST_KEY_SLOT = 24
const FIRST_KEY_BYTES = FIRST_KEY_SLOT - 1
const firstKeyScratch = new Uint8Array(FIRST_KEY_BYTES)

// Whether seekKey's user key sorts before the known first user key of point-index entry `index`.
function startsAfterKnownFirstKey (firstKeys: Uint8Array, index: number, seekKey: Buffer): boolean {
  const at = index * FIRST_KEY_SLOT
  const known = firstKeys[at]
  return known !== 0 && compareByteSlices(seekKey, 0, seekKey.length - TAG_SIZE, firstKeys, at + 1, at + 1 + known) < 0
}

// What one table iterator reads blocks with. It moves one block iterator from block to block and
// reads through a readahead of its own (one read per window during a scan). Blocks it does not
// put in the cache are transient: decoded into `decoded`, reused from block to block, or left in
// the readahead window when stored uncompressed, so a scan allocates nothing per block.
// TwoLevelIterator is done with a block before it asks for the next, and the block iterator
// copies what key() and value() hand out of a transient block.
class BlockScan {
  readonly file: ScanReadahead
  readonly iterator = EMPTY_BLOCK.newIterator(compareInternalKeySlices)
  decoded: Buffer = Buffer.allocUnsafeSlow(0)

  constructor (file: RandomAccessFile, readonly fillCache: boolean) {
    this.file = new ScanReadahead(file)
  }

  // Lets go of the buffers, which a closed iterator still referenced would otherwise keep.
  release (): void {
    this.file.close()
    this.decoded = Buffer.allocUnsafeSlow(0)
  }
}

// The footer and the index block: what every reader of a table needs first.
export function readTableIndex (file: RandomAccessFile, fileSize: number, verifyChecksums: boolean): { footer: Footer, indexBlock: Block } {
  if (fileSize < FOOTER_LENGTH) throw corruption('file is too short to be an sstable')
  const footerBytes = file.read(fileSize - FOOTER_LENGTH, FOOTER_LENGTH)
  if (footerBytes.length !== FOOTER_LENGTH) throw corruption('truncated sstable footer')
  const footer = decodeFooter(footerBytes)
  return { footer, indexBlock: new Block(readBlockContents(file, footer.indexHandle, verifyChecksums)) }
}

// The filter is optional, so like LevelDB a missing or unreadable one just means no filtering.
function readFilter (file: RandomAccessFile, metaindexHandle: BlockHandle, verifyChecksums: boolean): FilterBlockReader | null {
  try {
    const metaindex = new Block(readBlockContents(file, metaindexHandle, verifyChecksums)).newIterator(compareBytewiseSlices)
    metaindex.seek(METAINDEX_FILTER_KEY)
    if (!metaindex.valid() || !metaindex.key().equals(METAINDEX_FILTER_KEY)) return null
    const filterHandle = decodeBlockHandle(metaindex.value())
    return new FilterBlockReader(new BloomFilterPolicy(), readBlockContents(file, filterHandle, verifyChecksums))
  } catch {
    return null
  }
}

// Numbers make faster map keys than strings; they stay exact while cacheId * 2^32 + offset < 2^53.
const NUMERIC_CACHE_IDS = 2 ** 21

function blockCacheKey (cacheId: number, offset: number): CacheKey {
  return cacheId < NUMERIC_CACHE_IDS && offset < 2 ** 32 ? cacheId * 2 ** 32 + offset : `${cacheId}:${offset}`
}
