import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

// The dependencies carried with a patch (patches/, README: Dependencies): where each is installed,
// its version, and whether patches/ holds a patch made for exactly that version.
const require = createRequire(import.meta.url);
const patches = readdirSync(resolve(import.meta.dirname, '../../patches'));

export interface PatchedPackage {
  readonly dir: string;
  readonly version: string;
  /** patches/ holds `<name with / as +>+<version>.patch`, the file patch-package applies on install. */
  readonly patchedForThisVersion: boolean;
  /** The text of one of its installed files. */
  file(path: string): string;
}

export function patchedPackage(name: string): PatchedPackage {
  const dir = dirname(require.resolve(`${name}/package.json`));
  const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  return {
    dir,
    version,
    patchedForThisVersion: patches.includes(`${name.replace('/', '+')}+${version}.patch`),
    file: (path) => readFileSync(join(dir, path), 'utf8'),
  };
}
