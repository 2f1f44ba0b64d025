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
  if (at <= 0 || at === address.length - 1) return 'addressIncomplete';
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  // A bracketed literal, or an address written as a domain ("user@192.0.2.1"): no top-level
  // domain is all digits (RFC 3696 2), so such a "domain" can only be meant as an address.
  if (domain.startsWith('[') || /(?:^|\.)\d+\.?$/.test(domain)) return 'addressLiteral';
  if (/[%!@]/.test(local)) return 'addressRouting';
  return null;
}
