import type { Readable, Writable } from 'node:stream';
import type { DisclaimerScope } from '../core/disclaimer-scope.js';
import type { ClientInfo } from '../core/envelope.js';
import type { Finding } from '../core/finding.js';
import type { Reason } from '../core/verdict.js';

/**
 * The store contract. SQLite is the embedded engine; PostgreSQL follows behind the same
 * interfaces, so nothing outside `src/store` may assume either (no SQL, no file paths).
 */

/**
 * queued: waiting for (or in) delivery; held: waiting for a reviewer's decision (never
 * delivered, never expires); delivered/bounced/rejected/deleted: final, body gone.
 */
export type MessageState = 'queued' | 'held' | 'delivered' | 'bounced' | 'rejected' | 'deleted';
export const MESSAGE_STATES: readonly MessageState[] = ['queued', 'held', 'delivered', 'bounced', 'rejected', 'deleted'];

/** message: from a client; bounce: a DSN; notice: a policy notice to a sender (both null sender, never bounced). */
export type MessageKind = 'message' | 'bounce' | 'notice';

/** Why a message was held, kept with it for the reviewer. Findings hold patient data: reviewers only. */
export interface HoldDetails {
  readonly reasons: readonly Reason[];
  readonly findings: readonly Finding[];
  readonly chain: { readonly earlierRecipients: number; readonly earlierExternalRecipients: number; readonly visibleExternalRecipients: number };
}

export interface AuditEntry {
  readonly messageId: string;
  readonly at: number;
  /** Who: a console user, or "cli:<os user>". */
  readonly actor: string;
  readonly action: 'view' | 'release' | 'reject';
  readonly note: string | null;
}

export interface HeldMessage extends MessageSummary {
  readonly hold: HoldDetails;
}

/** Another message committed in the same transaction (a notice with a hold, say). */
export interface Companion {
  readonly message: NewMessage;
  readonly spool: BodySpool;
}

/** pending: still to deliver; delivered: upstream said 2xx; failed: permanent failure, bounced. */
export type RecipientStatus = 'pending' | 'delivered' | 'failed';

export interface RecipientRecord {
  readonly address: string;
  readonly status: RecipientStatus;
  /** The last upstream reply (or local reason) for this recipient. */
  readonly reply: string | null;
}

export interface NewMessage {
  readonly id: string;
  readonly kind: MessageKind;
  readonly mailFrom: string;
  readonly rcptTo: readonly string[];
  readonly client: ClientInfo | null;
  readonly size: number;
  /** Trace header lines (CRLF-terminated) prepended to the body on delivery. */
  readonly traceHeader: string;
  readonly receivedAt: number;
  /** Present: the message enters the held state instead of the queue. */
  readonly hold?: HoldDetails | undefined;
}

/**
 * Where a message body goes while it is received: a Writable that accepts the raw bytes
 * as they arrive. `end()` makes the bytes durable (fsync) before 'finish'. A spool that is
 * never committed must be discarded; the store also removes orphans when it opens.
 */
export interface BodySpool extends Writable {
  /** Bytes written so far. */
  readonly bytesWritten: number;
  /** The bytes written, from the start, once the spool has finished (for inspection before the commit). */
  readBack(): Readable;
  /** Throws away what was written. Safe to call more than once, and after a failed write. */
  discard(): Promise<void>;
}

export interface MessageSummary {
  readonly id: string;
  readonly kind: MessageKind;
  readonly state: MessageState;
  readonly mailFrom: string;
  readonly recipients: readonly RecipientRecord[];
  readonly size: number;
  readonly receivedAt: number;
  readonly attempts: number;
  readonly nextAttemptAt: number | null;
  readonly lastError: string | null;
  readonly finishedAt: number | null;
  readonly client: ClientInfo | null;
  /** A delivery attempt holds the message until then (its lease; it may have ended): null if none. */
  readonly leasedUntil: number | null;
}

/** A message a worker owns until `leaseUntil`, or until it records the attempt. */
export interface LeasedMessage extends MessageSummary {
  readonly traceHeader: string;
  readonly leaseOwner: string;
  /** When the lease ends: after it, another worker may take the message. */
  readonly leaseUntil: number;
}

/** The message was taken over by another worker (its lease expired) or finished meanwhile. */
export class LeaseLostError extends Error {
  constructor(id: string) {
    super(`lease on ${id} was lost`);
    this.name = 'LeaseLostError';
  }
}

export interface RecipientResult {
  readonly address: string;
  readonly status: RecipientStatus;
  readonly reply: string;
}

export type AttemptOutcome =
  | { readonly kind: 'retry'; readonly nextAttemptAt: number }
  | { readonly kind: 'final'; readonly state: 'delivered' | 'bounced' };

export interface AttemptRecord {
  readonly id: string;
  readonly owner: string;
  readonly results: readonly RecipientResult[];
  readonly outcome: AttemptOutcome;
  readonly lastError: string | null;
  /** A DSN to enqueue in the same transaction (its spool already ended). */
  readonly bounce?: { readonly message: NewMessage; readonly spool: BodySpool } | undefined;
}

export interface QueueStats {
  readonly byState: Readonly<Record<MessageState, number>>;
  /** receivedAt of the oldest queued message, or null. */
  readonly oldestQueuedAt: number | null;
  /** receivedAt of the oldest held message, or null. */
  readonly oldestHeldAt: number | null;
  /** Held messages by the rule names that held them (a message held by two rules counts for each). */
  readonly heldByRule: Readonly<Record<string, number>>;
}

/**
 * Held mail: a state a message enters, never a dead end. Every view and decision is
 * recorded in the audit trail in the same transaction as the decision itself.
 */
export interface HeldStore {
  listHeld(limit: number): Promise<HeldMessage[]>;
  /** The held message (null if not held), recording the view by `actor`. */
  viewHeld(id: string, actor: string, now: number): Promise<HeldMessage | null>;
  /** The held body as received, for a reviewer (after viewHeld). */
  openBody(id: string): Promise<Readable>;
  /** Held → queued, due now. False if not held. */
  releaseHeld(id: string, actor: string, note: string | null, now: number): Promise<boolean>;
  /** Held → rejected (body deleted), with a notice to the sender in the same transaction. False if not held. */
  rejectHeld(id: string, actor: string, reason: string, now: number, notice?: Companion): Promise<boolean>;
  auditTrail(id: string): Promise<AuditEntry[]>;
}

/**
 * The queue. Concurrency: any number of receivers and workers may call it at once; a
 * message is delivered by one lease holder at a time. Failure: every method rejects on a
 * store error and leaves the previous state intact (each change is one transaction).
 */
export interface QueueStore {
  createSpool(id: string): BodySpool;
  /**
   * Durably commits the message and its ended spool, with any companions, in one
   * transaction: queued messages are due at once, a message with `hold` is held.
   */
  enqueue(message: NewMessage, spool: BodySpool, companions?: readonly Companion[]): Promise<void>;
  /** Leases up to `limit` due messages for `leaseMs`; expired leases are taken over. */
  leaseDue(owner: string, limit: number, leaseMs: number, now: number): Promise<LeasedMessage[]>;
  /** Returns leases held by anyone to the queue at once (a single relay starting up). */
  releaseAllLeases(): Promise<number>;
  /** The body as received (without the trace header). Rejects if it is gone. */
  openBody(id: string): Promise<Readable>;
  /** Records a delivery attempt by the lease owner; a final outcome deletes the body. */
  recordAttempt(record: AttemptRecord): Promise<void>;
  getMessage(id: string): Promise<MessageSummary | null>;
  listMessages(filter: { state?: MessageState | undefined; limit: number }): Promise<MessageSummary[]>;
  /**
   * Makes a queued message due now (an expired lease is cleared). A message under a live lease is
   * being delivered at this moment and is left alone ('in-flight'): clearing its lease would have
   * another worker send it a second time while the first attempt is still talking to the upstream.
   */
  retryNow(id: string, now: number): Promise<'due' | 'in-flight' | 'not-queued'>;
  /** Operator deletion: state deleted, body removed; never under a live lease (the attempt would still deliver it). */
  deleteMessage(id: string, now: number): Promise<'deleted' | 'in-flight' | 'not-queued'>;
  stats(): Promise<QueueStats>;
  /** Removes the metadata of final messages finished before `before`. */
  purgeFinished(before: number): Promise<number>;
}

export interface Account {
  readonly name: string;
  readonly passwordHash: string;
  /** Addresses ("alice@example.org") and domains ("@example.org"); empty: the practice's domains. */
  readonly allowedSenders: readonly string[];
  readonly createdAt: number;
}

export interface AccountStore {
  addAccount(account: Omit<Account, 'createdAt'>): Promise<void>;
  getAccount(name: string): Promise<Account | null>;
  listAccounts(): Promise<Account[]>;
  removeAccount(name: string): Promise<boolean>;
  setPassword(name: string, passwordHash: string): Promise<boolean>;
}

/**
 * The practice's patient list for exact data match: keyed hashes only, never plaintext (the
 * normalising and hashing happen before the store sees anything). The secret is created once
 * per installation and kept; a clear removes the list, not the secret.
 */
export interface PatientListStore {
  /** The installation's random HMAC key (32 bytes), created on first use. Never log it. */
  patientListSecret(): Promise<Buffer>;
  /**
   * Replaces the whole list in one transaction. Each hash must be a lowercase hex SHA-256
   * digest (64 characters): anything else is refused, so plaintext can never be stored.
   */
  replacePatientHashes(hashes: readonly string[], importedAt: number): Promise<void>;
  patientHashes(): Promise<Set<string>>;
  /** How many distinct hashes, and when they were imported (null: no list). */
  patientListInfo(): Promise<{ count: number; importedAt: number | null }>;
  clearPatientList(): Promise<void>;
}

/** One saved disclaimer text: templates with {{fields}}, exactly as a manager saved them. */
export interface NewDisclaimerVersion {
  readonly scope: DisclaimerScope;
  /** Plain-text template. */
  readonly text: string;
  /** HTML template (already reduced to the safe subset). */
  readonly html: string;
  /** Which of the two was derived from the other rather than written (null: both written). */
  readonly derived: 'text' | 'html' | null;
  /** Who: a console user, or "cli:<os user>". */
  readonly author: string;
  readonly note: string | null;
  readonly createdAt: number;
  /** The version id this one restores, for a rollback. */
  readonly rollbackOf?: number | null | undefined;
  /** True: this version removes the scope's text (the next less specific scope applies again). */
  readonly removed?: boolean | undefined;
}

export interface DisclaimerVersion extends NewDisclaimerVersion {
  /** Unique across all scopes, increasing with every change. */
  readonly id: number;
  /** 1, 2, 3 … within its scope. */
  readonly version: number;
  readonly rollbackOf: number | null;
  readonly removed: boolean;
}

/**
 * Disclaimer texts and their history. Nothing is ever overwritten: every change (a save, a
 * rollback, a removal) is a new version, so the history is the audit trail.
 */
export interface DisclaimerStore {
  addDisclaimerVersion(version: NewDisclaimerVersion): Promise<DisclaimerVersion>;
  /** The newest version of every scope, leaving out scopes whose newest version is a removal. */
  currentDisclaimers(): Promise<DisclaimerVersion[]>;
  /** Newest first; one scope, or every scope when null. */
  disclaimerHistory(scope: DisclaimerScope | null, limit: number): Promise<DisclaimerVersion[]>;
  disclaimerVersion(id: number): Promise<DisclaimerVersion | null>;
  /** The id of the newest version of any scope (0: none). Cheap: delivery asks before every message. */
  disclaimerRevision(): Promise<number>;
}

export interface Store extends QueueStore, HeldStore, AccountStore, PatientListStore, DisclaimerStore {
  readonly engine: string;
  /** Resolves if the store can take a message now: it answers a query and has room; else rejects saying why. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Another process kept the store's write lock for longer than a write may wait for it (5 s):
 * nothing was changed; trying again later can succeed.
 */
export class StoreLockedError extends Error {
  constructor(options?: { cause?: unknown }) {
    super('the database stayed locked for 5 s (another mouthguard command, an import or a backup holds its write lock)', options);
    this.name = 'StoreLockedError';
  }
}

export class AccountExistsError extends Error {
  constructor(name: string) {
    super(`account ${name} already exists`);
    this.name = 'AccountExistsError';
  }
}
