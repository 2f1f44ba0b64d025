import { textHasDisclaimer } from './presence.js';
import { textReplyBoundary } from './reply-boundary.js';
import type { DisclaimerContent, RewriteSettings } from './types.js';

export interface TextInsertOptions {
  readonly placement: RewriteSettings['placement'];
  readonly repeat: RewriteSettings['repeat'];
  /** The part is format=flowed (RFC 3676): inserted lines must not look soft-broken or stuffed. */
  readonly flowed: boolean;
  /** The line break the part uses. */
  readonly eol: string;
}

/** The conventional signature delimiter: clients grey out and leave out what follows when quoting. */
const SIG_DELIMITER = '-- ';

/**
 * The text with the disclaimer under the newest reply (above the quoted earlier messages) or
 * at the bottom; null when the thread (or, for every-message, the newest part)
 * already carries it. Separated by a signature delimiter unless the sender's own signature
 * already has one, then by a single blank line; no stray blank lines.
 */
export function insertIntoText(text: string, content: DisclaimerContent, options: TextInsertOptions): string | null {
  const boundary = options.placement === 'reply' ? textReplyBoundary(text) : null;
  const newest = boundary === null ? text : text.slice(0, boundary);
  if (textHasDisclaimer(options.repeat === 'once-per-thread' ? text : newest, content)) return null;

  const { eol } = options;
  const reply = newest.replace(/\s+$/, '');
  const hasSignature = reply.split(/\r?\n/).some((line) => line === SIG_DELIMITER);
  const lines = content.text.split('\n').map((line) => (options.flowed ? flowedSafe(line) : line));
  const block = [...(hasSignature ? [] : [SIG_DELIMITER]), ...lines].join(eol);
  const head = reply ? reply + eol + eol + block : block;

  if (boundary !== null) return head + eol + eol + text.slice(boundary);
  return head + (/\r?\n$/.test(text) || text === '' ? eol : '');
}

/**
 * A flowed line that ends in a space is joined to the next one, and a line starting with a
 * space, ">" or "From " must be space-stuffed (RFC 3676 4.2, 4.4).
 */
function flowedSafe(line: string): string {
  const trimmed = line.replace(/ +$/, '');
  return /^( |>|From )/.test(trimmed) ? ` ${trimmed}` : trimmed;
}
