// What runs inside a dedicated worker: the real engine (AiLevel, whose default Env there is the
// Origin Private File System), the OPFS Env itself, and the helpers that copy a database
// directory into and out of OPFS. The browser entry (index.ts here) re-exports these.
export { AiLevel } from '../../index'
export { OpfsEnv, type OpfsEnvOptions, type OpfsDirectoryHandle } from '../env/opfs-env'
export { exportDirectory, importDirectory, filesFromFileList, filesFromDirectoryHandle, type DirectoryFile, type FileLike, type DirectoryHandleLike } from './directory-transfer'
