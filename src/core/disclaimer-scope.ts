/**
 * Who a disclaimer text is for. The most specific scope that matches a sender wins:
 * sender address, then sender group, then the sender's practice domain, then the default.
 */
export type DisclaimerScope =
  | { readonly kind: 'default' }
  | { readonly kind: 'domain'; readonly value: string }
  | { readonly kind: 'group'; readonly value: string }
  | { readonly kind: 'sender'; readonly value: string };

export type DisclaimerScopeKind = DisclaimerScope['kind'];

/** Most specific first. */
export const SCOPE_PRECEDENCE: readonly DisclaimerScopeKind[] = ['sender', 'group', 'domain', 'default'];

/** A stable, printable key: "default", "domain:example.org", "group:reception", "sender:a@example.org". */
export function scopeKey(scope: DisclaimerScope): string {
  return scope.kind === 'default' ? 'default' : `${scope.kind}:${scope.value}`;
}

export function parseScopeKey(key: string): DisclaimerScope | null {
  if (key === 'default') return { kind: 'default' };
  const colon = key.indexOf(':');
  const kind = key.slice(0, colon);
  const value = key.slice(colon + 1);
  if (colon < 1 || !value) return null;
  if (kind === 'domain' || kind === 'group' || kind === 'sender') return { kind, value };
  return null;
}
