import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { parseArgs } from 'node:util';
import type { Config } from '../config/schema.js';
import { ConfigError } from '../config/config-error.js';
import { configFrom } from './config-from.js';

/**
 * `mouthguard check-config`: loads and validates the configuration (errors name each key),
 * then opens the files it names (certificate, key, CA), so that a config that passes here
 * does not fail at start.
 */
export function checkConfigCommand(args: string[]): void {
  const { values } = parseArgs({ args, options: { config: { type: 'string' } } });
  const config = configFrom(values.config);
  const problems = fileProblems(config);
  if (problems.length > 0) throw new ConfigError(values.config ?? 'the configuration', problems);
  console.log(`configuration OK: ${config.practice.domains.join(', ')}; upstream ${config.upstream.type}; data in ${config.dataDir}`);
}

function fileProblems(config: Readonly<Config>): string[] {
  const problems: string[] = [];
  const read = (key: string, path: string): Buffer | null => {
    try {
      return readFileSync(path);
    } catch (err) {
      problems.push(`${key}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'}); check the path and its permissions`);
      return null;
    }
  };
  const tls = config.smtp.tls;
  if (tls) {
    const cert = read('smtp.tls.cert', tls.cert);
    const key = read('smtp.tls.key', tls.key);
    if (cert && key) {
      try {
        createSecureContext({ cert, key });
      } catch (err) {
        problems.push(`smtp.tls: the certificate and key do not make a pair (${(err as Error).message}); check smtp.tls.cert and smtp.tls.key`);
      }
    }
  }
  if (config.upstream.type === 'smtp' && config.upstream.tls?.ca) read('upstream.tls.ca', config.upstream.tls.ca);
  return problems;
}
