import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { launcherFlags } from '../helpers/relay-process.js';

const root = resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(resolve(root, file), 'utf8');

describe('every launcher starts the relay with the same Node flags', () => {
  // The source's first line (what the build copies): every launcher must pass these flags.
  const flags = launcherFlags(resolve(root, 'src/cli.ts'));

  it('the CLI carries the young-generation bound and single-threaded GC', () => {
    expect(flags).toContain('--max-semi-space-size=4');
    expect(flags).toContain('--single-threaded-gc');
  });

  it('the built CLI keeps them (the test helpers start the relay with them)', () => {
    expect(launcherFlags()).toEqual(flags);
  });

  it('npm run demo and npm start', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    for (const name of ['demo', 'start']) {
      expect(scripts[name], name).toContain(`node ${flags.join(' ')} dist/src/cli.js start`);
    }
  });

  it('the container image', () => {
    const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(read('Dockerfile'));
    expect(JSON.parse(entrypoint![1]!)).toEqual(['node', ...flags, 'dist/src/cli.js']);
  });

  it("README's production start command", () => {
    expect(read('README.md')).toContain(`node ${flags.join(' ')} dist/src/cli.js start --config mouthguard.yaml`);
  });
});
