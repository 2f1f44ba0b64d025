import type Database from 'better-sqlite3';
import { parseScopeKey, scopeKey, type DisclaimerScope } from '../../core/disclaimer-scope.js';
import type { DisclaimerVersion, NewDisclaimerVersion } from '../types.js';
import { StatementCache } from './statement-cache.js';

interface DisclaimerRow {
  id: number;
  scope_key: string;
  version: number;
  text: string;
  html: string;
  derived: string | null;
  author: string;
  note: string | null;
  created_at: number;
  rollback_of: number | null;
  removed: number;
}

function toVersion(row: DisclaimerRow): DisclaimerVersion {
  const scope = parseScopeKey(row.scope_key);
  if (!scope) throw new Error(`disclaimer version ${row.id} has an unreadable scope`);
  return {
    id: row.id,
    scope,
    version: row.version,
    text: row.text,
    html: row.html,
    derived: row.derived === 'text' || row.derived === 'html' ? row.derived : null,
    author: row.author,
    note: row.note,
    createdAt: row.created_at,
    rollbackOf: row.rollback_of,
    removed: row.removed === 1,
  };
}

/**
 * Disclaimer versions (migration 4): one append-only table, a row per change. The per-scope
 * version number is taken inside the inserting transaction (IMMEDIATE), so two processes saving
 * the same scope at once get 1 and 2, never two 1s.
 */
export class DisclaimerQueries {
  readonly #db: Database.Database;

  /** Prepared once: delivery asks for the revision before every message. */
  readonly #statements: StatementCache;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#statements = new StatementCache(db);
  }

  #sql(text: string): Database.Statement {
    return this.#statements.get(text);
  }

  add(v: NewDisclaimerVersion): DisclaimerVersion {
    const key = scopeKey(v.scope);
    return this.#db
      .transaction(() => {
        const { n } = this.#sql('SELECT COALESCE(MAX(version), 0) AS n FROM disclaimer_versions WHERE scope_key = ?').get(key) as {
          n: number;
        };
        const row = this.#sql(
            `INSERT INTO disclaimer_versions (scope_key, version, text, html, derived, author, note, created_at, rollback_of, removed)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
          )
          .get(key, n + 1, v.text, v.html, v.derived, v.author, v.note, v.createdAt, v.rollbackOf ?? null, v.removed ? 1 : 0) as DisclaimerRow;
        return toVersion(row);
      })
      .immediate();
  }

  current(): DisclaimerVersion[] {
    const rows = this.#sql(
        `SELECT d.* FROM disclaimer_versions d
         JOIN (SELECT scope_key, MAX(version) AS version FROM disclaimer_versions GROUP BY scope_key) newest
           ON newest.scope_key = d.scope_key AND newest.version = d.version
         WHERE d.removed = 0
         ORDER BY d.scope_key`,
      )
      .all() as DisclaimerRow[];
    return rows.map(toVersion);
  }

  history(scope: DisclaimerScope | null, limit: number): DisclaimerVersion[] {
    const rows = (
      scope
        ? this.#sql('SELECT * FROM disclaimer_versions WHERE scope_key = ? ORDER BY id DESC LIMIT ?').all(scopeKey(scope), limit)
        : this.#sql('SELECT * FROM disclaimer_versions ORDER BY id DESC LIMIT ?').all(limit)
    ) as DisclaimerRow[];
    return rows.map(toVersion);
  }

  byId(id: number): DisclaimerVersion | null {
    const row = this.#sql('SELECT * FROM disclaimer_versions WHERE id = ?').get(id) as DisclaimerRow | undefined;
    return row ? toVersion(row) : null;
  }

  revision(): number {
    const { n } = this.#sql('SELECT COALESCE(MAX(id), 0) AS n FROM disclaimer_versions').get() as { n: number };
    return n;
  }
}
