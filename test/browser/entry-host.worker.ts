// A dedicated worker running the package's own worker script (lib/browser/worker-entry.ts): what
// AiLevelWorker starts in an application.
import '../../lib/browser/worker-entry'
