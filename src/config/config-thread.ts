/** The thread loadConfigInThread starts: loads the configuration, posts it back and ends. */
import { parentPort, workerData } from 'node:worker_threads';
import { ConfigError } from './config-error.js';
import { loadConfig, type LoadOptions } from './load.js';
import type { ConfigThreadReply } from './load-in-thread.js';

let reply: ConfigThreadReply;
try {
  reply = { ok: true, config: loadConfig(workerData as LoadOptions) };
} catch (err) {
  reply =
    err instanceof ConfigError
      ? { ok: false, source: err.source, problems: err.problems, message: err.message }
      : { ok: false, source: null, problems: [], message: err instanceof Error ? err.message : String(err) };
}
parentPort!.postMessage(reply);
