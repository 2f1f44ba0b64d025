import type { Config } from '../config/schema.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './types.js';

export interface OpenedStore {
  readonly store: Store;
  /** Start-up housekeeping for the process that owns the queue (not for CLI readers). */
  recover(): Promise<{ orphans: number; leases: number }>;
}

/**
 * Opens the configured engine (only SQLite so far) and applies pending migrations. The relay
 * opens it with `role: 'relay'` (commits fsynced off the event loop); tools use the default.
 */
export async function openStore(config: Pick<Config, 'dataDir' | 'store'>, role: 'relay' | 'tool' = 'tool'): Promise<OpenedStore> {
  const store = await SqliteStore.open(config.dataDir, {
    durability: role === 'relay' ? 'wal-sync' : 'full',
    inlineBodyMax: config.store.inlineBodyMax,
    ...(role === 'relay' ? { minFreeBytes: config.store.minFreeSpace } : {}),
  });
  return {
    store,
    async recover() {
      // One relay per SQLite data directory (the lock file ensures it), so every lease is stale.
      const leases = await store.releaseAllLeases();
      const orphans = await store.removeOrphanBodies();
      return { orphans, leases };
    },
  };
}
