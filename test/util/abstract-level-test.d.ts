// abstract-level ships its compliance suite without typings.
declare module 'abstract-level/test' {
  import type tape from 'tape'

  interface TestCommon {
    test: typeof tape
    // Returns an abstract-level database; left loose because hooks make database types invariant.
    factory (options?: object): object
  }

  function suite (common: TestCommon): void
  export = suite
}
