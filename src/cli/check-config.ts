import { parseArgs } from 'node:util';
import { configFrom } from './common.js';

/** `mouthguard check-config`: loads and validates the configuration; errors name each key. */
export function checkConfigCommand(args: string[]): void {
  const { values } = parseArgs({ args, options: { config: { type: 'string' } } });
  const config = configFrom(values.config);
  console.log(`configuration OK: ${config.practice.domains.join(', ')}; upstream ${config.upstream.type}; data in ${config.dataDir}`);
}
