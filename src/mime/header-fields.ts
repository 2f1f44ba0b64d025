import addressparser from 'nodemailer/lib/addressparser';

/**
 * Values of the named header field in a raw header section (or a whole message), unfolded. Header names are
 * matched case-insensitively; bytes are read as latin1 so nothing is lost or re-encoded.
 */
export function headerValues(section: Buffer, name: string): string[] {
  // Saved messages may use bare LF; the header section ends at the first empty line.
  const text = section.toString('latin1').split(/\r?\n\r?\n/, 1)[0]!.replace(/\r?\n(?=[ \t])/g, '');
  const wanted = name.toLowerCase();
  const values: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    // RFC 5322 4.5.3 (obsolete syntax): white space may stand between the name and the colon.
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).replace(/[ \t]+$/, '').toLowerCase() === wanted) values.push(line.slice(colon + 1).trim());
  }
  return values;
}

/** Every mailbox address named in the From fields (group syntax included). */
export function fromAddresses(section: Buffer): string[] {
  const addresses: string[] = [];
  for (const value of headerValues(section, 'from')) {
    for (const entry of addressparser(value, { flatten: true })) {
      if (entry.address) addresses.push(entry.address);
    }
  }
  return addresses;
}
