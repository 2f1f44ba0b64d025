/**
 * How every launcher starts the relay's Node process: the CLI's first line, `npm run demo` and
 * `npm start`, the container image and README's production command spell these out, and a unit
 * test keeps them in step with this module; the test helpers and the bench start the relay
 * with them too. Why each (README, Operations, "Memory and GC"):
 * - one malloc arena: the inspection thread's and V8's helper threads' allocations reuse memory
 *   the main thread freed instead of growing arenas of their own;
 * - a 4 MB young generation per semi-space, and single-threaded GC;
 * - `--expose-gc`, so that a thread moving large bodies can collect their spent Buffers
 *   (core/buffer-reclaim.ts).
 */
export const LAUNCH_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '1' };

export const LAUNCH_FLAGS: readonly string[] = ['--max-semi-space-size=4', '--single-threaded-gc', '--expose-gc'];

/** The launch as a shell command, up to the script: `MALLOC_ARENA_MAX=1 node --…`. */
export function launchCommand(): string {
  const env = Object.entries(LAUNCH_ENV).map(([name, value]) => `${name}=${value}`);
  return [...env, 'node', ...LAUNCH_FLAGS].join(' ');
}
