import ModuleError from 'module-error'

// Same code and name as abstract-level's own AbortError, which it doesn't export.
export function abortError (): Error {
  const err = new ModuleError('Operation has been aborted', { code: 'LEVEL_ABORTED' })
  err.name = 'AbortError'
  return err
}

export function notOpenError (method: string): Error {
  return new ModuleError(`Database is not open: cannot call ${method}()`, { code: 'LEVEL_DATABASE_NOT_OPEN' })
}
