// better-sqlite3 is synchronous: the methods are declared async so that its throws become
// rejected promises, as the Store contract promises callers.
import { mkdirSync } from 'node:fs';
import { open, statfs, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import type { DisclaimerScope } from '../../core/disclaimer-scope.js';
import { migrate } from './migrations.js';
import { BodyFiles } from './body-files.js';
import { GroupCommit } from './group-commit.js';
import { WAIT_IN_PLACE, WAIT_YIELDING, whenUnlocked, type LockWait } from './lock-wait.js';
import { MessageBodies } from './message-bodies.js';
import { AccountQueries } from './account-queries.js';
import { PatientListQueries } from './patient-list-queries.js';
import { StatementCache } from './statement-cache.js';
import { DisclaimerQueries } from './disclaimer-queries.js';
import { toAudit, toHeld, toRecipient, toSummary, type AuditRow, type MessageRow, type RecipientRow } from './rows.js';
import {
  MESSAGE_STATES,
  type Account,
  type AttemptRecord,
  type AuditEntry,
  type Companion,
  type DisclaimerVersion,
  type NewDisclaimerVersion,
  type HeldMessage,
  type BodySpool,
  type LeasedMessage,
  LeaseLostError,
  StoreLockedError,
  type MessageState,
  type MessageSummary,
  type NewMessage,
  type QueueStats,
  type RecipientRecord,
  type Store,
} from '../types.js';

/**
 * How commits reach the disk. `wal-sync` (the relay): SQLite runs with synchronous=NORMAL
 * and every commit that must be durable (enqueue, delivery results) is followed by an
 * fdatasync of the WAL in the thread pool, shared by the whole group commit, so no fsync
 * blocks the event loop. `full` (CLI tools): synchronous=FULL, each commit fsynced in place.
 */
export type Durability = 'wal-sync' | 'full';

export interface SqliteStoreOptions {
  readonly durability?: Durability;
  /** Bodies of at most this many octets are kept in the database, larger ones as spool files. */
  readonly inlineBodyMax?: number;
  /** ping() fails while the data directory's file system has less free space than this (0: no check). */
  readonly minFreeBytes?: number;
}

/** A typical message with a small attachment, in one row; 50 clients at once hold under 7 MB. */
export const DEFAULT_INLINE_BODY_MAX = 128 * 1024;

/**
 * The embedded engine: metadata in SQLite (WAL); small bodies in the database, in the same
 * transaction as their row, and larger ones as files beside it. A database row is the commit
 * marker; a body file without a queued or held row is an orphan and is removed when the relay
 * starts. Deleted bodies are overwritten in the database file (secure_delete).
 */
export class SqliteStore implements Store {
  readonly engine = 'sqlite';
  readonly #db: Database.Database;
  readonly #bodies: MessageBodies;
  readonly #commits: GroupCommit;
  #wal: FileHandle | null = null;
  readonly #patients: PatientListQueries;
  readonly #accounts: AccountQueries;
  readonly #disclaimers: DisclaimerQueries;
  /** Prepared once, reused: preparing costs more than running these small statements. */
  readonly #statements: StatementCache;
  readonly #lockWait: LockWait;
  readonly #dataDir: string;
  readonly #minFreeBytes: number;

  private constructor(dataDir: string, durability: Durability, inlineBodyMax: number, minFreeBytes: number) {
    this.#dataDir = dataDir;
    this.#minFreeBytes = minFreeBytes;
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    this.#db = new Database(join(dataDir, 'mouthguard.db'));
    this.#db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode still syncs at checkpoints; durable commits sync the WAL themselves.
    this.#db.pragma(durability === 'wal-sync' ? 'synchronous = NORMAL' : 'synchronous = FULL');
    this.#db.pragma('foreign_keys = ON');
    this.#lockWait = durability === 'wal-sync' ? WAIT_YIELDING : WAIT_IN_PLACE;
    this.#db.pragma(`busy_timeout = ${WAIT_IN_PLACE.inPlaceMs}`);
    // A delivered body's pages are zeroed, not just unlinked from the b-tree: patient data
    // stays at rest only while it must.
    this.#db.pragma('secure_delete = ON');
    migrate(this.#db); // before anything listens: waiting in place for a pending migration is fine
    // The relay must not stop its event loop while a CLI tool holds the write lock (lock-wait.ts).
    this.#db.pragma(`busy_timeout = ${this.#lockWait.inPlaceMs}`);
    this.#statements = new StatementCache(this.#db);
    this.#patients = new PatientListQueries(this.#db);
    this.#accounts = new AccountQueries(this.#statements);
    this.#disclaimers = new DisclaimerQueries(this.#db);
    this.#bodies = new MessageBodies(this.#db, this.#statements, new BodyFiles(join(dataDir, 'spool')), inlineBodyMax);
    this.#commits = new GroupCommit(
      () => this.#bodies.files.syncDir(),
      (jobs) => {
        // IMMEDIATE: the write lock is taken (or waited for) at BEGIN. A deferred transaction that
        // reads first cannot wait for it later: SQLite answers SQLITE_BUSY at once when it tries to write.
        this.#db.transaction(() => jobs.forEach((job) => job())).immediate();
        this.#bodies.committed();
      },
      () => this.#wal?.datasync() ?? Promise.resolve(),
      { whenUnlocked: (commit) => this.#write(commit), lockedOut: (err) => err instanceof StoreLockedError },
    );
  }

  /** A write, retried while another process holds the database's write lock (within a bound). */
  #write<T>(write: () => T): Promise<T> {
    return whenUnlocked(write, this.#lockWait);
  }

  /** A transaction that reads before it writes: IMMEDIATE, so that it waits for the write lock at BEGIN. */
  #immediate<T>(body: () => T): () => T {
    const transaction = this.#db.transaction(body);
    return () => transaction.immediate();
  }

  #sql(text: string): Database.Statement {
    return this.#statements.get(text);
  }

  static async open(dataDir: string, options: SqliteStoreOptions = {}): Promise<SqliteStore> {
    const durability = options.durability ?? 'full';
    const store = new SqliteStore(dataDir, durability, options.inlineBodyMax ?? DEFAULT_INLINE_BODY_MAX, options.minFreeBytes ?? 0);
    await store.#bodies.files.init();
    // 'a' creates nothing SQLite would mind (an empty WAL is a valid one) and never writes.
    if (durability === 'wal-sync') store.#wal = await open(join(dataDir, 'mouthguard.db-wal'), 'a');
    return store;
  }

  /** Removes body files that have no queued or held message (receives cut short by a crash). */
  async removeOrphanBodies(): Promise<number> {
    const queued = new Set(
      (this.#sql("SELECT id FROM messages WHERE state IN ('queued', 'held')").all() as { id: string }[]).map((r) => r.id),
    );
    let removed = 0;
    for (const id of await this.#bodies.files.listIds()) {
      if (!queued.has(id)) {
        await this.#bodies.files.remove(id);
        removed++;
      }
    }
    return removed;
  }

  async ping(): Promise<void> {
    this.#sql('SELECT 1').get();
    if (this.#minFreeBytes <= 0) return;
    // A full disk fails every commit (451) while a query still answers: readiness must say so.
    const fs = await statfs(this.#dataDir);
    const free = fs.bavail * fs.bsize;
    if (free < this.#minFreeBytes) {
      throw new Error(`${mebibytes(free)} free in the data directory, below store.minFreeSpace (${mebibytes(this.#minFreeBytes)})`);
    }
  }

  async close(): Promise<void> {
    this.#bodies.close();
    if (this.#db.open) this.#db.close();
    const wal = this.#wal;
    this.#wal = null;
    await wal?.close();
  }

  createSpool(id: string): BodySpool {
    return this.#bodies.createSpool(id);
  }

  async enqueue(message: NewMessage, spool: BodySpool, companions: readonly Companion[] = []): Promise<void> {
    return this.#commits.run(() => {
      this.#insertMessage(message, spool);
      for (const c of companions) this.#insertMessage(c.message, c.spool);
    });
  }

  #insertMessage(m: NewMessage, spool: BodySpool): void {
    this.#sql(
      `INSERT INTO messages (id, kind, state, mail_from, client_json, size, trace_header, received_at, next_attempt_at, hold_json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      m.id,
      m.kind,
      m.hold ? 'held' : 'queued',
      m.mailFrom,
      m.client ? JSON.stringify(m.client) : null,
      m.size,
      m.traceHeader,
      m.receivedAt,
      m.hold ? null : m.receivedAt,
      m.hold ? JSON.stringify(m.hold) : null,
    );
    const rcpt = this.#sql(`INSERT INTO recipients (message_id, idx, address, status) VALUES (?, ?, ?, 'pending')`);
    m.rcptTo.forEach((address, idx) => rcpt.run(m.id, idx, address));
    this.#bodies.insert(m.id, spool);
  }

  async leaseDue(owner: string, limit: number, leaseMs: number, now: number): Promise<LeasedMessage[]> {
    // Chosen through the due index, then leased one by one by primary key, in one immediate
    // transaction. (A single UPDATE ... WHERE id IN (SELECT ...) cost time in proportion to the
    // whole table, finished messages kept for retention included: 0.4 ms a poll at 20,000 rows.)
    const rows = await this.#write(
      this.#immediate(() => {
        const due = this.#sql(
          `SELECT id FROM messages
           WHERE state = 'queued' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?)
           ORDER BY next_attempt_at LIMIT ?`,
        ).all(now, now, limit) as { id: string }[];
        const lease = this.#sql(`UPDATE messages SET lease_owner = ?, lease_until = ? WHERE id = ? RETURNING *`);
        return due.map(({ id }) => lease.get(owner, now + leaseMs, id) as MessageRow);
      }),
    );
    return rows.map((row) => ({
      ...toSummary(row, this.#recipients(row.id)),
      traceHeader: row.trace_header,
      leaseOwner: owner,
      leaseUntil: now + leaseMs,
    }));
  }

  async releaseAllLeases(): Promise<number> {
    const info = await this.#write(() => this.#sql(`UPDATE messages SET lease_owner = NULL, lease_until = NULL WHERE lease_owner IS NOT NULL`).run());
    return info.changes;
  }

  async openBody(id: string): Promise<Readable> {
    return this.#bodies.open(id);
  }

  async recordAttempt(record: AttemptRecord): Promise<void> {
    const apply = () => {
      const owned = this.#sql(`SELECT lease_owner FROM messages WHERE id = ? AND state = 'queued'`).get(record.id) as
        | { lease_owner: string | null }
        | undefined;
      if (!owned || owned.lease_owner !== record.owner) throw new LeaseLostError(record.id);
      const setRcpt = this.#sql(`UPDATE recipients SET status = ?, reply = ? WHERE message_id = ? AND address = ?`);
      for (const r of record.results) setRcpt.run(r.status, r.reply, record.id, r.address);
      const final = record.outcome.kind === 'final';
      this.#sql(
          `UPDATE messages SET attempts = attempts + 1, last_error = ?, lease_owner = NULL, lease_until = NULL,
             state = ?, next_attempt_at = ?, finished_at = ? WHERE id = ?`,
        )
        .run(
          record.lastError,
          final ? record.outcome.state : 'queued',
          record.outcome.kind === 'retry' ? record.outcome.nextAttemptAt : null,
          final ? Date.now() : null,
          record.id,
        );
      if (final) inline = this.#bodies.deleteInline(record.id);
      if (record.bounce) this.#insertMessage(record.bounce.message, record.bounce.spool);
    };
    let inline = false;
    // Through the group commit: durable before a body file goes, and batched with other commits.
    await this.#commits.run(apply);
    if (record.outcome.kind === 'final') await this.#bodies.removed(record.id, inline);
  }

  async getMessage(id: string): Promise<MessageSummary | null> {
    const row = this.#sql('SELECT * FROM messages WHERE id = ?').get(id) as MessageRow | undefined;
    return Promise.resolve(row ? toSummary(row, this.#recipients(id)) : null);
  }

  async listMessages(filter: { state?: MessageState | undefined; limit: number }): Promise<MessageSummary[]> {
    const rows = (
      filter.state
        ? this.#sql('SELECT * FROM messages WHERE state = ? ORDER BY received_at DESC LIMIT ?').all(filter.state, filter.limit)
        : this.#sql('SELECT * FROM messages ORDER BY received_at DESC LIMIT ?').all(filter.limit)
    ) as MessageRow[];
    return Promise.resolve(rows.map((row) => toSummary(row, this.#recipients(row.id))));
  }

  async retryNow(id: string, now: number): Promise<'due' | 'in-flight' | 'not-queued'> {
    return this.#write(
      this.#immediate(() => {
        const status = this.#operatorTarget(id, now);
        if (status !== 'free') return status;
        this.#sql(`UPDATE messages SET next_attempt_at = ?, lease_owner = NULL, lease_until = NULL WHERE id = ?`).run(now, id);
        return 'due';
      }),
    );
  }

  async deleteMessage(id: string, now: number): Promise<'deleted' | 'in-flight' | 'not-queued'> {
    const outcome = await this.#write(
      this.#immediate(() => {
        const status = this.#operatorTarget(id, now);
        if (status !== 'free') return { status, inline: false };
        this.#sql(
          `UPDATE messages SET state = 'deleted', finished_at = ?, lease_owner = NULL, lease_until = NULL, next_attempt_at = NULL WHERE id = ?`,
        ).run(now, id);
        return { status: 'deleted' as const, inline: this.#bodies.deleteInline(id) };
      }),
    );
    if (outcome.status === 'deleted') await this.#bodies.removed(id, outcome.inline);
    return outcome.status;
  }

  /** Whether an operator may act on a message now: queued and under no live lease. */
  #operatorTarget(id: string, now: number): 'free' | 'in-flight' | 'not-queued' {
    const row = this.#sql(`SELECT state, lease_until FROM messages WHERE id = ?`).get(id) as Pick<MessageRow, 'state' | 'lease_until'> | undefined;
    if (row?.state !== 'queued') return 'not-queued';
    return row.lease_until !== null && row.lease_until > now ? 'in-flight' : 'free';
  }

  async stats(): Promise<QueueStats> {
    const byState = Object.fromEntries(MESSAGE_STATES.map((s) => [s, 0])) as Record<MessageState, number>;
    const rows = this.#sql('SELECT state, COUNT(*) AS n FROM messages GROUP BY state').all() as { state: MessageState; n: number }[];
    for (const row of rows) byState[row.state] = row.n;
    const oldest = this.#sql(`SELECT MIN(received_at) AS t FROM messages WHERE state = 'queued'`).get() as { t: number | null };
    const oldestHeld = this.#sql(`SELECT MIN(received_at) AS t FROM messages WHERE state = 'held'`).get() as { t: number | null };
    const byRule = this.#sql(
      `SELECT json_extract(r.value, '$.rule') AS rule, COUNT(DISTINCT m.id) AS n
       FROM messages m, json_each(m.hold_json, '$.reasons') r
       WHERE m.state = 'held' AND json_extract(r.value, '$.mode') = 'enforce'
       GROUP BY rule`,
    ).all() as { rule: string; n: number }[];
    const heldByRule = Object.fromEntries(byRule.map((r) => [r.rule, r.n]));
    return Promise.resolve({ byState, oldestQueuedAt: oldest.t, oldestHeldAt: oldestHeld.t, heldByRule });
  }

  async purgeFinished(before: number): Promise<number> {
    const info = await this.#write(() => this.#sql('DELETE FROM messages WHERE finished_at IS NOT NULL AND finished_at < ?').run(before));
    return info.changes;
  }

  #recipients(id: string): RecipientRecord[] {
    return (this.#sql('SELECT * FROM recipients WHERE message_id = ? ORDER BY idx').all(id) as RecipientRow[]).map(toRecipient);
  }

  async listHeld(limit: number): Promise<HeldMessage[]> {
    const rows = this.#sql(`SELECT * FROM messages WHERE state = 'held' ORDER BY received_at LIMIT ?`).all(limit) as MessageRow[];
    return Promise.resolve(rows.map((row) => toHeld(row, this.#recipients(row.id))));
  }

  async viewHeld(id: string, actor: string, now: number): Promise<HeldMessage | null> {
    return this.#write(
      this.#immediate(() => {
        const row = this.#sql(`SELECT * FROM messages WHERE id = ? AND state = 'held'`).get(id) as MessageRow | undefined;
        if (!row) return null;
        this.#audit(id, now, actor, 'view', null);
        return toHeld(row, this.#recipients(id));
      }),
    );
  }

  async releaseHeld(id: string, actor: string, note: string | null, now: number): Promise<boolean> {
    return this.#write(
      this.#db.transaction(() => {
        const info = this.#sql(`UPDATE messages SET state = 'queued', next_attempt_at = ? WHERE id = ? AND state = 'held'`).run(now, id);
        if (info.changes === 1) this.#audit(id, now, actor, 'release', note);
        return info.changes === 1;
      }),
    );
  }

  async rejectHeld(id: string, actor: string, reason: string, now: number, notice?: Companion): Promise<boolean> {
    let rejected = false;
    let inline = false;
    await this.#commits.run(() => {
      const info = this.#sql(`UPDATE messages SET state = 'rejected', finished_at = ? WHERE id = ? AND state = 'held'`).run(now, id);
      rejected = info.changes === 1;
      if (!rejected) return;
      inline = this.#bodies.deleteInline(id);
      this.#audit(id, now, actor, 'reject', reason);
      if (notice) this.#insertMessage(notice.message, notice.spool);
    });
    if (rejected) await this.#bodies.removed(id, inline);
    else if (notice) await notice.spool.discard();
    return rejected;
  }

  async auditTrail(id: string): Promise<AuditEntry[]> {
    const rows = this.#sql('SELECT * FROM audit WHERE message_id = ? ORDER BY at, id').all(id) as AuditRow[];
    return Promise.resolve(rows.map(toAudit));
  }

  #audit(id: string, at: number, actor: string, action: AuditEntry['action'], note: string | null): void {
    this.#sql('INSERT INTO audit (message_id, at, actor, action, note) VALUES (?, ?, ?, ?, ?)').run(id, at, actor, action, note);
  }

  async addAccount(account: Omit<Account, 'createdAt'>): Promise<void> {
    await this.#write(() => this.#accounts.add(account));
  }

  async getAccount(name: string): Promise<Account | null> {
    return Promise.resolve(this.#accounts.get(name));
  }

  async listAccounts(): Promise<Account[]> {
    return Promise.resolve(this.#accounts.list());
  }

  async removeAccount(name: string): Promise<boolean> {
    return this.#write(() => this.#accounts.remove(name));
  }

  async setPassword(name: string, passwordHash: string): Promise<boolean> {
    return this.#write(() => this.#accounts.setPassword(name, passwordHash));
  }

  async patientListSecret(): Promise<Buffer> {
    return this.#write(() => this.#patients.secret());
  }

  async replacePatientHashes(hashes: readonly string[], importedAt: number): Promise<void> {
    await this.#write(() => this.#patients.replace(hashes, importedAt));
  }

  async patientHashes(): Promise<Set<string>> {
    return Promise.resolve(this.#patients.hashes());
  }

  async patientListInfo(): Promise<{ count: number; importedAt: number | null }> {
    return Promise.resolve(this.#patients.info());
  }

  async clearPatientList(): Promise<void> {
    await this.#write(() => this.#patients.clear());
  }

  async addDisclaimerVersion(version: NewDisclaimerVersion): Promise<DisclaimerVersion> {
    return this.#write(() => this.#disclaimers.add(version));
  }

  async currentDisclaimers(): Promise<DisclaimerVersion[]> {
    return Promise.resolve(this.#disclaimers.current());
  }

  async disclaimerHistory(scope: DisclaimerScope | null, limit: number): Promise<DisclaimerVersion[]> {
    return Promise.resolve(this.#disclaimers.history(scope, limit));
  }

  async disclaimerVersion(id: number): Promise<DisclaimerVersion | null> {
    return Promise.resolve(this.#disclaimers.byId(id));
  }

  async disclaimerRevision(): Promise<number> {
    return Promise.resolve(this.#disclaimers.revision());
  }
}

function mebibytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
