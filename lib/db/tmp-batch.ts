// TEMPORARY until lib/format/write-batch.ts lands.
export class WriteBatchLike {
  ops: Array<{ key: Buffer, value?: Buffer }> = []
  put (key: Buffer, value: Buffer): void { this.ops.push({ key, value }) }
  del (key: Buffer): void { this.ops.push({ key }) }
  clear (): void { this.ops = [] }
  count (): number { return this.ops.length }
}
