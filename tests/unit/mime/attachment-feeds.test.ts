import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { MailParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { AttachmentFeeds } from '../../../src/mime/attachment-feeds.js';
import { extractMessage } from '../../../src/mime/extract.js';

/** What inspection keeps of an image or radiograph (extract.ts): its head. */
const HEAD = 256 * 1024;
const LIMITS = { maxTextChars: 100_000, maxAttachmentBytes: 1_000_000 };

type Encoding = 'base64' | 'quoted-printable' | 'binary';

function encode(bytes: Buffer, encoding: Encoding): string {
  if (encoding === 'base64') return bytes.toString('base64').replace(/.{76}/g, '$&\r\n');
  if (encoding === 'binary') return bytes.toString('latin1');
  // Quoted-printable, every octet escaped: the largest encoding, lines of 75 characters and a soft break.
  return bytes
    .toString('hex')
    .toUpperCase()
    .replace(/../g, '=$&')
    .replace(/.{75}/g, '$&=\r\n');
}

/** Binary bodies here must not hold a bare CR or LF (the parser would read them as line ends). */
function bodyBytes(size: number): Buffer {
  const bytes = randomBytes(size);
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a || bytes[i] === 0x0d) bytes[i] = 0x20;
  return bytes;
}

function message(parts: { type: string; name?: string; encoding?: Encoding; body: Buffer | string }[]): Readable {
  const sections = parts.map((p) => {
    const name = p.name ? `; name="${p.name}"` : '';
    const disposition = p.name ? `Content-Disposition: attachment; filename="${p.name}"\r\n` : '';
    const encoding = p.encoding ?? '7bit';
    const body = typeof p.body === 'string' ? p.body : encode(p.body, encoding as Encoding);
    return `--b\r\nContent-Type: ${p.type}${name}\r\n${disposition}Content-Transfer-Encoding: ${encoding}\r\n\r\n${body}\r\n`;
  });
  const raw = Buffer.from(
    'From: a@example.org\r\nTo: b@example.net\r\nSubject: scans\r\nMIME-Version: 1.0\r\n' +
      `Content-Type: multipart/mixed; boundary="b"\r\n\r\n${sections.join('')}--b--\r\n`,
    'latin1',
  );
  // Cut into the 64 KiB chunks a socket or file stream gives.
  const chunks: Buffer[] = [];
  for (let at = 0; at < raw.length; at += 65_536) chunks.push(raw.subarray(at, at + 65_536));
  return Readable.from(chunks);
}

describe('AttachmentFeeds', () => {
  it('finds its hook in the installed mailparser (otherwise every attachment is decoded whole again)', () => {
    expect(new AttachmentFeeds().attach(new MailParser())).toBe(true);
  });

  for (const encoding of ['base64', 'binary'] as const) {
    it(`decodes a large ${encoding} image only past its head, and the parts after it still arrive whole`, async () => {
      const image = bodyBytes(3 * 1024 * 1024);
      const after = bodyBytes(40_000);
      const extracted = await extractMessage(
        message([
          { type: 'image/jpeg', name: 'scan.jpg', encoding, body: image },
          { type: 'text/plain', body: 'Patient notes follow the image.' },
          { type: 'image/png', name: 'small.png', encoding, body: after },
        ]),
        LIMITS,
      );
      const [big, small] = extracted.attachments;
      expect(big!.complete).toBe(false);
      expect(big!.bytes.equals(image.subarray(0, HEAD))).toBe(true);
      // Decoded past the head by at most what was in flight, not to the end.
      expect(big!.size).toBeGreaterThan(HEAD);
      expect(big!.size).toBeLessThan(HEAD + 256 * 1024);
      expect(small!.complete).toBe(true);
      expect(small!.bytes.equals(after)).toBe(true);
      expect(extracted.texts.map((t) => t.text).join(' ')).toContain('Patient notes follow the image.');
    });
  }

  it('cuts by decoded bytes, not encoded ones: base64 padded with blank lines still yields the whole head', async () => {
    const image = bodyBytes(1024 * 1024);
    const padding = `${' '.repeat(74)}\r\n`.repeat(16_000); // 1.2 MB that decodes to nothing
    const body = padding + encode(image, 'base64');
    const [got] = (await extractMessage(message([{ type: 'image/jpeg', name: 'scan.jpg', encoding: 'base64', body }]), LIMITS)).attachments;
    expect(got!.complete).toBe(false);
    expect(got!.bytes.equals(image.subarray(0, HEAD))).toBe(true);
    expect(got!.size).toBeLessThan(HEAD + 256 * 1024);
  });

  it('leaves quoted-printable whole (libqp decodes only at the end), so it reads as before', async () => {
    const image = bodyBytes(600_000);
    const padding = '=\r\n'.repeat(1_500_000); // 4.5 MB of soft line breaks, decoding to nothing
    const { attachments } = await extractMessage(
      message([
        { type: 'image/jpeg', name: 'scan.jpg', encoding: 'quoted-printable', body: image },
        { type: 'text/csv', name: 'patients.csv', encoding: 'quoted-printable', body: `${padding}Smith,John,01/02/1960` },
      ]),
      LIMITS,
    );
    expect(attachments[0]!.complete).toBe(false);
    expect(attachments[0]!.size).toBe(image.length);
    expect(attachments[0]!.bytes.equals(image.subarray(0, HEAD))).toBe(true);
    expect(attachments[1]!.complete).toBe(true);
    expect(attachments[1]!.bytes.toString()).toBe('Smith,John,01/02/1960');
  });

  it('keeps an attachment of exactly the head whole, and one byte more is cut', async () => {
    for (const size of [HEAD, HEAD + 1]) {
      const image = bodyBytes(size);
      const [got] = (await extractMessage(message([{ type: 'image/jpeg', name: 'x.jpg', encoding: 'base64', body: image }]), LIMITS)).attachments;
      expect(got!.complete).toBe(size === HEAD);
      expect(got!.size).toBe(size);
      expect(got!.bytes.equals(image.subarray(0, HEAD))).toBe(true);
    }
  });

  it('reads a document whole up to maxAttachmentBytes, and stops decoding one that is larger', async () => {
    const fits = bodyBytes(LIMITS.maxAttachmentBytes);
    const tooLarge = bodyBytes(4 * LIMITS.maxAttachmentBytes);
    const { attachments } = await extractMessage(
      message([
        { type: 'application/pdf', name: 'fits.pdf', encoding: 'base64', body: fits },
        { type: 'application/pdf', name: 'large.pdf', encoding: 'base64', body: tooLarge },
      ]),
      LIMITS,
    );
    expect(attachments[0]!.complete).toBe(true);
    expect(attachments[0]!.bytes.equals(fits)).toBe(true);
    expect(attachments[1]!.complete).toBe(false);
    expect(attachments[1]!.bytes.equals(tooLarge.subarray(0, HEAD))).toBe(true);
    expect(attachments[1]!.size).toBeLessThan(LIMITS.maxAttachmentBytes + 256 * 1024);
  });

  it('leaves alone what it was not asked to cap', async () => {
    const feeds = new AttachmentFeeds();
    const parser = new MailParser();
    feeds.attach(parser);
    const image = bodyBytes(600_000);
    const sizes: number[] = [];
    parser.on('data', (data: { type: string; content?: Readable; release?: () => void }) => {
      if (data.type !== 'attachment') return;
      let size = 0;
      data.content!.on('data', (c: Buffer) => (size += c.length));
      data.content!.on('end', () => {
        sizes.push(size);
        data.release?.();
      });
    });
    await new Promise((resolve, reject) => {
      parser.on('end', resolve).on('error', reject);
      message([{ type: 'image/jpeg', name: 'x.jpg', encoding: 'base64', body: image }]).pipe(parser);
    });
    expect(sizes).toEqual([image.length]);
    expect(feeds.cap({}, 10)).toBe(false);
  });
});
