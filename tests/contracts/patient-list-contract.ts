import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/types.js';

/**
 * The patient list, for every Store engine: a per-installation secret created once, a list of
 * keyed hashes replaced as a whole, status, and clear (which keeps the secret). Only hex digests
 * are accepted, so plaintext can never reach the store.
 */
export function patientListContract(name: string, open: () => Promise<{ store: Store; cleanup(): Promise<void> }>): void {
  describe(`${name} store: patient list contract`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ store, cleanup } = await open());
    });
    afterEach(async () => {
      await cleanup();
    });

    const T0 = 1_800_000_000_000;
    const hash = (s: string) => createHash('sha256').update(s).digest('hex');
    const A = hash('a');
    const B = hash('b');
    const C = hash('c');

    it('starts empty', async () => {
      expect(await store.patientListInfo()).toEqual({ count: 0, importedAt: null });
      expect(await store.patientHashes()).toEqual(new Set());
    });

    it('creates a 32-byte random secret on first use and keeps it', async () => {
      const secret = await store.patientListSecret();
      expect(secret).toBeInstanceOf(Buffer);
      expect(secret.length).toBe(32);
      expect(secret.equals(Buffer.alloc(32))).toBe(false);
      expect((await store.patientListSecret()).equals(secret)).toBe(true);
      await store.replacePatientHashes([A], T0);
      await store.clearPatientList();
      expect((await store.patientListSecret()).equals(secret)).toBe(true);
    });

    it('replaces the whole list, duplicates counted once', async () => {
      await store.replacePatientHashes([A, B, A], T0);
      expect(await store.patientHashes()).toEqual(new Set([A, B]));
      expect(await store.patientListInfo()).toEqual({ count: 2, importedAt: T0 });
      await store.replacePatientHashes([C], T0 + 1000);
      expect(await store.patientHashes()).toEqual(new Set([C]));
      expect(await store.patientListInfo()).toEqual({ count: 1, importedAt: T0 + 1000 });
    });

    it('an empty import is a list of none, still stamped', async () => {
      await store.replacePatientHashes([A], T0);
      await store.replacePatientHashes([], T0 + 1);
      expect(await store.patientHashes()).toEqual(new Set());
      expect(await store.patientListInfo()).toEqual({ count: 0, importedAt: T0 + 1 });
    });

    it('clear removes the list and its stamp', async () => {
      await store.replacePatientHashes([A, B], T0);
      await store.clearPatientList();
      expect(await store.patientHashes()).toEqual(new Set());
      expect(await store.patientListInfo()).toEqual({ count: 0, importedAt: null });
      await store.clearPatientList();
      expect(await store.patientListInfo()).toEqual({ count: 0, importedAt: null });
    });

    it('refuses anything but hex digests, and keeps the previous list', async () => {
      await store.replacePatientHashes([A], T0);
      for (const bad of ['jane smith|1967-03-12', 'number:9434765919', A.toUpperCase(), A.slice(1), '']) {
        await expect(store.replacePatientHashes([B, bad], T0 + 5)).rejects.toThrow();
      }
      expect(await store.patientHashes()).toEqual(new Set([A]));
      expect(await store.patientListInfo()).toEqual({ count: 1, importedAt: T0 });
    });

    it('handles a practice-sized list in one call', async () => {
      const many = Array.from({ length: 20_000 }, (_, i) => hash(`patient ${i}`));
      await store.replacePatientHashes(many, T0);
      expect((await store.patientHashes()).size).toBe(20_000);
      expect((await store.patientListInfo()).count).toBe(20_000);
    });
  });
}
