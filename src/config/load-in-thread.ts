import { replyFromThread } from '../core/one-shot-thread.js';
import { ConfigError } from './config-error.js';
import { deepFreeze } from './deep-freeze.js';
import type { LoadOptions } from './load.js';
import type { Config } from './schema.js';

/** What the loading thread posts back (config-thread.ts). */
export type ConfigThreadReply =
  | { readonly ok: true; readonly config: Config }
  | { readonly ok: false; readonly source: string | null; readonly problems: readonly string[]; readonly message: string };

/**
 * loadConfig, run in a thread that ends once it has answered. The relay reads its configuration
 * once, at start; the YAML parser and the schema library (zod: about 5 MB of heap once loaded,
 * with the schema and its error messages) would stay in the main thread's heap for as long as
 * the relay runs, so they are loaded only in this thread's heap, which goes with it. The
 * configuration is plain data, so what comes back is what loadConfig returned; errors come back
 * as the same ConfigError.
 */
export async function loadConfigInThread(options: LoadOptions): Promise<Readonly<Config>> {
  const workerData = { path: options.path, env: options.env ?? process.env };
  const reply = await replyFromThread<ConfigThreadReply>(new URL('./config-thread.js', import.meta.url), workerData, 'the configuration could not be read');
  if (reply.ok) return deepFreeze(reply.config);
  throw reply.source === null ? new Error(reply.message) : new ConfigError(reply.source, reply.problems);
}
