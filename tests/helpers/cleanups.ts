import { afterEach } from 'vitest';

/**
 * What a test starts, stopped after it even when it fails, last started first. Call once per
 * test file; push a stop function for each thing started.
 */
export function useCleanups(): (cleanup: () => Promise<void>) => void {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
  });
  return (cleanup) => {
    cleanups.push(cleanup);
  };
}
