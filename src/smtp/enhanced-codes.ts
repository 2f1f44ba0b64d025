import type { Writable } from 'node:stream';
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';

/**
 * smtp-server derives an enhanced status code from the basic code of every reply (550
 * becomes 5.1.1 "mailbox unavailable", wrong for a policy refusal). Our replies come from
 * the reply table and already begin with their enhanced code, so for those we tell
 * smtp-server to add none; its own replies keep its codes. Pinned by a wire-level test.
 */
const ENHANCED_PREFIX = /^[245]\.\d{1,3}\.\d{1,3} /;
let installed = false;

/**
 * Replies written in the same tick leave in one write: a pipelined MAIL, RCPT and DATA get
 * their three replies in one segment (one syscall, one wake-up of the client) instead of three.
 */
function coalesce(socket: Writable | undefined): void {
  if (!socket || socket.writableCorked > 0) return;
  socket.cork();
  process.nextTick(() => socket.uncork());
}

type Send = (code: number, data: unknown, context?: unknown) => void;

export function useOwnEnhancedCodes(): void {
  if (installed) return;
  installed = true;
  const proto = SMTPConnection.prototype as unknown as { send: Send };
  const original = proto.send;
  proto.send = function send(this: { _socket?: Writable }, code: number, data: unknown, context?: unknown) {
    const own = typeof data === 'string' && ENHANCED_PREFIX.test(data);
    coalesce(this._socket);
    original.call(this, code, data, own ? false : context);
  };
}
