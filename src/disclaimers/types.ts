/** What the rewriter inserts: one disclaimer, already rendered for this message's sender. */
export interface DisclaimerContent {
  /** Stable id of the template ("mg-…"), carried by the HTML wrapper so a later pass recognises it. */
  readonly marker: string;
  /** Rendered plain text, lines separated by "\n", no trailing newline. */
  readonly text: string;
  /** Rendered HTML fragment (the rewriter adds the marked wrapper around it). */
  readonly html: string;
  /**
   * The plain-text template the text was rendered from. Its fixed wording (without the
   * {{fields}}) is how a disclaimer is recognised in plain text and in quoted replies, where
   * no marker survives and the fields may have been filled in for another sender.
   */
  readonly templateText: string;
}

export interface RewriteSettings {
  readonly placement: 'reply' | 'bottom';
  readonly repeat: 'once-per-thread' | 'every-message';
  /** Signed, encrypted or DKIM-signed mail. `hold` is decided on receipt; here it means skip. */
  readonly signed: 'skip' | 'wrap' | 'hold';
  readonly skipMachineMail: boolean;
  /** Text and HTML body parts above this many (encoded) bytes are left untouched. */
  readonly maxBodyPartSize: number;
}

/** Why a message, or one of its body parts, was left as it was. Bounded: used as a metric label. */
export type UntouchedReason =
  | 'no-disclaimer'
  | 'signed'
  | 'encrypted'
  | 'dkim-signed'
  | 'machine-generated'
  | 'calendar'
  | 'no-body-part'
  | 'already-present'
  | 'unsupported-encoding'
  | 'unknown-charset'
  | 'part-too-large'
  /** The disclaimer holds a line that would read as a MIME delimiter of the message. */
  | 'delimiter-in-text'
  | 'unparseable';

export interface RewriteReport {
  /** inserted: into one or more body parts; wrapped: signed mail wrapped; unchanged: byte-identical. */
  readonly outcome: 'inserted' | 'wrapped' | 'unchanged';
  /** Why nothing was inserted (for unchanged), else null. */
  readonly reason: UntouchedReason | null;
  /** Body parts that received the disclaimer. */
  readonly partsChanged: number;
  /** Body parts left alone, with why (a part that already carried it counts here too). */
  readonly partsSkipped: readonly UntouchedReason[];
}
