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

export function errorCode (err: unknown): string | undefined {
  return err != null && typeof err === 'object' && 'code' in err ? String((err as { code: unknown }).code) : undefined
}
