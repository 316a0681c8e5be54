// What every AiLevel front end supports (abstract-level's `supports` manifest), whether the engine
// runs on this thread (index.ts) or behind a worker (lib/browser/worker-client.ts); each adds
// getSync and the additional methods it can offer.
export const SHARED_FEATURES = {
  encodings: { buffer: true, utf8: true, view: true },
  has: true,
  seek: true,
  implicitSnapshots: true,
  explicitSnapshots: true,
  createIfMissing: true,
  errorIfExists: true,
  permanence: true,
  signals: { iterators: true }
}
