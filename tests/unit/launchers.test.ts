import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(resolve(root, file), 'utf8');

/** The Node flags on the CLI's first line: what every launcher must pass (README, Memory). */
function shebangFlags(): string[] {
  const m = /^#!\/usr\/bin\/env -S node((?: --[\w-]+(?:=\S+)?)*)\n/.exec(read('src/cli.ts'));
  expect(m, 'src/cli.ts starts with "#!/usr/bin/env -S node <flags>"').not.toBeNull();
  return m![1]!.split(' ').filter(Boolean);
}

describe('every launcher starts the relay with the same Node flags', () => {
  const flags = shebangFlags();

  it('the CLI carries the young-generation bound and single-threaded GC', () => {
    expect(flags).toContain('--max-semi-space-size=4');
    expect(flags).toContain('--single-threaded-gc');
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
