import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';

/** A keyed hash as the patient list stores it: HMAC-SHA-256, lowercase hex. */
const HASH = /^[0-9a-f]{64}$/;

/**
 * The patient list's tables (migration 3): `patient_list_meta` holds the secret, the import
 * time and the count; `patient_hashes` the keyed hashes. Changes run with secure_delete on, so
 * the pages of a replaced or cleared list are overwritten rather than left in the file.
 */
export class PatientListQueries {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
    // For every change on this connection (the store sets it too, for message bodies).
    db.pragma('secure_delete = ON');
  }

  secret(): Buffer {
    // IMMEDIATE: two processes creating the secret at once must end up with the same one.
    return this.#db
      .transaction(() => {
        const row = this.#db.prepare(`SELECT value FROM patient_list_meta WHERE key = 'secret'`).get() as { value: string } | undefined;
        if (row) return Buffer.from(row.value, 'base64');
        const secret = randomBytes(32);
        this.#db.prepare(`INSERT INTO patient_list_meta (key, value) VALUES ('secret', ?)`).run(secret.toString('base64'));
        return secret;
      })
      .immediate();
  }

  replace(hashes: readonly string[], importedAt: number): void {
    for (const h of hashes) if (!HASH.test(h)) throw new Error('refusing to store a patient list entry that is not a keyed hash');
    this.#securely(() => {
      this.#db.prepare('DELETE FROM patient_hashes').run();
      const insert = this.#db.prepare('INSERT OR IGNORE INTO patient_hashes (hash) VALUES (?)');
      for (const h of hashes) insert.run(h);
      const { n } = this.#db.prepare('SELECT COUNT(*) AS n FROM patient_hashes').get() as { n: number };
      const set = this.#db.prepare('INSERT INTO patient_list_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
      set.run('imported_at', String(importedAt));
      set.run('count', String(n));
    });
  }

  hashes(): Set<string> {
    const rows = this.#db.prepare('SELECT hash FROM patient_hashes').pluck().all() as string[];
    return new Set(rows);
  }

  info(): { count: number; importedAt: number | null } {
    const rows = this.#db.prepare(`SELECT key, value FROM patient_list_meta WHERE key IN ('imported_at', 'count')`).all() as {
      key: string;
      value: string | null;
    }[];
    const meta = new Map(rows.map((r) => [r.key, r.value]));
    const importedAt = meta.get('imported_at');
    return { count: Number(meta.get('count') ?? 0), importedAt: importedAt ? Number(importedAt) : null };
  }

  clear(): void {
    this.#securely(() => {
      this.#db.prepare('DELETE FROM patient_hashes').run();
      this.#db.prepare(`DELETE FROM patient_list_meta WHERE key IN ('imported_at', 'count')`).run();
    });
  }

  #securely(change: () => void): void {
    this.#db.transaction(change).immediate();
  }
}
