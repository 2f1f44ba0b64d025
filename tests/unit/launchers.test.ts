import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAUNCH_ENV, LAUNCH_FLAGS, launchCommand } from '../../src/cli/launch-settings.js';

const root = resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(resolve(root, file), 'utf8');
const firstLine = (file: string) => read(file).split('\n', 1)[0];

describe('every launcher starts the relay with the same settings (src/cli/launch-settings.ts)', () => {
  it('they are one malloc arena, the young-generation bound, single-threaded GC and the exposed collector', () => {
    expect(LAUNCH_ENV).toEqual({ MALLOC_ARENA_MAX: '1' });
    expect(LAUNCH_FLAGS).toEqual(['--max-semi-space-size=4', '--single-threaded-gc', '--expose-gc']);
    expect(launchCommand()).toBe('MALLOC_ARENA_MAX=1 node --max-semi-space-size=4 --single-threaded-gc --expose-gc');
  });

  it("the bin's first line, in the source and as built", () => {
    expect(firstLine('src/cli.ts')).toBe(`#!/usr/bin/env -S ${launchCommand()}`);
    expect(firstLine('dist/src/cli.js')).toBe(firstLine('src/cli.ts'));
  });

  it('npm run demo and npm start', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    for (const name of ['demo', 'start']) {
      expect(scripts[name], name).toContain(`${launchCommand()} dist/src/cli.js start`);
    }
  });

  it('the container image', () => {
    const dockerfile = read('Dockerfile');
    for (const [name, value] of Object.entries(LAUNCH_ENV)) expect(dockerfile).toMatch(new RegExp(`^ENV ${name}=${value}$`, 'm'));
    const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(dockerfile);
    expect(JSON.parse(entrypoint![1]!)).toEqual(['node', ...LAUNCH_FLAGS, 'dist/src/cli.js']);
  });

  it("README's production start command", () => {
    expect(read('README.md')).toContain(`${launchCommand()} dist/src/cli.js start --config mouthguard.yaml`);
  });
});
