import { afterEach, beforeEach } from 'vitest';
import type { Store } from '../../src/store/types.js';

export type OpenStore = () => Promise<{ store: Store; cleanup(): Promise<void> }>;

/** A fresh, empty store for each test of a contract, closed and removed after it. Read `.store` inside tests. */
export function freshStore(open: OpenStore): { readonly store: Store } {
  const current: { store: Store; cleanup: () => Promise<void> } = { store: undefined as unknown as Store, cleanup: () => Promise.resolve() };
  beforeEach(async () => {
    Object.assign(current, await open());
  });
  afterEach(async () => {
    await current.cleanup();
  });
  return current;
}
