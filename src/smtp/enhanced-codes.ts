import type { Writable } from 'node:stream';
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';
import { replies, replyText } from '../core/replies.js';

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
interface Connection {
  _socket?: Writable;
  secure?: boolean;
  session?: { [AUTH_NEVER_OFFERED]?: boolean };
  _isSupported?: (command: string) => boolean;
}

/** Marks a session (on a plain listener) where AUTH is not offered even after STARTTLS. */
const AUTH_NEVER_OFFERED = 'mouthguardAuthNeverOffered';
export function markAuthNeverOffered(session: object): void {
  (session as { [AUTH_NEVER_OFFERED]?: boolean })[AUTH_NEVER_OFFERED] = true;
}

export function useOwnEnhancedCodes(): void {
  if (installed) return;
  installed = true;
  const proto = SMTPConnection.prototype as unknown as { send: Send };
  const original = proto.send;
  proto.send = function send(this: Connection, code: number, data: unknown, context?: unknown) {
    coalesce(this._socket);
    // AUTH is disabled where it is not offered (front-door.ts), so smtp-server would call it an
    // unknown command. On a plain listener it is never offered; elsewhere it is after STARTTLS,
    // which RFC 3207's reply says.
    if (code === 500 && context === 'AUTH') {
      const reply = this.session?.[AUTH_NEVER_OFFERED]
        ? replies.authNotOffered
        : !this.secure && this._isSupported?.('STARTTLS')
          ? replies.startTlsFirst
          : null;
      if (reply) {
        original.call(this, reply.code, replyText(reply), false);
        return;
      }
    }
    const own = typeof data === 'string' && ENHANCED_PREFIX.test(data);
    original.call(this, code, data, own ? false : context);
  };
}
