import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { everyTestMessage } from '../../helpers/eml-files.js';
import { extractMessage } from '../../../src/mime/extract.js';
import { extractSinglePart } from '../../../src/mime/single-part.js';

const LIMITS = { maxTextChars: 200_000, maxAttachmentBytes: 2_000_000 };

/** The relay only ever holds CRLF messages (bare line endings are refused at DATA). */
const crlf = (text: string | Buffer): Buffer =>
  Buffer.from((typeof text === 'string' ? text : text.toString('latin1')).replace(/\r?\n/g, '\r\n'), 'latin1');

const fullParser = (message: Buffer) => extractMessage(Readable.from([message]), LIMITS);


describe('extractSinglePart reads what mailparser reads', () => {
  it('on every message of the labelled corpus and the shared fixtures it takes (and declines the rest)', async () => {
    const files = everyTestMessage();
    let taken = 0;
    for (const file of files) {
      const message = crlf(readFileSync(file));
      const fast = extractSinglePart(message, LIMITS);
      if (!fast) continue;
      taken++;
      expect(fast, file).toEqual(await fullParser(message));
    }
    expect(taken).toBeGreaterThan(100);
  });

  const head = (contentType: string, extra = '') =>
    `From: "=?utf-8?q?Dr_J=C3=B6rg?=" <jorg@practice.test>\nTo: a@x.test, "B, C" <b@x.test>\nCc: Team: d@x.test, e@x.test;\nSubject: =?utf-8?b?UmU6IFBhdGllbnQgSm9obiBTbWl0aA==?=\n  continued\nContent-Type: ${contentType}\n${extra}\n`;
  const taken: [string, string][] = [
    ['7bit text with an encoded subject, folded, and groups', head('text/plain; charset=utf-8') + 'Line one\nLine two\n'],
    ['no Content-Type at all', 'From: a@practice.test\nSubject: plain\n\nJust text.\n'],
    ['raw UTF-8 in the header and body', 'From: Zoë <z@practice.test>\nSubject: Café visit\nContent-Type: text/plain; charset="UTF8"\n\nNaïve café, 50 €\n'],
    ['quoted-printable with soft breaks', head('text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable\n') + 'A long line that is wr=\napped, and =C3=A9 and =3D sign\n'],
    ['base64 in lines', head('text/html; charset=utf-8', 'Content-Transfer-Encoding: base64\n') + 'PHA+SGVsbG8gPGI+Sm9o\nbjwvYj4gU21pdGg8L3A+\n'],
    ['base64 with padding mid-body and stray characters', head('text/plain', 'Content-Transfer-Encoding: BASE64\n') + 'SGk=\nIHRo*ZXJl\nIQ\n'],
    ['an empty body', head('text/plain')],
    ['a body without a final line break', head('text/html') + '<p>x</p>'],
    ['a content type with a comment', head('text/plain (comment); charset=us-ascii')],
    ['inline disposition', head('text/plain', 'Content-Disposition: inline\n') + 'body\n'],
  ];
  it.each(taken)('%s', async (_name, text) => {
    const message = crlf(text);
    const fast = extractSinglePart(message, LIMITS);
    expect(fast).not.toBeNull();
    expect(fast).toEqual(await fullParser(message));
  });

  const declined: [string, string][] = [
    ['multipart', 'Content-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain\n\nx\n--b--\n'],
    ['another charset', head('text/plain; charset=windows-1252') + 'caf\xe9\n'],
    ['format=flowed', head('text/plain; charset=utf-8; format=flowed') + 'soft \nwrap\n'],
    ['an attachment disposition', head('text/plain', 'Content-Disposition: attachment; filename=notes.txt\n') + 'x\n'],
    ['a named inline part', head('text/plain', 'Content-Disposition: inline; filename=notes.txt\n') + 'x\n'],
    ['a non-text type', head('application/pdf') + 'x\n'],
    ['an unknown transfer encoding', head('text/plain', 'Content-Transfer-Encoding: x-uuencode\n') + 'x\n'],
    ['no header at all', '\nbody only\n'],
  ];
  it.each(declined)('declines %s (the full parser reads it)', (_name, text) => {
    expect(extractSinglePart(crlf(text), LIMITS)).toBeNull();
  });

  it('declines a header with a bare line feed (mailsplit would end the header elsewhere)', () => {
    expect(extractSinglePart(Buffer.from('From: a@practice.test\nSubject: x\r\n\r\nbody\r\n'), LIMITS)).toBeNull();
  });
});
