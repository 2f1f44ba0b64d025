import addressparser from 'nodemailer/lib/addressparser';

/**
 * Values of the named header field in a raw header section (or a whole message), unfolded. Header names are
 * matched case-insensitively; bytes are read as latin1 so nothing is lost or re-encoded.
 */
export function headerValues(section: Buffer, name: string): string[] {
  // Saved messages may use bare LF; the header section ends at the first empty line.
  const text = section.toString('latin1').split(/\r?\n\r?\n/, 1)[0]!.replace(/\r?\n(?=[ \t])/g, '');
  const wanted = name.toLowerCase() + ':';
  const values: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.slice(0, wanted.length).toLowerCase() === wanted) values.push(line.slice(wanted.length).trim());
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
