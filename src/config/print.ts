import type { Config } from './schema.js';

/** Keys whose values are secrets (smtp.tls.key is a file path, not a secret). */
const SECRET_KEYS = new Set(['pass', 'password', 'secret']);
/** Mappings of credentials: a wrong value there (a "user:password" string) may hold a secret too. */
const CREDENTIAL_KEYS = new Set(['auth']);

/** Whether a value at this config path may be a secret, and so must never be echoed. */
export function isSecretPath(path: readonly PropertyKey[]): boolean {
  return path.some((key) => typeof key === 'string' && (SECRET_KEYS.has(key) || CREDENTIAL_KEYS.has(key)));
}

/** The effective configuration as JSON, with secrets replaced by "[redacted]". */
export function printableConfig(config: Readonly<Config>): string {
  return JSON.stringify(config, (key, value: unknown) => (SECRET_KEYS.has(key) ? '[redacted]' : value), 2);
}
