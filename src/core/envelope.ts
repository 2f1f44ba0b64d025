/** Who submitted a message and how: enough for trace headers, logs and policy. */
export interface ClientInfo {
  readonly address: string;
  readonly helo: string;
  /** Authenticated account name, or null for a trusted-network client. */
  readonly user: string | null;
  readonly tls: boolean;
  readonly listener: string;
}

/** The SMTP envelope of a message, as received. `mailFrom` is '' for the null sender. */
export interface Envelope {
  readonly mailFrom: string;
  readonly rcptTo: readonly string[];
  readonly client: ClientInfo;
}

/** The domain part of an address, lower-cased; '' when there is none. */
export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1).toLowerCase();
}
