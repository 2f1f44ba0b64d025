import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { freshStore, type OpenStore } from './fresh-store.js';

/**
 * The patient list, for every Store engine: a per-installation secret created once, a list of
 * keyed hashes replaced as a whole, status, and clear (which keeps the secret). Only hex digests
 * are accepted, so plaintext can never reach the fresh.store.
 */
export function patientListContract(name: string, open: OpenStore): void {
  describe(`${name} store: patient list contract`, () => {
    const fresh = freshStore(open);

    const T0 = 1_800_000_000_000;
    const hash = (s: string) => createHash('sha256').update(s).digest('hex');
    const A = hash('a');
    const B = hash('b');
    const C = hash('c');

    it('starts empty', async () => {
      expect(await fresh.store.patientListInfo()).toEqual({ count: 0, importedAt: null });
      expect(await fresh.store.patientHashes()).toEqual(new Set());
    });

    it('creates a 32-byte random secret on first use and keeps it', async () => {
      const secret = await fresh.store.patientListSecret();
      expect(secret).toBeInstanceOf(Buffer);
      expect(secret.length).toBe(32);
      expect(secret.equals(Buffer.alloc(32))).toBe(false);
      expect((await fresh.store.patientListSecret()).equals(secret)).toBe(true);
      await fresh.store.replacePatientHashes([A], T0);
      await fresh.store.clearPatientList();
      expect((await fresh.store.patientListSecret()).equals(secret)).toBe(true);
    });

    it('replaces the whole list, duplicates counted once', async () => {
      await fresh.store.replacePatientHashes([A, B, A], T0);
      expect(await fresh.store.patientHashes()).toEqual(new Set([A, B]));
      expect(await fresh.store.patientListInfo()).toEqual({ count: 2, importedAt: T0 });
      await fresh.store.replacePatientHashes([C], T0 + 1000);
      expect(await fresh.store.patientHashes()).toEqual(new Set([C]));
      expect(await fresh.store.patientListInfo()).toEqual({ count: 1, importedAt: T0 + 1000 });
    });

    it('an empty import is a list of none, still stamped', async () => {
      await fresh.store.replacePatientHashes([A], T0);
      await fresh.store.replacePatientHashes([], T0 + 1);
      expect(await fresh.store.patientHashes()).toEqual(new Set());
      expect(await fresh.store.patientListInfo()).toEqual({ count: 0, importedAt: T0 + 1 });
    });

    it('clear removes the list and its stamp', async () => {
      await fresh.store.replacePatientHashes([A, B], T0);
      await fresh.store.clearPatientList();
      expect(await fresh.store.patientHashes()).toEqual(new Set());
      expect(await fresh.store.patientListInfo()).toEqual({ count: 0, importedAt: null });
      await fresh.store.clearPatientList();
      expect(await fresh.store.patientListInfo()).toEqual({ count: 0, importedAt: null });
    });

    it('refuses anything but hex digests, and keeps the previous list', async () => {
      await fresh.store.replacePatientHashes([A], T0);
      for (const bad of ['jane smith|1967-03-12', 'number:9434765919', A.toUpperCase(), A.slice(1), '']) {
        await expect(fresh.store.replacePatientHashes([B, bad], T0 + 5)).rejects.toThrow();
      }
      expect(await fresh.store.patientHashes()).toEqual(new Set([A]));
      expect(await fresh.store.patientListInfo()).toEqual({ count: 1, importedAt: T0 });
    });

    it('handles a practice-sized list in one call', async () => {
      const many = Array.from({ length: 20_000 }, (_, i) => hash(`patient ${i}`));
      await fresh.store.replacePatientHashes(many, T0);
      expect((await fresh.store.patientHashes()).size).toBe(20_000);
      expect((await fresh.store.patientListInfo()).count).toBe(20_000);
    });
  });
}
