// @ts-check
// Applies patches/ to node_modules (README, Dependencies) with patch-package, failing the install
// if a patch no longer applies. patch-package is a development dependency: an install without
// them (`npm ci --omit=dev`) has no tool to apply patches with, so it says what that means and
// carries on; the relay behaves the same, only the patched byte scans (README, Dependencies) are slower.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { URL, fileURLToPath } from 'node:url';
import process from 'node:process';

const root = fileURLToPath(new URL('..', import.meta.url));
const tool = fileURLToPath(new URL('../node_modules/patch-package/index.js', import.meta.url));
if (!existsSync(tool)) {
  process.stderr.write('mouthguard: patch-package is not installed (development dependencies omitted), so patches/ was not applied; see README, Dependencies\n');
  process.exit(0);
}
// Run with this Node, from the project root (where patch-package looks for patches/), on any OS.
const run = spawnSync(process.execPath, [tool, '--error-on-fail'], { cwd: root, stdio: 'inherit' });
if (run.error || run.signal) {
  process.stderr.write(`mouthguard: patch-package did not run to the end (${run.error?.message ?? `killed by ${run.signal}`})\n`);
  process.exit(1);
}
process.exit(run.status ?? 1);
