import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { z } from 'zod';

/** Where a listener binds, as far as can be told without a DNS lookup. */
type Bound =
  | { readonly kind: 'any4' }
  /** "::": Node listens dual-stack by default, so it takes the port on IPv4 too. */
  | { readonly kind: 'any6' }
  | { readonly kind: 'ip'; readonly family: 4 | 6; readonly address: string }
  | { readonly kind: 'name'; readonly name: string };

function boundAs(host: string): Bound[] {
  // "localhost" may resolve to either loopback address: it clashes with both.
  if (host.toLowerCase() === 'localhost') return [...boundAs('127.0.0.1'), ...boundAs('::1')];
  if (isIP(host)) {
    const address = ipaddr.process(host); // an IPv4-mapped IPv6 address binds as IPv4
    const family = address.kind() === 'ipv4' ? 4 : 6;
    // Every spelling of the unspecified address ("::", "0:0:0:0:0:0:0:0", "::ffff:0.0.0.0") is a wildcard.
    if (address.range() === 'unspecified') return [{ kind: family === 4 ? 'any4' : 'any6' }];
    return [{ kind: 'ip', family, address: address.toNormalizedString() }];
  }
  return [{ kind: 'name', name: host.toLowerCase() }];
}

function boundOverlap(a: Bound, b: Bound): boolean {
  if (a.kind === 'any6' || b.kind === 'any6') return true;
  // A name may resolve to an IPv4 address: with 0.0.0.0 on the same port it would likely clash.
  if (a.kind === 'any4') return b.kind === 'any4' || b.kind === 'name' || b.family === 4;
  if (b.kind === 'any4') return boundOverlap(b, a);
  if (a.kind === 'name' || b.kind === 'name') return a.kind === 'name' && b.kind === 'name' && a.name === b.name;
  return a.address === b.address;
}

interface Listening {
  readonly host: string;
  readonly port: number;
}

/**
 * Whether two listeners would compete for one socket: the same port (0, any free port, never
 * clashes) on addresses that overlap. 127.0.0.1 and ::1 do not; 0.0.0.0 and 127.0.0.1 do, and
 * "::" takes the port on every address of both families.
 */
export function listenersClash(a: Listening, b: Listening): boolean {
  if (a.port === 0 || a.port !== b.port) return false;
  return boundAs(a.host).some((x) => boundAs(b.host).some((y) => boundOverlap(x, y)));
}

/**
 * Two listeners (or a listener and the admin listener) on one socket cannot both bind: the relay
 * would fail at start, so check-config says so first. Duplicate listener names are refused too.
 */
export function checkPortClashes(
  config: { smtp: { listeners: readonly (Listening & { name?: string | undefined })[] }; admin: Listening },
  ctx: z.RefinementCtx,
): void {
  const { listeners } = config.smtp;
  const names = new Set<string>();
  listeners.forEach((listener, i) => {
    if (listener.name !== undefined) {
      if (names.has(listener.name)) {
        ctx.addIssue({ code: 'custom', path: ['smtp', 'listeners', i, 'name'], input: listener.name, message: 'another listener has this name; give each its own' });
      }
      names.add(listener.name);
    }
    const earlier = listeners.findIndex((other, j) => j < i && listenersClash(other, listener));
    if (earlier >= 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['smtp', 'listeners', i, 'port'],
        input: listener.port,
        message: `smtp.listeners[${earlier}] already listens on this port; give each listener its own port`,
      });
    }
    if (listenersClash(listener, config.admin)) {
      ctx.addIssue({ code: 'custom', path: ['admin', 'port'], input: config.admin.port, message: `smtp.listeners[${i}] listens on this port; give the admin listener its own` });
    }
  });
}
