import ModuleError from 'module-error'

// Engine errors carry the same codes abstract-level uses so the adapter can pass them through.
export function corruption (message: string, cause?: Error): Error {
  return new ModuleError(message, { code: 'LEVEL_CORRUPTION', cause })
}

export function ioError (message: string, cause?: Error): Error {
  return new ModuleError(message, { code: 'LEVEL_IO_ERROR', cause })
}

export function lockedError (message: string, cause?: Error): Error {
  return new ModuleError(message, { code: 'LEVEL_LOCKED', cause })
}

// An option or argument of the wrong type or out of range.
export function invalidValue (message: string): Error {
  return new ModuleError(message, { code: 'LEVEL_INVALID_VALUE' })
}

// The database cannot be opened as asked: it is missing, or exists when it must not, or is closing.
export function notOpenable (message: string): Error {
  return new ModuleError(message, { code: 'LEVEL_DATABASE_NOT_OPEN' })
}

// Something this database or its Env cannot do at all, as opposed to a bad argument.
export function notSupported (message: string): Error {
  return new ModuleError(message, { code: 'LEVEL_NOT_SUPPORTED' })
}

// A write (or compaction, or repair) asked of a database opened read-only: abstract-level's code
// for writes to a read-only database (many-level uses it too).
export function readOnlyError (what: string): Error {
  return new ModuleError(`Database is read-only: cannot ${what}`, { code: 'LEVEL_READONLY' })
}

// Work stopped by its caller's AbortSignal; named as abstract-level names its own.
export function aborted (message: string): Error {
  const err = new ModuleError(message, { code: 'LEVEL_ABORTED' })
  err.name = 'AbortError'
  return err
}

// A transaction could not commit because what it read (or, under snapshot isolation, wrote)
// changed after it began; running it again may succeed.
export function conflictError (message: string): Error {
  return new ModuleError(message, { code: 'LEVEL_TRANSACTION_CONFLICT' })
}

// The code an error carries (a Node errno code such as 'ENOENT', or an abstract-level one), if any.
export function errorCode (err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null | undefined)?.code
  return typeof code === 'string' ? code : undefined
}

// Whether the error already carries an abstract-level code (LEVEL_...), to be passed on as it is.
export function hasLevelCode (err: unknown): boolean {
  return errorCode(err)?.startsWith('LEVEL_') === true
}
