// Run by run-runtimes under Node: tries to open a directory with classic-level (LevelDB's own
// fcntl lock) and prints {"opened":true} or the error codes as one JSON line.
import { ClassicLevel } from 'classic-level'

async function main (): Promise<void> {
  const db = new ClassicLevel(process.argv[2])
  try {
    await db.open()
  } catch (err) {
    const e = err as { code?: string, cause?: { code?: string } }
    console.log(JSON.stringify({ failed: e.code, cause: e.cause?.code }))
    return
  }
  await db.close()
  console.log(JSON.stringify({ opened: true }))
}

void main()
