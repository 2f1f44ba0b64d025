import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { rewriteBuffer } from '../../../src/disclaimers/rewrite.js';
import type { DisclaimerContent, RewriteSettings } from '../../../src/disclaimers/types.js';
import { ASCII_DISCLAIMER, DEFAULT_SETTINGS, sampleDisclaimer } from '../../helpers/disclaimer-sample.js';
import { decodedText, splitParts } from '../../helpers/mime-parts.js';

const ASCII = ASCII_DISCLAIMER;
const UNICODE = sampleDisclaimer('Dr Patel');

function message(headers: string[], body: string): Buffer {
  return Buffer.from([...headers, '', body].join('\r\n'), 'latin1');
}

async function run(input: Buffer, content: DisclaimerContent = ASCII, settings: Partial<RewriteSettings> = {}) {
  return rewriteBuffer(input, { settings: { ...DEFAULT_SETTINGS, ...settings }, choose: () => content, seed: 'test-id' });
}

const TOP = ['From: Dr Patel <patel@smile-dental.co.uk>', 'To: lab@example.org', 'Subject: Crown', 'MIME-Version: 1.0'];

describe('plain text', () => {
  it('adds the disclaimer under a signature delimiter, keeping 7bit ASCII as it was', async () => {
    const input = message([...TOP, 'Content-Type: text/plain; charset=us-ascii', 'Content-Transfer-Encoding: 7bit'], 'Hello,\r\nthe crown is ready.\r\n\r\nDr Patel\r\n\r\n');
    const { output, report } = await run(input);
    expect(report).toMatchObject({ outcome: 'inserted', partsChanged: 1 });
    expect(output.toString('latin1')).toBe(
      message(
        [...TOP, 'Content-Type: text/plain; charset=us-ascii', 'Content-Transfer-Encoding: 7bit'],
        'Hello,\r\nthe crown is ready.\r\n\r\nDr Patel\r\n\r\n-- \r\nSmile Dental Care Ltd, registered in England no. 01234567.\r\nThis email is confidential.\r\n',
      ).toString('latin1'),
    );
  });

  it('does not add a second delimiter under a signature that has one', async () => {
    const input = message([...TOP, 'Content-Type: text/plain'], 'Hello\r\n-- \r\nDr Patel\r\nSmile Dental\r\n');
    const { output } = await run(input);
    expect(output.toString('latin1')).toContain('Dr Patel\r\nSmile Dental\r\n\r\nSmile Dental Care Ltd, registered');
    expect(output.toString('latin1').split('-- \r\n')).toHaveLength(2);
  });

  it('moves ISO-8859-1 text to UTF-8 quoted-printable when the disclaimer does not fit the charset', async () => {
    const input = message([...TOP, 'Content-Type: text/plain; charset=iso-8859-1', 'Content-Transfer-Encoding: quoted-printable'], 'Caf=E9 at 10?\r\n');
    const { output } = await run(input, UNICODE);
    const parsed = await simpleParser(output);
    expect(parsed.text).toContain('Café at 10?');
    expect(parsed.text).toContain('Smile Dental Care Ltd — 12 High Street');
    expect(output.toString('latin1')).toMatch(/Content-Type: text\/plain; charset=utf-8/i);
    expect(output.toString('latin1')).toContain('Caf=C3=A9');
  });

  it('keeps windows-1252 and 8bit when the charset can carry the disclaimer', async () => {
    const input = Buffer.concat([message([...TOP, 'Content-Type: text/plain; charset=windows-1252', 'Content-Transfer-Encoding: 8bit'], ''), Buffer.from('Caf\xe9 \x80 5\r\n', 'latin1')]);
    const { output } = await run(input, UNICODE);
    const text = output.toString('latin1');
    expect(text).toContain('charset=windows-1252');
    expect(text).toContain('Content-Transfer-Encoding: 8bit');
    expect(text).toContain('Smile Dental Care Ltd \x97 12 High Street');
    expect((await simpleParser(output)).text).toContain('Café € 5');
  });

  it('writes format=flowed lines that cannot be mistaken for soft breaks or quotes', async () => {
    const content = { ...ASCII, text: 'From the practice:   \n> not a quote', templateText: 'From the practice:\n> not a quote' };
    const input = message([...TOP, 'Content-Type: text/plain; charset=utf-8; format=flowed'], 'See you soon \r\nJo\r\n');
    const { output } = await run(input, content);
    expect(output.toString('latin1')).toContain('See you soon \r\nJo\r\n\r\n-- \r\n From the practice:\r\n > not a quote\r\n');
  });

  it('re-encodes a part whose lines are already too long as quoted-printable', async () => {
    const input = message([...TOP, 'Content-Type: text/plain; charset=us-ascii'], `${'x'.repeat(1200)}\r\n`);
    const { output } = await run(input);
    const text = output.toString('latin1');
    expect(text).toContain('Content-Transfer-Encoding: quoted-printable');
    for (const line of text.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
    expect((await simpleParser(output)).text).toContain('x'.repeat(1200));
  });

  it('inserts ASCII into text of an unknown charset byte for byte, and nothing else', async () => {
    const input = Buffer.concat([message([...TOP, 'Content-Type: text/plain; charset=x-mystery', 'Content-Transfer-Encoding: 8bit'], ''), Buffer.from('Gr\xfc\xdfe\r\n', 'latin1')]);
    const ascii = await run(input);
    expect(ascii.report.outcome).toBe('inserted');
    expect(ascii.output.includes(Buffer.from('Gr\xfc\xdfe\r\n\r\n-- \r\nSmile Dental', 'latin1'))).toBe(true);
    const unicode = await run(input, UNICODE);
    expect(unicode.report).toMatchObject({ outcome: 'unchanged', reason: 'unknown-charset' });
    expect(unicode.output.equals(input)).toBe(true);
  });
});

describe('HTML', () => {
  it('puts the marked element before </body>, keeping base64', async () => {
    const html = '<html><head><meta charset="utf-8"></head><body><p>Hello</p></body></html>\r\n';
    const input = message([...TOP, 'Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: base64'], Buffer.from(html).toString('base64') + '\r\n');
    const { output } = await run(input);
    expect(output.toString('latin1')).toContain('Content-Transfer-Encoding: base64');
    const [root] = await splitParts(output);
    const decoded = decodedText(root!);
    expect(decoded).toMatch(/<p>Hello<\/p>\r\n<div data-mouthguard-disclaimer="mg-000000000001" style="[^"]*">\r\n<p>Smile Dental.*<\/p>\r\n<\/div>\r\n<\/body><\/html>/);
    for (const line of output.toString('latin1').split('\r\n')) expect(line.length).toBeLessThanOrEqual(76 + 2);
  });

  it('appends to HTML that has no body element', async () => {
    const input = message([...TOP, 'Content-Type: text/html; charset=us-ascii'], '<p>Short note</p>\r\n');
    const { output } = await run(input);
    expect(output.toString('latin1')).toMatch(/<p>Short note<\/p>\r\n<div data-mouthguard-disclaimer="mg-000000000001"[^>]*>[\s\S]*<\/div>\r\n$/);
  });

  it('points a <meta> charset at UTF-8 when the part had to change charset', async () => {
    const html = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"></head><body>Caf\xe9</body></html>';
    const input = message([...TOP, 'Content-Type: text/html; charset=iso-8859-1', 'Content-Transfer-Encoding: 8bit'], html);
    const { output } = await run(input, { ...UNICODE, html: '<p>Smile Dental Care Ltd — Leeds</p>' });
    const text = output.toString('utf8');
    expect(text).toContain('content="text/html; charset=utf-8"');
    expect(text).toContain('Smile Dental Care Ltd — Leeds');
    expect(text).toContain('Café');
  });
});

describe('structure', () => {
  const alternative = message(
    [...TOP, 'Content-Type: multipart/alternative; boundary="alt"'],
    ['--alt', 'Content-Type: text/plain', '', 'Hi', '--alt', 'Content-Type: text/html', '', '<p>Hi</p>', '--alt', 'Content-Type: text/calendar; method=REQUEST', '', 'BEGIN:VCALENDAR', 'END:VCALENDAR', '--alt--', ''].join('\r\n'),
  );

  it('gives both alternatives the disclaimer once and leaves the calendar part alone', async () => {
    const { output, report } = await run(alternative);
    expect(report).toMatchObject({ outcome: 'inserted', partsChanged: 2, partsSkipped: ['calendar'] });
    const parts = await splitParts(output);
    expect(decodedText(parts[1]!)).toContain('-- \r\nSmile Dental Care Ltd');
    expect(decodedText(parts[2]!).match(/data-mouthguard-disclaimer/g)).toHaveLength(1);
    expect(decodedText(parts[3]!)).toBe('BEGIN:VCALENDAR\r\nEND:VCALENDAR');
  });

  it('touches only the first body of a mixed message: not text attachments, not attached messages', async () => {
    const input = message(
      [...TOP, 'Content-Type: multipart/mixed; boundary="mix"'],
      [
        '--mix', 'Content-Type: text/plain', '', 'Body', '--mix',
        'Content-Type: text/plain; name="notes.txt"', 'Content-Disposition: attachment; filename="notes.txt"', '', 'Notes', '--mix',
        'Content-Type: message/rfc822', '', 'From: a@example.org', 'Subject: old', '', 'Old text', '--mix',
        'Content-Type: text/plain', '', 'Second inline text', '--mix--', '',
      ].join('\r\n'),
    );
    const { output, report } = await run(input);
    expect(report.partsChanged).toBe(1);
    const text = output.toString('latin1');
    expect(text.match(/Smile Dental Care Ltd/g)).toHaveLength(1);
    expect(text).toContain('Content-Disposition: attachment; filename="notes.txt"\r\n\r\nNotes\r\n--mix');
    expect(text).toContain('Old text\r\n--mix');
    expect(text).toContain('Second inline text\r\n--mix--');
  });

  it('leaves a body part bigger than maxBodyPartSize as it was', async () => {
    const input = message([...TOP, 'Content-Type: text/plain'], `${'a'.repeat(100)}\r\n`.repeat(100));
    const { output, report } = await run(input, ASCII, { maxBodyPartSize: 5000 });
    expect(report).toMatchObject({ outcome: 'unchanged', reason: 'part-too-large' });
    expect(output.equals(input)).toBe(true);
  });
});

describe('duplicates', () => {
  const reply = (quoted: string) =>
    message([...TOP, 'Content-Type: text/plain; charset=utf-8'], `Thanks, see you then.\r\n\r\nOn Mon, 23 Nov 2026 at 09:12, Lab <lab@example.org> wrote:\r\n${quoted}`);
  const quotedDisclaimer = '> Is Tuesday fine?\r\n>\r\n> --\r\n> Smile Dental Care Ltd, registered in England no.\r\n> 01234567. This email is confidential.\r\n';

  it('once per thread: a reply quoting the disclaimer gets no second copy', async () => {
    const input = reply(quotedDisclaimer);
    const { output, report } = await run(input);
    expect(report).toMatchObject({ outcome: 'unchanged', reason: 'already-present' });
    expect(output.equals(input)).toBe(true);
  });

  it('every message: the reply gets it above the quote', async () => {
    const { output, report } = await run(reply(quotedDisclaimer), ASCII, { repeat: 'every-message' });
    expect(report.outcome).toBe('inserted');
    expect(output.toString('latin1')).toContain('Thanks, see you then.\r\n\r\n-- \r\nSmile Dental Care Ltd, registered in England no. 01234567.\r\nThis email is confidential.\r\n\r\nOn Mon, 23 Nov 2026');
  });

  it('recognises its own HTML element by the marker', async () => {
    const input = message([...TOP, 'Content-Type: text/html'], '<p>Hi</p><div data-mouthguard-disclaimer="mg-000000000001">x</div>');
    expect((await run(input)).report).toMatchObject({ outcome: 'unchanged', reason: 'already-present' });
  });

  it('placement bottom puts it under the quoted text', async () => {
    const { output } = await run(reply('> Is Tuesday fine?\r\n'), ASCII, { placement: 'bottom' });
    expect(output.toString('latin1')).toMatch(/> Is Tuesday fine\?\r\n\r\n-- \r\nSmile Dental Care Ltd, registered in England no\. 01234567\.\r\nThis email is confidential\.\r\n$/);
  });
});

describe('mail it must not change', () => {
  const signed = message(
    [...TOP, 'Content-Type: multipart/signed; protocol="application/pgp-signature"; micalg=pgp-sha256; boundary="sig"'],
    ['--sig', 'Content-Type: text/plain', '', 'Signed words', '--sig', 'Content-Type: application/pgp-signature', '', '-----BEGIN PGP SIGNATURE-----', 'abc', '-----END PGP SIGNATURE-----', '--sig--', ''].join('\r\n'),
  );

  it('skips signed mail by default, byte for byte', async () => {
    const { output, report } = await run(signed);
    expect(report).toMatchObject({ outcome: 'unchanged', reason: 'signed' });
    expect(output.equals(signed)).toBe(true);
    expect((await run(signed, ASCII, { signed: 'hold' })).report.reason).toBe('signed');
  });

  it('wraps signed mail in a new multipart/mixed, the signed part untouched', async () => {
    const { output, report } = await run(signed, ASCII, { signed: 'wrap' });
    expect(report.outcome).toBe('wrapped');
    const text = output.toString('latin1');
    const originalBody = signed.subarray(signed.indexOf('\r\n\r\n') + 4).toString('latin1');
    expect(text).toContain(`Content-Type: multipart/signed; protocol="application/pgp-signature"; micalg=pgp-sha256; boundary="sig"\r\n\r\n${originalBody}`);
    expect(text).toMatch(/^From: Dr Patel/);
    const parsed = await simpleParser(output);
    expect(parsed.subject).toBe('Crown');
    expect(parsed.text).toContain('Smile Dental Care Ltd');
    const parts = await splitParts(output);
    expect(parts.map((p) => p.node.contentType)).toEqual([
      'multipart/mixed', 'multipart/signed', 'text/plain', 'application/pgp-signature', 'multipart/alternative', 'text/plain', 'text/html',
    ]);
  });

  it('treats a DKIM-signed message like signed mail', async () => {
    const input = message(['DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=s1; b=abc', ...TOP, 'Content-Type: text/plain'], 'Hi\r\n');
    const { output, report } = await run(input);
    expect(report).toMatchObject({ outcome: 'unchanged', reason: 'dkim-signed' });
    expect(output.equals(input)).toBe(true);
  });

  it('skips auto-replies and delivery reports unless told otherwise', async () => {
    const input = message([...TOP, 'Auto-Submitted: auto-replied', 'Content-Type: text/plain'], 'I am away\r\n');
    expect((await run(input)).report).toMatchObject({ outcome: 'unchanged', reason: 'machine-generated' });
    expect((await run(input, ASCII, { skipMachineMail: false })).report.outcome).toBe('inserted');
    const report = message([...TOP, 'Content-Type: multipart/report; report-type=delivery-status; boundary="r"'], '--r\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--r--\r\n');
    expect((await run(report)).report.reason).toBe('machine-generated');
  });

  it('skips a DKIM-signed delivery report as machine mail, not as signed mail (never wrapped)', async () => {
    const input = message(['DKIM-Signature: v=1; d=example.org; b=abc', ...TOP, 'Content-Type: multipart/report; report-type=delivery-status; boundary="r"'], '--r\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--r--\r\n');
    const { output, report } = await run(input, ASCII, { signed: 'wrap' });
    expect(report).toMatchObject({ outcome: 'unchanged', reason: 'machine-generated' });
    expect(output.equals(input)).toBe(true);
  });

  it('leaves a message alone when no disclaimer applies', async () => {
    const input = message([...TOP, 'Content-Type: text/plain'], 'Hi\r\n');
    const result = await rewriteBuffer(input, { settings: DEFAULT_SETTINGS, choose: () => null, seed: 'x' });
    expect(result.report).toMatchObject({ outcome: 'unchanged', reason: 'no-disclaimer' });
    expect(result.output.equals(input)).toBe(true);
  });
});

describe('a mixed message without a text body', () => {
  it('gets a disclaimer part of its own, added last', async () => {
    const input = message(
      ['From: scanner@smile-dental.co.uk', 'To: referrals@hospital.nhs.uk', 'Subject: Scan', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="Scan-Boundary"'],
      ['--Scan-Boundary', 'Content-Type: application/pdf; name="scan.pdf"', 'Content-Transfer-Encoding: base64', 'Content-Disposition: attachment; filename="scan.pdf"', '', 'JVBERi0xLjQK', '--Scan-Boundary--', ''].join('\r\n'),
    );
    const { output, report } = await run(input);
    expect(report).toMatchObject({ outcome: 'inserted', partsChanged: 1 });
    const parts = await splitParts(output);
    expect(parts.map((p) => p.node.contentType)).toEqual(['multipart/mixed', 'application/pdf', 'multipart/alternative', 'text/plain', 'text/html']);
    expect(parts[1]!.body.toString()).toBe('JVBERi0xLjQK');
    expect(decodedText(parts[3]!).trimEnd()).toBe('Smile Dental Care Ltd, registered in England no. 01234567.\r\nThis email is confidential.');
    const parsed = await simpleParser(output);
    expect(parsed.attachments.map((a) => a.filename)).toEqual(['scan.pdf']);
    expect(output.toString('latin1')).toMatch(/--Scan-Boundary--\r\n$/);
    expect((await run(output)).report).toMatchObject({ outcome: 'unchanged', reason: 'already-present' });
  });
});
