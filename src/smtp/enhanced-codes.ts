import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';

/**
 * smtp-server derives an enhanced status code from the basic code of every reply (550
 * becomes 5.1.1 "mailbox unavailable", wrong for a policy refusal). Our replies come from
 * the reply table and already begin with their enhanced code, so for those we tell
 * smtp-server to add none; its own replies keep its codes. Pinned by a wire-level test.
 */
const ENHANCED_PREFIX = /^[245]\.\d{1,3}\.\d{1,3} /;
let installed = false;

type Send = (code: number, data: unknown, context?: unknown) => void;

export function useOwnEnhancedCodes(): void {
  if (installed) return;
  installed = true;
  const proto = SMTPConnection.prototype as unknown as { send: Send };
  const original = proto.send;
  proto.send = function send(this: unknown, code: number, data: unknown, context?: unknown) {
    const own = typeof data === 'string' && ENHANCED_PREFIX.test(data);
    original.call(this, code, data, own ? false : context);
  };
}
