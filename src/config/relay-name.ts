import { hostname } from 'node:os';
import type { Config } from './schema.js';

/** The relay's name in its greeting, trace headers, DSNs and notices. */
export function relayNameOf(config: Pick<Readonly<Config>, 'smtp'>): string {
  return config.smtp.hostname ?? hostname();
}
