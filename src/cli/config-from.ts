import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { configPathFrom } from './common.js';

/** The configuration a command runs with (configPathFrom says which file). */
export function configFrom(path: string | undefined): Readonly<Config> {
  return loadConfig({ path: configPathFrom(path) });
}
