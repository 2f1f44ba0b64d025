import { domainOf } from '../core/envelope.js';

/**
 * May this login use `address` as its sender (MAIL FROM and From)? Entries are full addresses
 * ("alice@example.org") or whole domains ("@example.org"). An account with no entries may use
 * any address in the practice's domains.
 */
export function isSenderAllowed(address: string, allowed: readonly string[], practiceDomains: readonly string[]): boolean {
  const lower = address.toLowerCase();
  const domain = domainOf(lower);
  if (!domain) return false;
  const rules = allowed.length ? allowed : practiceDomains.map((d) => `@${d}`);
  return rules.some((rule) => {
    const r = rule.toLowerCase();
    return r.startsWith('@') ? domain === r.slice(1) : lower === r;
  });
}

/** Normalises a `--sender` value: "@domain" or "domain" for a domain, or a full address. */
export function normaliseSenderRule(value: string): string | null {
  const v = value.trim().toLowerCase();
  if (/^@?[a-z0-9.-]+\.[a-z]{2,}$/.test(v)) return v.startsWith('@') ? v : `@${v}`;
  if (/^[^\s@]+@[a-z0-9.-]+\.[a-z]{2,}$/.test(v)) return v;
  return null;
}
