import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { rewriteBuffer, rewriteMessage } from '../../../src/disclaimers/rewrite.js';
import { rewriteInputFor } from '../../../src/pipeline/disclaimer-plan.js';
import { RenderedDisclaimers } from '../../../src/disclaimers/rendered-cache.js';
import type { DisclaimerContent, RewriteSettings } from '../../../src/disclaimers/types.js';
import { ASCII_DISCLAIMER, DEFAULT_SETTINGS, sampleDisclaimer } from '../../helpers/disclaimer-sample.js';
import { decodedText, splitParts } from '../../helpers/mime-parts.js';
import { testConfig } from '../../helpers/test-config.js';

/**
 * An adversarial pass over the streaming rewriter: odd line endings, encodings, charsets,
 * HTML and structure, and the properties it must keep whatever the input (idempotent,
 * deterministic, independent of how the bytes arrive, never changing the MIME structure).
 */

const ASCII = ASCII_DISCLAIMER;
const UNICODE = sampleDisclaimer('Dr Patel');
const TOP = ['From: Dr Patel <patel@smile-dental.co.uk>', 'To: lab@example.org', 'Subject: Crown', 'MIME-Version: 1.0'];

function message(headers: string[], body: string, eol = '\r\n'): Buffer {
  return Buffer.from([...headers, '', body].join(eol), 'latin1');
}

function input(settings: Partial<RewriteSettings> = {}, content: DisclaimerContent = ASCII, seed = 'adv') {
  return { settings: { ...DEFAULT_SETTINGS, ...settings }, choose: () => content, seed };
}

async function run(msg: Buffer, content: DisclaimerContent = ASCII, settings: Partial<RewriteSettings> = {}) {
  return rewriteBuffer(msg, input(settings, content));
}

/** The rewrite with the message arriving in the given pieces. */
async function runChunked(msg: Buffer, pieces: Buffer[], content: DisclaimerContent = ASCII, settings: Partial<RewriteSettings> = {}, seed = 'adv'): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new PassThrough();
  sink.on('data', (c: Buffer) => chunks.push(c));
  await rewriteMessage(Readable.from(pieces), sink, input(settings, content, seed));
  expect(Buffer.concat(pieces).equals(msg)).toBe(true);
  return Buffer.concat(chunks);
}

function bytewise(msg: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < msg.length; i++) out.push(msg.subarray(i, i + 1));
  return out;
}

/** Deterministic pseudo-random piece sizes (no Math.random: a failure must be reproducible). */
function randomPieces(msg: Buffer, seed: number): Buffer[] {
  const out: Buffer[] = [];
  let state = seed;
  for (let at = 0; at < msg.length; ) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const size = 1 + (state % 700);
    out.push(msg.subarray(at, at + size));
    at += size;
  }
  return out;
}

const linesOf = (b: Buffer): string[] => b.toString('latin1').split(/\r?\n/);
const copies = (s: string, needle: string): number => s.split(needle).length - 1;

/** Every LF in the output is preceded by CR (SMTP forbids bare LF, and many servers reject it). */
function bareLfAt(b: Buffer): number {
  for (let i = 0; i < b.length; i++) if (b[i] === 0x0a && (i === 0 || b[i - 1] !== 0x0d)) return i;
  return -1;
}

describe('line endings', () => {
  it('keeps a bare-LF message bare-LF throughout', async () => {
    const msg = message([...TOP, 'Content-Type: text/plain; charset=utf-8'], 'Hello\nthere\n', '\n');
    const { output, report } = await run(msg, UNICODE);
    expect(report.outcome).toBe('inserted');
    expect(output.includes('\r')).toBe(false);
    expect((await simpleParser(output)).text).toContain('Smile Dental Care Ltd — 12 High Street');
  });

  it('writes no bare LF into a CRLF message whose base64 text uses LF inside', async () => {
    const body = Buffer.from('Line one\nLine two\n'.repeat(20), 'utf8').toString('base64').replace(/.{76}/g, '$&\r\n');
    const msg = message([...TOP, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64'], `${body}\r\n`);
    const { output, report } = await run(msg);
    expect(report.outcome).toBe('inserted');
    expect(bareLfAt(output)).toBe(-1);
    const text = (await simpleParser(output)).text ?? '';
    expect(text).toContain('Line two\n\n-- \nSmile Dental Care Ltd');
  });

  it('writes no bare LF into a CRLF message whose base64 HTML uses LF inside', async () => {
    const html = '<html>\n<body>\n<p>' + 'word '.repeat(400) + '</p>\n</body>\n</html>\n';
    const body = Buffer.from(html, 'utf8').toString('base64').replace(/.{76}/g, '$&\r\n');
    const msg = message([...TOP, 'Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: base64'], `${body}\r\n`);
    const { output } = await run(msg);
    expect(bareLfAt(output)).toBe(-1);
  });

  it('writes no bare LF when a QP part in a CRLF message holds encoded LFs', async () => {
    const msg = message([...TOP, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable'], 'caf=C3=A9=0Aline two=0A');
    const { output, report } = await run(msg, UNICODE);
    expect(report.outcome).toBe('inserted');
    expect(bareLfAt(output)).toBe(-1);
  });

  it('handles mixed CRLF and LF in one text part without losing a line', async () => {
    const msg = message([...TOP, 'Content-Type: text/plain'], 'one\ntwo\r\nthree\n');
    const { output } = await run(msg);
    const text = (await simpleParser(output)).text ?? '';
    for (const word of ['one', 'two', 'three', 'This email is confidential.']) expect(text).toContain(word);
  });

  it('a body part with no final newline, inside a multipart', async () => {
    const msg = message([...TOP, 'Content-Type: multipart/alternative; boundary="b"'], ['--b', 'Content-Type: text/plain', '', 'Hi', '--b', 'Content-Type: text/html', '', '<p>Hi</p>', '--b--', ''].join('\r\n'));
    const { output, report } = await run(msg);
    expect(report.partsChanged).toBe(2);
    const parts = await splitParts(output);
    expect(parts.map((p) => p.node.contentType)).toEqual(['multipart/alternative', 'text/plain', 'text/html']);
    expect(decodedText(parts[1]!)).toMatch(/^Hi\r\n\r\n-- \r\nSmile Dental/);
    expect(output.toString('latin1')).toMatch(/\r\n--b--\r\n$/);
  });

  it('a root text part with no final newline and no newline at all', async () => {
    const msg = Buffer.concat([message([...TOP, 'Content-Type: text/plain'], ''), Buffer.from('Hi', 'latin1')]);
    const { output } = await run(msg);
    expect(output.toString('latin1').endsWith('Hi\r\n\r\n-- \r\nSmile Dental Care Ltd, registered in England no. 01234567.\r\nThis email is confidential.')).toBe(true);
  });

  it('an empty body part and a whitespace-only one', async () => {
    for (const body of ['', '   \r\n\r\n  ']) {
      const msg = message([...TOP, 'Content-Type: multipart/alternative; boundary="b"'], ['--b', 'Content-Type: text/plain', '', body, '--b', 'Content-Type: text/html', '', body, '--b--', ''].join('\r\n'));
      const { output, report } = await run(msg);
      expect(report.partsChanged).toBe(2);
      const parts = await splitParts(output);
      expect(parts.map((p) => p.node.contentType)).toEqual(['multipart/alternative', 'text/plain', 'text/html']);
      expect(decodedText(parts[1]!).trim().startsWith('-- \r\nSmile')).toBe(true);
    }
  });
});

describe('chunking', () => {
  it('an empty body part gives the same bytes however the message arrives', async () => {
    for (const eol of ['\n', '\r\n']) {
      const msg = message([...TOP, 'Content-Type: multipart/mixed; boundary="b"'], ['--b', 'Content-Type: text/plain', '', '', '--b', 'Content-Type: application/pdf', '', 'x', '--b--', ''].join(eol), eol);
      const whole = (await run(msg)).output;
      expect((await runChunked(msg, bytewise(msg))).equals(whole), JSON.stringify(eol)).toBe(true);
      expect(whole.toString('latin1')).toContain(`This email is confidential.${eol}${eol}--b${eol}Content-Type: application/pdf`);
    }
  });
});

describe('boundaries', () => {
  it('nested related in alternative in mixed: text and HTML once each, the image untouched', async () => {
    const msg = message(
      [...TOP, 'Content-Type: multipart/mixed; boundary="m"'],
      [
        '--m', 'Content-Type: multipart/alternative; boundary="a"', '',
        '--a', 'Content-Type: text/plain', '', 'Hello', '--a', 'Content-Type: multipart/related; boundary="r"', '',
        '--r', 'Content-Type: text/html', '', '<html><body><p>Hello</p><img src="cid:x"></body></html>',
        '--r', 'Content-Type: image/png', 'Content-ID: <x>', 'Content-Transfer-Encoding: base64', '', 'iVBORw0KGgo=', '--r--', '',
        '--a--', '',
        '--m', 'Content-Type: text/plain; name="a.txt"', 'Content-Disposition: attachment; filename="a.txt"', '', 'attached', '--m--', '',
      ].join('\r\n'),
    );
    const { output, report } = await run(msg);
    expect(report.partsChanged).toBe(2);
    const s = output.toString('latin1');
    expect(copies(s, 'This email is confidential')).toBe(2);
    expect(s).toContain('<p>This email is confidential.</p>\r\n</div>\r\n</body></html>');
    expect(s).toContain('iVBORw0KGgo=\r\n--r--');
    expect(s).toContain('\r\n\r\nattached\r\n--m--');
  });

  it('a boundary string inside a body part text (not at line start) is harmless', async () => {
    const msg = message([...TOP, 'Content-Type: multipart/alternative; boundary="b"'], ['--b', 'Content-Type: text/plain', '', 'see x--b and --b-- here', '--b', 'Content-Type: text/html', '', '<p>--b</p>', '--b--', ''].join('\r\n'));
    const { output } = await run(msg);
    const parts = await splitParts(output);
    expect(parts.map((p) => p.node.contentType)).toEqual(['multipart/alternative', 'text/plain', 'text/html']);
  });

  it('never lets a disclaimer line become a boundary of the enclosing multipart', async () => {
    const evil: DisclaimerContent = { ...ASCII, text: 'Confidential notice.\n--b\nContent-Type: text/html\n\n<script>x</script>', html: '<p>x</p>\n--b--\n<p>y</p>' };
    const msg = message([...TOP, 'Content-Type: multipart/alternative; boundary="b"'], ['--b', 'Content-Type: text/plain', '', 'Hi', '--b', 'Content-Type: text/html', '', '<p>Hi</p>', '--b--', ''].join('\r\n'));
    const { output, report } = await run(msg, evil);
    const parts = await splitParts(output);
    expect(parts.map((p) => p.node.contentType)).toEqual(['multipart/alternative', 'text/plain', 'text/html']);
    // Both parts stay 7bit, which would carry the lines as they are: both are left alone.
    expect(report).toMatchObject({ outcome: 'unchanged', partsSkipped: ['delimiter-in-text', 'delimiter-in-text'] });
    expect(output.equals(msg)).toBe(true);
    // In quoted-printable the leading "-" is escaped, so the line is harmless there.
    const qp = Buffer.from(msg.toString('latin1').replace('Content-Type: text/plain', 'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable'), 'latin1');
    const viaQp = await run(qp, evil);
    expect((await splitParts(viaQp.output)).map((p) => p.node.contentType)).toEqual(['multipart/alternative', 'text/plain', 'text/html']);
    expect(viaQp.report).toMatchObject({ outcome: 'inserted', partsChanged: 1 });
    expect((await simpleParser(viaQp.output)).text).toContain('Confidential notice.\n--b\nContent-Type: text/html');
  });

  it('never lets a re-encoded QP line (=2D escaped in the original) become a boundary', async () => {
    const msg = message(
      [...TOP, 'Content-Type: multipart/alternative; boundary="b"'],
      ['--b', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable', '', 'Hi', '=2D-b--', 'bye', '--b', 'Content-Type: text/html', '', '<p>Hi</p>', '--b--', ''].join('\r\n'),
    );
    const { output } = await run(msg, UNICODE);
    const parts = await splitParts(output);
    expect(parts.map((p) => p.node.contentType)).toEqual(['multipart/alternative', 'text/plain', 'text/html']);
    expect((await simpleParser(output)).text).toContain('bye');
  });

  it('the added part of a body-less mixed never carries the enclosing boundary as a line', async () => {
    const evil: DisclaimerContent = { ...ASCII, text: 'Notice\n--Scan', html: '<p>Notice</p>' };
    const msg = message(
      [...TOP, 'Content-Type: multipart/mixed; boundary="Scan"'],
      ['--Scan', 'Content-Type: application/pdf', 'Content-Transfer-Encoding: base64', '', 'JVBERi0xLjQK', '--Scan--', ''].join('\r\n'),
    );
    const { output } = await run(msg, evil);
    const parts = await splitParts(output);
    expect(parts[1]!.body.toString()).toBe('JVBERi0xLjQK');
    const parsed = await simpleParser(output);
    expect(parsed.attachments).toHaveLength(1);
  });
});

describe('encodings', () => {
  it('base64 whose lines are not multiples of 4', async () => {
    const b64 = Buffer.from('Hello there, the crown is ready.\r\n', 'utf8').toString('base64');
    const body = `${b64.slice(0, 5)}\r\n${b64.slice(5, 27)}\r\n${b64.slice(27)}\r\n`;
    const msg = message([...TOP, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64'], body);
    const { output } = await run(msg);
    expect((await simpleParser(output)).text).toContain('Hello there, the crown is ready.');
    expect((await simpleParser(output)).text).toContain('This email is confidential.');
  });

  it('base64 with garbage is left alone', async () => {
    const msg = message([...TOP, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64'], 'SGVsbG8*!!\r\n');
    const { output, report } = await run(msg);
    expect(report).toMatchObject({ outcome: 'unchanged', reason: 'unsupported-encoding' });
    expect(output.equals(msg)).toBe(true);
  });

  it('QP with a soft break at the very end and an = at the end of the body', async () => {
    for (const body of ['Hello wor=\r\nld=\r\n', 'Hello=']) {
      const msg = message([...TOP, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable'], body);
      const { output, report } = await run(msg);
      expect(report.outcome).toBe('inserted');
      const text = (await simpleParser(output)).text ?? '';
      expect(text).toContain('Hello');
      expect(text).toContain('This email is confidential.');
    }
  });

  it('a transfer encoding and charset written oddly: upper case, spaces, empty', async () => {
    const cases: [string, string][] = [['QUOTED-PRINTABLE ', 'text/plain; charset="UTF-8" '], [' Base64', 'text/plain; charset='], ['7BIT', 'text/plain; charset=""']];
    for (const [cte, ct] of cases) {
      const body = cte.trim().toLowerCase() === 'base64' ? `${Buffer.from('Hello\r\n').toString('base64')}\r\n` : 'Hello\r\n';
      const msg = message([...TOP, `Content-Type: ${ct}`, `Content-Transfer-Encoding: ${cte}`], body);
      const { output, report } = await run(msg, UNICODE);
      expect(report.outcome, cte).toBe('inserted');
      const text = (await simpleParser(output)).text ?? '';
      expect(text, cte).toMatch(/^Hello\n\n-- \nSmile Dental Care Ltd — 12 High Street/);
    }
  });

  it('8bit text declared 7bit becomes quoted-printable', async () => {
    const msg = Buffer.concat([message([...TOP, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 7bit'], ''), Buffer.from('Café\r\n', 'utf8')]);
    const { output } = await run(msg);
    expect(output.toString('latin1')).toContain('Content-Transfer-Encoding: quoted-printable');
    expect((await simpleParser(output)).text).toContain('Café');
    for (const b of output) expect(b).toBeLessThan(0x80);
  });

  it.each(['latin1', 'ISO_8859-1', '"ISO-8859-1"', 'Latin1', 'cp1252', '"utf8"', 'UTF8'])('charset %s', async (charset) => {
    const bytes = /utf/i.test(charset) ? Buffer.from('Café\r\n', 'utf8') : Buffer.from('Caf\xe9\r\n', 'latin1');
    const msg = Buffer.concat([message([...TOP, `Content-Type: text/plain; charset=${charset}`, 'Content-Transfer-Encoding: 8bit'], ''), bytes]);
    const { output, report } = await run(msg, UNICODE);
    expect(report.outcome).toBe('inserted');
    const text = (await simpleParser(output)).text ?? '';
    expect(text).toContain('Café');
    expect(text).toContain('Smile Dental Care Ltd — 12 High Street');
  });

  it('a UTF-16 text part (base64)', async () => {
    const bytes = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('Hello\r\n', 'utf16le').swap16()]);
    const msg = message([...TOP, 'Content-Type: text/plain; charset=utf-16', 'Content-Transfer-Encoding: base64'], `${bytes.toString('base64')}\r\n`);
    const { output } = await run(msg, UNICODE);
    const text = (await simpleParser(output)).text ?? '';
    expect(text).toContain('Hello');
    expect(text).toContain('Smile Dental Care Ltd — 12 High Street');
  });

  it('an ISO-2022-JP text part', async () => {
    // "こんにちは" in ISO-2022-JP.
    const jis = Buffer.from('1b244224332473244b2441244f1b2842', 'hex');
    const msg = Buffer.concat([message([...TOP, 'Content-Type: text/plain; charset=ISO-2022-JP', 'Content-Transfer-Encoding: 7bit'], ''), jis, Buffer.from('\r\n')]);
    const { output } = await run(msg, UNICODE);
    const text = (await simpleParser(output)).text ?? '';
    expect(text).toContain('こんにちは');
    expect(text).toContain('Smile Dental Care Ltd — 12 High Street');
  });

  it('keeps a UTF-8 BOM at the start of a part, declared or not', async () => {
    for (const ct of ['Content-Type: text/plain; charset=utf-8', 'Content-Type: text/plain']) {
      const msg = Buffer.concat([message([...TOP, ct, 'Content-Transfer-Encoding: 8bit'], ''), Buffer.from('\ufeffCafé\r\n', 'utf8')]);
      const { output } = await run(msg);
      const parts = await splitParts(output);
      expect(parts[0]!.body.subarray(0, 3).toString('hex'), ct).toBe('efbbbf');
    }
  });

  it('leaves bytes that are not valid in the declared UTF-8 as they were', async () => {
    // A Latin-1 é mislabelled as UTF-8: decoding would turn it into U+FFFD for good.
    const msg = Buffer.concat([message([...TOP, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit'], ''), Buffer.from('Caf\xe9\r\n', 'latin1')]);
    const { output, report } = await run(msg);
    expect(report.outcome).toBe('inserted');
    expect(output.includes(Buffer.from('Caf\xe9\r\n\r\n-- \r\nSmile Dental', 'latin1'))).toBe(true);
    expect(output.includes(Buffer.from('efbfbd', 'hex'))).toBe(false);
    // Only ASCII can go into bytes of no known charset.
    const unicode = await run(msg, UNICODE);
    expect(unicode.report).toMatchObject({ outcome: 'unchanged', reason: 'unknown-charset' });
    expect(unicode.output.equals(msg)).toBe(true);
  });

  it('the same for an invalid sequence in a multi-byte charset (Shift_JIS)', async () => {
    const msg = Buffer.concat([message([...TOP, 'Content-Type: text/plain; charset=shift_jis', 'Content-Transfer-Encoding: 8bit'], ''), Buffer.from('8260ff', 'hex'), Buffer.from('\r\n')]);
    const { output } = await run(msg, UNICODE);
    expect(output.equals(msg)).toBe(true);
  });
});

describe('HTML', () => {
  const html = (body: string, cte = '7bit') => message([...TOP, 'Content-Type: text/html; charset=utf-8', `Content-Transfer-Encoding: ${cte}`], body);

  it('ignores a </body> inside a comment, a script or a style after the real one', async () => {
    for (const tail of ['<!-- </body> -->', '<script>var s = "</body>";</script>', '<style>/* </body> */</style>']) {
      const { output } = await run(html(`<html><body><p>Hi</p></body>${tail}</html>\r\n`));
      const s = output.toString('latin1');
      const at = s.indexOf('data-mouthguard-disclaimer');
      expect(s.slice(0, at), tail).toContain('<p>Hi</p>');
      expect(s.slice(at), tail).toContain(tail);
      expect(s.slice(0, at).lastIndexOf('<!--') <= s.slice(0, at).lastIndexOf('-->'), tail).toBe(true);
    }
  });

  it('a comment or script left open to the end: the disclaimer goes before it, not into it', async () => {
    for (const tail of ['<!-- [if mso] never closed', '<script>var s = 1;']) {
      const { output } = await run(html(`<p>Hi</p>${tail}\r\n`));
      const s = output.toString('latin1');
      expect(s, tail).toMatch(new RegExp(`<p>Hi</p>\\r\\n<div data-mouthguard-disclaimer[\\s\\S]*</div>\\r\\n${tail.replace(/[[\]]/g, '\\$&')}\\r\\n$`));
    }
  });

  it('several </body>: the last one outside comments', async () => {
    const { output } = await run(html('<html><body><p>A</p></body><body><p>B</p></BODY></html>\r\n'));
    expect(output.toString('latin1')).toMatch(/<p>B<\/p>\r\n<div data-mouthguard-disclaimer[\s\S]*<\/div>\r\n<\/BODY><\/html>/);
  });

  it('uppercase tags, no <html>, <body> with attributes', async () => {
    const { output } = await run(html('<BODY BGCOLOR="#fff" style="x"><P>Hi</P></BODY>\r\n'));
    expect(output.toString('latin1')).toMatch(/<P>Hi<\/P>\r\n<div data-mouthguard-disclaimer[\s\S]*<\/div>\r\n<\/BODY>/);
  });

  it('a 1 MB single-line HTML part: every output line within 998 octets', async () => {
    const big = `<html><body>${'<span>word</span> '.repeat(60_000)}</body></html>`;
    const { output, report } = await run(html(big));
    expect(report.outcome).toBe('inserted');
    for (const line of linesOf(output)) expect(line.length).toBeLessThanOrEqual(998);
    const parts = await splitParts(output);
    expect(decodedText(parts[0]!).replace(/\r\n<div data-mouthguard[\s\S]*<\/div>\r\n/, '')).toBe(big);
  });

  it('HTML that is only whitespace', async () => {
    const { output, report } = await run(html('  \r\n\r\n'));
    expect(report.outcome).toBe('inserted');
    expect(copies(output.toString('latin1'), 'data-mouthguard-disclaimer')).toBe(1);
  });
});

describe('text', () => {
  it('format=flowed; delsp=yes: the disclaimer lines end without a space', async () => {
    const content = { ...ASCII, text: 'A line that ends in a space \nand another' };
    const msg = message([...TOP, 'Content-Type: text/plain; charset=utf-8; format=flowed; delsp=yes'], 'Hi \r\nthere\r\n');
    const { output } = await run(msg, content);
    expect(output.toString('latin1')).toContain('Hi \r\nthere\r\n\r\n-- \r\nA line that ends in a space\r\nand another\r\n');
  });

  it('format=flowed and delsp survive a charset change', async () => {
    const msg = message([...TOP, 'Content-Type: text/plain; charset=us-ascii; format=flowed; delsp=yes'], 'Hi \r\nthere\r\n');
    const { output } = await run(msg, UNICODE);
    const [part] = await splitParts(output);
    expect(part!.node.flowed).toBe(true);
    expect(part!.node.delSp).toBe(true);
    expect(part!.node.charset).toBe('utf-8');
  });

  it('a signature already followed by the disclaimer is recognised', async () => {
    const msg = message([...TOP, 'Content-Type: text/plain'], 'Hi\r\n\r\n-- \r\nDr Patel\r\nSmile Dental Care Ltd, registered in England no. 01234567.\r\nThis email is confidential.\r\n');
    expect((await run(msg)).report).toMatchObject({ outcome: 'unchanged', reason: 'already-present' });
  });

  it('a disclaimer quoted "> > " and rewrapped at another width is recognised once per thread', async () => {
    const quoted = '> > Smile Dental Care Ltd,\r\n> > registered in\r\n> > England no. 01234567. This\r\n> > email is\r\n> > confidential.\r\n';
    const msg = message([...TOP, 'Content-Type: text/plain'], `Fine.\r\n\r\nOn Mon, 1 Jan 2024 at 10:00, Lab <lab@example.org> wrote:\r\n> Ok\r\n>\r\n${quoted}`);
    expect((await run(msg)).report).toMatchObject({ outcome: 'unchanged', reason: 'already-present' });
  });

  it('wording that differs only in punctuation counts as present', async () => {
    const msg = message([...TOP, 'Content-Type: text/plain'], 'Hi\r\n\r\nSmile Dental Care Ltd - registered in England, no 01234567 ... This email is confidential!\r\n');
    expect((await run(msg)).report.reason).toBe('already-present');
  });
});

describe('structure', () => {
  it('never changes the text inside an attached message/rfc822', async () => {
    const inner = 'From: a@example.org\r\nSubject: old\r\nContent-Type: text/plain\r\n\r\nOld text\r\n';
    const msg = message([...TOP, 'Content-Type: multipart/mixed; boundary="m"'], ['--m', 'Content-Type: message/rfc822', '', inner, '--m--', ''].join('\r\n'));
    const { output, report } = await run(msg);
    expect(output.toString('latin1')).toContain(inner);
    expect(copies(output.toString('latin1'), 'This email is confidential')).toBe(1);
    expect(report.partsChanged).toBe(1);
  });

  it('a text/plain with Content-Disposition inline and a filename is an attachment', async () => {
    const msg = message(
      [...TOP, 'Content-Type: multipart/mixed; boundary="m"'],
      ['--m', 'Content-Type: text/plain', '', 'Body', '--m', 'Content-Type: text/plain', 'Content-Disposition: inline; filename="notes.txt"', '', 'Notes', '--m--', ''].join('\r\n'),
    );
    const { output } = await run(msg);
    expect(output.toString('latin1')).toContain('filename="notes.txt"\r\n\r\nNotes\r\n--m--');
  });

  it('multipart/alternative with only text/calendar is left alone', async () => {
    const msg = message([...TOP, 'Content-Type: multipart/alternative; boundary="a"'], ['--a', 'Content-Type: text/calendar; method=REQUEST', '', 'BEGIN:VCALENDAR', 'END:VCALENDAR', '--a--', ''].join('\r\n'));
    const { output, report } = await run(msg);
    expect(report.outcome).toBe('unchanged');
    expect(output.equals(msg)).toBe(true);
  });

  it('multipart/report with skipMachineMail false: only the human-readable first part', async () => {
    const msg = message(
      [...TOP, 'Content-Type: multipart/report; report-type=delivery-status; boundary="r"'],
      ['--r', 'Content-Type: text/plain', '', 'failed', '--r', 'Content-Type: message/delivery-status', '', 'Reporting-MTA: dns; x', '', 'Final-Recipient: rfc822; a@b', '--r', 'Content-Type: text/rfc822-headers', '', 'Subject: x', '--r--', ''].join('\r\n'),
    );
    const { output, report } = await run(msg, ASCII, { skipMachineMail: false });
    expect(report.partsChanged).toBe(1);
    expect(output.toString('latin1')).toContain('Reporting-MTA: dns; x\r\n\r\nFinal-Recipient: rfc822; a@b\r\n--r');
    expect(output.toString('latin1')).toContain('Subject: x\r\n--r--');
  });

  it('multipart/signed nested in mixed with wrap is skipped, byte for byte', async () => {
    const msg = message(
      [...TOP, 'Content-Type: multipart/mixed; boundary="m"'],
      ['--m', 'Content-Type: multipart/signed; protocol="application/pgp-signature"; boundary="s"', '', '--s', 'Content-Type: text/plain', '', 'Signed', '--s', 'Content-Type: application/pgp-signature', '', 'sig', '--s--', '', '--m--', ''].join('\r\n'),
    );
    const { output, report } = await run(msg, ASCII, { signed: 'wrap' });
    expect(report).toMatchObject({ outcome: 'unchanged', reason: 'signed' });
    expect(output.equals(msg)).toBe(true);
  });

  it('a wrapped DKIM-signed message is not wrapped again (its DKIM-Signature stays outside)', async () => {
    const msg = message(['DKIM-Signature: v=1; a=rsa-sha256; d=smile-dental.co.uk; s=s1; b=abc', ...TOP, 'Content-Type: text/plain'], 'Hi\r\n');
    const first = await run(msg, ASCII, { signed: 'wrap' });
    expect(first.report.outcome).toBe('wrapped');
    const second = await run(first.output, ASCII, { signed: 'wrap' });
    expect(second.report).toMatchObject({ outcome: 'unchanged', reason: 'already-present' });
    expect(second.output.equals(first.output)).toBe(true);
  });

  it('application/pkcs7-mime root with wrap: the original inside byte for byte', async () => {
    const msg = message([...TOP, 'Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m', 'Content-Transfer-Encoding: base64', 'Content-Disposition: attachment; filename=smime.p7m'], 'MIAGCSqGSIb3DQEHA6CAMIACAQAx\r\n');
    const { output, report } = await run(msg, ASCII, { signed: 'wrap' });
    expect(report.outcome).toBe('wrapped');
    const parts = await splitParts(output);
    expect(parts.map((p) => p.node.contentType)).toEqual(['multipart/mixed', 'application/pkcs7-mime', 'multipart/alternative', 'text/plain', 'text/html']);
    expect(parts[1]!.body.toString('latin1').trim()).toBe('MIAGCSqGSIb3DQEHA6CAMIACAQAx');
  });
});

describe('root headers', () => {
  it('a message that ends inside its header block is left alone (text added would be read as headers)', async () => {
    const msg = Buffer.from(['From: a@smile-dental.co.uk', 'To: b@example.org', 'Subject: x', 'no blank line, so this is a header too', ''].join('\r\n'), 'latin1');
    const { output, report } = await run(msg);
    expect(report).toMatchObject({ outcome: 'unchanged', reason: 'unparseable' });
    expect(output.equals(msg)).toBe(true);
  });

  it('a multipart cut off just after a delimiter: the empty last part gets nothing', async () => {
    const msg = message([...TOP, 'Content-Type: multipart/alternative; boundary="b"'], ['--b', 'Content-Type: text/plain', '', 'Hi', '--b', ''].join('\r\n'));
    const { output, report } = await run(msg);
    expect(report).toMatchObject({ outcome: 'inserted', partsChanged: 1, partsSkipped: ['unparseable'] });
    expect(copies(output.toString('latin1'), 'This email is confidential')).toBe(1);
    expect(output.toString('latin1')).toMatch(/This email is confidential\.\r\n--b\r\n$/);
    expect((await run(output)).report.outcome).toBe('unchanged');
  });

  it('no Content-Type at all: text/plain, and a charset change is declared so clients honour it', async () => {
    const msg = message(['From: a@smile-dental.co.uk', 'To: b@example.org', 'Subject: x'], 'Hello\r\n');
    const { output, report } = await run(msg, UNICODE);
    expect(report.outcome).toBe('inserted');
    const s = output.toString('latin1');
    // The original fields first, as they were; the new ones after them.
    expect(s.startsWith('From: a@smile-dental.co.uk\r\nTo: b@example.org\r\nSubject: x\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\nMIME-Version: 1.0\r\n\r\nHello\r\n')).toBe(true);
    const parsed = await simpleParser(output);
    expect(parsed.text).toContain('Hello');
    expect(parsed.text).toContain('Smile Dental Care Ltd — 12 High Street');
  });

  it('no Content-Type, ASCII disclaimer: only the body changes', async () => {
    const msg = message(['From: a@smile-dental.co.uk', 'To: b@example.org', 'Subject: x'], 'Hello\r\n');
    const { output } = await run(msg);
    expect(output.toString('latin1')).toBe(message(['From: a@smile-dental.co.uk', 'To: b@example.org', 'Subject: x'], `Hello\r\n\r\n-- \r\n${ASCII.text.replace(/\n/g, '\r\n')}\r\n`).toString('latin1'));
  });

  it('Content-Type with odd parameter order, case and folding', async () => {
    const msg = message([...TOP, 'Content-Type: TEXT/PLAIN;', '\tFORMAT=Flowed;', ' Charset="ISO-8859-1"', 'Content-Transfer-Encoding: Quoted-Printable'], 'Caf=E9 =\r\nsoon\r\n');
    const { output, report } = await run(msg, UNICODE);
    expect(report.outcome).toBe('inserted');
    const parsed = await simpleParser(output);
    expect(parsed.text).toContain('Café soon');
    expect(parsed.text).toContain('Smile Dental Care Ltd — 12 High Street');
  });
});

describe('sender fields', () => {
  const templates = [{ scope: { kind: 'default' as const }, text: 'Sent by {{sender_name}} <{{sender_address}}> for {{practice_name}}.\nConfidential.', html: '<p>Sent by {{sender_name}}</p>' }];
  const config = testConfig(25, '/nonexistent');
  const apply = (msg: Buffer) => rewriteBuffer(msg, rewriteInputFor(new RenderedDisclaimers(templates, config), new Date('2026-11-24T10:00:00Z'), 'seed', 'envelope@practice.test'));

  it('an encoded-word display name is decoded for {{sender_name}}', async () => {
    const msg = message(['From: =?utf-8?q?Dr_P=C3=A1tel?= <patel@practice.test>', 'To: x@example.org', 'Subject: x', 'Content-Type: text/plain; charset=utf-8'], 'Hi\r\n');
    const text = (await simpleParser((await apply(msg)).output)).text ?? '';
    expect(text).toContain('Sent by Dr Pátel <patel@practice.test> for Test Practice.');
  });

  it('an encoded-word name that hides a line break stays on one line', async () => {
    const msg = message(['From: =?utf-8?q?Eve=0D=0A--_=0D=0AContent-Type=3A_text/html?= <eve@practice.test>', 'To: x@example.org', 'Subject: x', 'Content-Type: text/plain'], 'Hi\r\n');
    const { output } = await apply(msg);
    const parts = await splitParts(output);
    expect(parts).toHaveLength(1);
    expect(decodedText(parts[0]!)).toMatch(/^Hi\r\n\r\n-- \r\nSent by Eve,[^\r\n]*Content-Type: text\/html <eve@practice.test> for Test Practice\.\r\nConfidential\.\r\n$/);
  });

  it('no From header: the envelope sender, and the line with the empty name is dropped', async () => {
    const msg = message(['To: x@example.org', 'Subject: x', 'Content-Type: text/plain'], 'Hi\r\n');
    const { output, report } = await apply(msg);
    expect(report.outcome).toBe('inserted');
    expect(output.toString('latin1')).toContain('Hi\r\n\r\n-- \r\nConfidential.\r\n');
  });
});

describe('size', () => {
  const part = (n: number) => message([...TOP, 'Content-Type: text/plain'], 'a'.repeat(n - 2) + '\r\n');

  it('a body part exactly at maxBodyPartSize is rewritten, one byte over is not', async () => {
    const at = part(1000);
    const size = (await splitParts(at))[0]!.body.length;
    expect((await run(at, ASCII, { maxBodyPartSize: size })).report.outcome).toBe('inserted');
    const { output, report } = await run(at, ASCII, { maxBodyPartSize: size - 1 });
    expect(report.reason).toBe('part-too-large');
    expect(output.equals(at)).toBe(true);
  });

  it('one byte over, streamed byte by byte, is still byte-identical', async () => {
    const at = part(1000);
    const size = (await splitParts(at))[0]!.body.length;
    const output = await runChunked(at, bytewise(at), ASCII, { maxBodyPartSize: size - 1 });
    expect(output.equals(at)).toBe(true);
  });

  it('1000 alternatives', async () => {
    const alts: string[] = [];
    for (let i = 0; i < 1000; i++) alts.push('--a', i % 2 ? 'Content-Type: text/html' : 'Content-Type: text/plain', '', i % 2 ? `<p>${i}</p>` : `${i}`);
    const msg = message([...TOP, 'Content-Type: multipart/alternative; boundary="a"'], [...alts, '--a--', ''].join('\r\n'));
    const { output, report } = await run(msg);
    expect(report.partsChanged).toBe(1000);
    const s = output.toString('latin1');
    expect(copies(s, '\r\n--a\r\n')).toBe(1000);
    expect(copies(s, 'data-mouthguard-disclaimer')).toBe(500);
    expect(copies(s, '-- \r\nSmile Dental Care Ltd')).toBe(500);
  });
});

const SHARED = join(import.meta.dirname, '../../../../shared/fixtures/mime');
const GOLDEN_INPUTS = join(import.meta.dirname, '../../golden/disclaimers/inputs');
const fixtures = [
  ...readdirSync(SHARED, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.eml'))
    .map((f) => join(SHARED, f)),
  ...readdirSync(GOLDEN_INPUTS).map((f) => join(GOLDEN_INPUTS, f)),
].sort();

describe('properties over every fixture', () => {
  it.each(fixtures.map((f) => [f.slice(f.indexOf('fixtures') >= 0 ? f.indexOf('mime/') + 5 : f.indexOf('inputs/')), f]))('%s', async (_name, file) => {
    const original = readFileSync(file);
    const variants: Partial<RewriteSettings>[] = [{ repeat: 'once-per-thread' }, { repeat: 'every-message' }, { signed: 'wrap', placement: 'bottom' }];
    for (const settings of variants) {
      for (const content of [ASCII, UNICODE]) {
        const label = `${JSON.stringify(settings)} ${content.marker}`;
        const first = await rewriteBuffer(original, input(settings, content, file));
        // Idempotent: the rewriter's own output needs nothing more.
        const second = await rewriteBuffer(first.output, input(settings, content, file));
        expect(second.report.outcome, `${label}: second pass`).toBe('unchanged');
        expect(second.output.equals(first.output), `${label}: second pass bytes`).toBe(true);
        // Deterministic.
        const again = await rewriteBuffer(original, input(settings, content, file));
        expect(again.output.equals(first.output), `${label}: again`).toBe(true);
        // Independent of how the bytes arrive.
        const chunked = await runChunked(original, randomPieces(original, original.length), content, settings, file);
        expect(chunked.equals(first.output), `${label}: random pieces`).toBe(true);
        if (first.report.outcome === 'unchanged') expect(first.output.equals(original), `${label}: unchanged`).toBe(true);
      }
    }
  });

  it.each(fixtures.filter((f) => readFileSync(f).length < 60_000).map((f) => [f.slice(f.lastIndexOf('/') + 1), f]))('byte by byte: %s', async (_name, file) => {
    const original = readFileSync(file);
    const whole = await rewriteBuffer(original, input({}, UNICODE, file));
    const output = await runChunked(original, bytewise(original), UNICODE, {}, file);
    expect(output.equals(whole.output)).toBe(true);
  });
});
