// Text for getProperty('aidb.stats') and getProperty('aidb.sstables'), in LevelDB's layout.
import { NUM_LEVELS, type Version } from '../version/version'
import { parseInternalKey } from '../format/internal-key'

export class LevelStats {
  millis = 0
  bytesRead = 0
  bytesWritten = 0

  add (millis: number, bytesRead: number, bytesWritten: number): void {
    this.millis += millis
    this.bytesRead += bytesRead
    this.bytesWritten += bytesWritten
  }
}

const MB = 1048576

export function describeStats (version: Version, stats: readonly LevelStats[]): string {
  let text = '                               Compactions\n' +
    'Level  Files Size(MB) Time(sec) Read(MB) Write(MB)\n' +
    '--------------------------------------------------\n'
  for (let level = 0; level < NUM_LEVELS; level++) {
    const s = stats[level]
    const files = version.numFiles(level)
    if (files === 0 && s.millis === 0 && s.bytesWritten === 0) continue
    text += [
      String(level).padStart(3),
      String(files).padStart(8),
      (version.levelBytes(level) / MB).toFixed(0).padStart(8),
      (s.millis / 1000).toFixed(0).padStart(9),
      (s.bytesRead / MB).toFixed(0).padStart(8),
      (s.bytesWritten / MB).toFixed(0).padStart(9)
    ].join(' ') + '\n'
  }
  return text
}

function describeKey (internalKey: Buffer): string {
  const { userKey, sequence, type } = parseInternalKey(internalKey)
  return `'${userKey.toString('latin1').replace(/[^\x20-\x7e]/g, c => '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0'))}' @ ${sequence} : ${type}`
}

export function describeTables (version: Version): string {
  let text = ''
  for (let level = 0; level < NUM_LEVELS; level++) {
    text += `--- level ${level} ---\n`
    for (const f of version.files[level]) {
      text += ` ${f.number}:${f.fileSize}[${describeKey(f.smallest)} .. ${describeKey(f.largest)}]\n`
    }
  }
  return text
}
