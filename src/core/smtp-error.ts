import { replies, replyText, type ReplyName } from './replies.js';

/**
 * An SMTP reply with a public face (code, enhanced code, generic text from the reply table)
 * and a private cause for the logs. smtp-server sends `responseCode` and `message`.
 */
export class SmtpError extends Error {
  readonly responseCode: number;
  readonly enhanced: string;
  readonly reply: ReplyName;
  readonly temporary: boolean;

  constructor(reply: ReplyName, options: { cause?: unknown; detail?: string } = {}) {
    const entry = replies[reply];
    super(replyText(entry), { cause: options.cause });
    this.name = 'SmtpError';
    this.reply = reply;
    this.responseCode = entry.code;
    this.enhanced = entry.enhanced;
    this.temporary = entry.code < 500;
    this.detail = options.detail;
  }

  /** Private explanation for logs; never sent to the client. */
  readonly detail: string | undefined;

  /** Fields for a pino log line. */
  fields(): Record<string, unknown> {
    const cause = this.cause instanceof Error ? this.cause.message : undefined;
    return { reply: this.reply, code: this.responseCode, detail: this.detail, cause };
  }
}

/** Anything that is not already an SmtpError becomes a temporary local error. */
export function toSmtpError(err: unknown): SmtpError {
  return err instanceof SmtpError ? err : new SmtpError('localError', { cause: err });
}
