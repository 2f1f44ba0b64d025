import { rfc5322Date } from '../core/dates.js';
import type { ClientInfo } from '../core/envelope.js';

/** RFC 3848 protocol keyword: ESMTP plus A for authenticated, S for TLS. */
function protocol(client: ClientInfo): string {
  return `ESMTP${client.tls ? 'S' : ''}${client.user ? 'A' : ''}`;
}

/** An address literal as RFC 5321 writes it: IPv4 as is, IPv6 with its "IPv6:" tag, IPv4-mapped as IPv4. */
function addressLiteral(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return mapped[1]!;
  return address.includes(':') ? `IPv6:${address}` : address;
}

/**
 * The Received trace field the relay adds (RFC 5321 section 4.4). It names the client's
 * HELO and address but never the login, so a recipient learns nothing about accounts.
 */
export function receivedHeader(client: ClientInfo, relayName: string, id: string, at: Date): string {
  const helo = client.helo.replace(/[^\x21-\x7e]/g, '') || 'unknown';
  return `Received: from ${helo} ([${addressLiteral(client.address)}])\r\n\tby ${relayName} (Mouthguard) with ${protocol(client)} id ${id};\r\n\t${rfc5322Date(at)}\r\n`;
}
