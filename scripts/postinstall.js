// @ts-check
// Applies patches/ to node_modules (README, Dependencies) with patch-package, failing the install
// if a patch no longer applies. patch-package is a development dependency: an install without
// them (`npm ci --omit=dev`) has no tool to apply patches with, so it says what that means and
// carries on; the relay behaves the same, only mailsplit's line scan is slower.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';

const bin = join(import.meta.dirname, '..', 'node_modules', '.bin', process.platform === 'win32' ? 'patch-package.cmd' : 'patch-package');
if (!existsSync(bin)) {
  process.stderr.write('mouthguard: patch-package is not installed (development dependencies omitted), so patches/ was not applied; see README, Dependencies\n');
  process.exit(0);
}
const run = spawnSync(bin, ['--error-on-fail'], { stdio: 'inherit' });
process.exit(run.status ?? 1);
