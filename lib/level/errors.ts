import ModuleError from 'module-error'

// Same code and name as abstract-level's own AbortError, which it doesn't export.
export function abortError (): Error {
  const err = new ModuleError('Operation has been aborted', { code: 'LEVEL_ABORTED' })
  err.name = 'AbortError'
  return err
}

export function notOpenError (method?: string): Error {
  const message = method === undefined ? 'Database is not open' : `Database is not open: cannot call ${method}()`
  return new ModuleError(message, { code: 'LEVEL_DATABASE_NOT_OPEN' })
}
