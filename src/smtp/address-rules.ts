import type { ReplyName } from '../core/replies.js';

/**
 * Recipient and sender addresses the relay refuses whoever asks, because they route mail
 * somewhere other than where they appear to: the percent hack (user%host@relay), bang
 * paths (host!user), quoted local parts hiding '@', '%' or '!', and IP address literals
 * (they bypass every domain-based rule). Source routes are stripped by smtp-server before
 * we see the address (RFC 5321 says to ignore them), so what remains is the real target.
 */
export function addressRoutingProblem(address: string): ReplyName | null {
  const at = address.lastIndexOf('@');
  if (at <= 0) return 'addressRouting';
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (domain.startsWith('[')) return 'addressLiteral';
  if (/[%!@]/.test(local)) return 'addressRouting';
  return null;
}
