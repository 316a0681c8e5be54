// The Node side of the files scenario (run.ts, files.worker.ts): directories written by ai-level and
// by classic-level for the browser to import, and a directory the browser exported, read back by
// both.
import fs from 'node:fs'
import path from 'node:path'
import { ClassicLevel } from 'classic-level'
import { AiLevel } from '../../index'
import { fileBatches, fileEntries } from './files-data'

interface WritableLevel {
  open (): Promise<void>
  batch (ops: ReturnType<typeof fileBatches>[number]): Promise<void>
  iterator (): { all (): Promise<Array<[string, string]>> }
  close (): Promise<void>
}

const OPEN_OPTIONS = { writeBufferSize: 64 * 1024 }

function level (writer: string, dir: string): WritableLevel {
  return writer === 'classic-level' ? new ClassicLevel<string, string>(dir, OPEN_OPTIONS) : new AiLevel<string, string>(dir, OPEN_OPTIONS)
}

/** Writes fileBatches(writer) into `dir` with that engine; returns the files of the closed database. */
export async function writeDirectory (writer: string, dir: string): Promise<Map<string, Buffer>> {
  const db = level(writer, dir)
  await db.open()
  for (const batch of fileBatches(writer)) await db.batch(batch)
  await db.close()
  const files = new Map<string, Buffer>()
  for (const name of fs.readdirSync(dir).sort()) {
    if (name !== 'LOCK') files.set(name, fs.readFileSync(path.join(dir, name)))
  }
  return files
}

/** Whether engine `reader` finds in `dir` exactly what fileBatches(writer) leaves. */
export async function readsAll (reader: string, dir: string, writer: string): Promise<{ ok: boolean, detail: string }> {
  const db = level(reader, dir)
  await db.open()
  try {
    const entries = await db.iterator().all()
    const wanted = fileEntries(writer)
    const ok = JSON.stringify(entries) === JSON.stringify(wanted)
    return { ok, detail: `${entries.length} entries, ${wanted.length} expected` }
  } finally {
    await db.close()
  }
}
