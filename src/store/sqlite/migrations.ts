import type Database from 'better-sqlite3';

/** Versioned schema changes, applied in order, each in its own transaction. Never edit one that shipped. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE messages (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    state           TEXT NOT NULL,
    mail_from       TEXT NOT NULL,
    client_json     TEXT,
    size            INTEGER NOT NULL,
    trace_header    TEXT NOT NULL,
    received_at     INTEGER NOT NULL,
    next_attempt_at INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0,
    lease_owner     TEXT,
    lease_until     INTEGER,
    last_error      TEXT,
    finished_at     INTEGER
  ) STRICT;
  CREATE INDEX messages_due ON messages (state, next_attempt_at);
  CREATE INDEX messages_finished ON messages (finished_at) WHERE finished_at IS NOT NULL;
  CREATE TABLE recipients (
    message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    idx        INTEGER NOT NULL,
    address    TEXT NOT NULL,
    status     TEXT NOT NULL,
    reply      TEXT,
    PRIMARY KEY (message_id, idx)
  ) STRICT;
  CREATE TABLE accounts (
    name                 TEXT PRIMARY KEY,
    password_hash        TEXT NOT NULL,
    allowed_senders_json TEXT NOT NULL,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL
  ) STRICT;
  `,
  `
  ALTER TABLE messages ADD COLUMN hold_json TEXT;
  CREATE TABLE audit (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id TEXT NOT NULL,
    at         INTEGER NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    note       TEXT
  ) STRICT;
  CREATE INDEX audit_message ON audit (message_id, at);
  `,
  `
  CREATE TABLE patient_list_meta (
    key   TEXT PRIMARY KEY,
    value TEXT
  ) STRICT;
  CREATE TABLE patient_hashes (
    hash TEXT PRIMARY KEY
  ) STRICT, WITHOUT ROWID;
  `,
  `
  CREATE TABLE disclaimer_versions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    scope_key   TEXT NOT NULL,
    version     INTEGER NOT NULL,
    text        TEXT NOT NULL,
    html        TEXT NOT NULL,
    derived     TEXT,
    author      TEXT NOT NULL,
    note        TEXT,
    created_at  INTEGER NOT NULL,
    rollback_of INTEGER,
    removed     INTEGER NOT NULL DEFAULT 0,
    UNIQUE (scope_key, version)
  ) STRICT;
  `,
  `
  CREATE TABLE bodies (
    message_id TEXT PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    data       BLOB NOT NULL
  ) STRICT;
  `,
];

export function migrate(db: Database.Database): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT');
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  const current = row.v ?? 0;
  if (current > MIGRATIONS.length) {
    throw new Error(`the database schema is version ${current}, newer than this mouthguard (${MIGRATIONS.length}): upgrade mouthguard`);
  }
  for (let version = current + 1; version <= MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version - 1]!);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(version, Date.now());
    })();
  }
  return MIGRATIONS.length;
}
