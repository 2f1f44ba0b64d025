import type { Config } from './schema.js';

/** Keys whose values are secrets (smtp.tls.key is a file path, not a secret). */
const SECRET_KEYS = new Set(['pass', 'password', 'secret']);

/** The effective configuration as JSON, with secrets replaced by "[redacted]". */
export function printableConfig(config: Readonly<Config>): string {
  return JSON.stringify(config, (key, value: unknown) => (SECRET_KEYS.has(key) ? '[redacted]' : value), 2);
}
