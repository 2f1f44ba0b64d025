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

/**
 * Upstream replies go into logs, the store and DSNs: one line, bounded, nothing that could
 * disguise a log line (controls, bidi overrides and other format characters, unassigned code
 * points). Text in UTF-8, which providers use for internationalised addresses, stays readable
 * (a DSN quoting it takes RFC 6533's UTF-8 form).
 */
export function cleanReply(text: string): string {
  const line = text
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/gu, '?')
    .trim();
  return line.length <= 500 ? line : Array.from(line).slice(0, 500).join(''); // whole characters
}
