import type { Readable } from 'node:stream';

/** delivered: 2xx; failed: permanent (5xx), bounce now; deferred: temporary, retry later. */
export type RecipientOutcomeStatus = 'delivered' | 'failed' | 'deferred';

export interface RecipientOutcome {
  readonly address: string;
  readonly status: RecipientOutcomeStatus;
  /** The upstream's reply, or a local description such as "connection refused". */
  readonly reply: string;
}

/**
 * Where messages go: the practice's provider (SMTP) or, in the demo, a capture directory.
 * `send` never throws for delivery problems: every recipient gets an outcome, so the
 * caller decides retries and bounces in one place. Safe to call concurrently.
 */
export interface Upstream {
  readonly description: string;
  send(mailFrom: string, recipients: readonly string[], raw: Readable, id: string): Promise<RecipientOutcome[]>;
  close(): Promise<void>;
}

/** Upstream replies go into logs, the store and DSNs: one line, printable ASCII, bounded. */
export function cleanReply(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/[^\x20-\x7e]/g, '?').trim().slice(0, 500);
}
