import { Libmime } from 'libmime';
import addressparser from 'nodemailer/lib/addressparser';

const libmime = new Libmime();

/**
 * Values of the named header field in a raw header section (or a whole message), unfolded. Header names are
 * matched case-insensitively; bytes are read as latin1 so nothing is lost or re-encoded.
 */
export function headerValues(section: Buffer, name: string): string[] {
  return headerValuesByName(section, [name]).get(name.toLowerCase()) ?? [];
}

/** The values of several header fields, read in one pass: lower-case name → values (absent: none). */
function headerValuesByName(section: Buffer, names: readonly string[]): Map<string, string[]> {
  // Saved messages may use bare LF; the header section ends at the first empty line.
  const text = section.toString('latin1').split(/\r?\n\r?\n/, 1)[0]!.replace(/\r?\n(?=[ \t])/g, '');
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  const values = new Map<string, string[]>();
  for (const line of text.split(/\r?\n/)) {
    // RFC 5322 4.5.3 (obsolete syntax): white space may stand between the name and the colon.
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).replace(/[ \t]+$/, '').toLowerCase();
    if (!wanted.has(name)) continue;
    const list = values.get(name) ?? [];
    list.push(line.slice(colon + 1).trim());
    values.set(name, list);
  }
  return values;
}

/** Every mailbox address named in the From fields (group syntax included). */
export function fromAddresses(section: Buffer): string[] {
  return mailboxesIn(headerValues(section, 'from'));
}

/**
 * The fields a reader's mail client may show as who sent the message: From, Sender (Outlook's
 * "on behalf of") and Resent-From / Resent-Sender (a redirected message).
 */
const SENDER_FIELDS = ['from', 'sender', 'resent-from', 'resent-sender'] as const;

export interface SenderField {
  readonly name: (typeof SENDER_FIELDS)[number];
  /** The mailboxes it names (group syntax included). */
  readonly mailboxes: string[];
  /** Every address-shaped string in it, encoded words decoded (display names, comments too). */
  readonly mentioned: string[];
}

/** The sender fields a message has, as the sender rule reads them (the header section read once). */
export function senderFields(section: Buffer): SenderField[] {
  const byName = headerValuesByName(section, SENDER_FIELDS);
  return SENDER_FIELDS.flatMap((name) => {
    const values = byName.get(name);
    return values ? [{ name, mailboxes: mailboxesIn(values), mentioned: mentionedIn(values) }] : [];
  });
}

function mailboxesIn(values: readonly string[]): string[] {
  return values.flatMap((value) => addressparser(value, { flatten: true }).flatMap((entry) => (entry.address ? [entry.address] : [])));
}

/**
 * Something shaped like an address: a local part of RFC 5322 atext and dots (apostrophes
 * included: o'brien@…), an @, and a domain with a dot and letters at the end. "Reception@Riverside"
 * in a display name is a name, not an address.
 */
const ADDRESS_LIKE = /[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}/g;

/**
 * Every address-shaped string anywhere in these From values, encoded words decoded: also in
 * display names and comments, and after malformed syntax a parser may read in another way
 * (`<alice@practice> <evil@example.org>`). What a reader's mail client might show as the
 * sender must pass the same rule as the sender itself.
 */
function mentionedIn(values: readonly string[]): string[] {
  const found: string[] = [];
  for (const value of values) {
    let decoded = value;
    try {
      decoded = libmime.decodeWords(value);
    } catch {
      // an encoded word that cannot be decoded stays as it is
    }
    for (const match of decoded.matchAll(ADDRESS_LIKE)) found.push(match[0].replace(/\.+$/, ''));
  }
  return found;
}
