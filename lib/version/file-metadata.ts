// A table file as recorded in the MANIFEST.
export interface FileMetaData {
  number: number
  fileSize: number
  // Internal keys bounding the file's contents.
  smallest: Buffer
  largest: Buffer
}
