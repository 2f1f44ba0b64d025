import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Readable, Transform } from 'node:stream';
import { SMTPStream } from 'smtp-server/lib/smtp-stream.js';
import { describe, expect, it } from 'vitest';
import { everyTestMessage } from '../helpers/eml-files.js';
import { patchedPackage } from '../helpers/patched-package.js';

// patches/nodemailer+<version>.patch and patches/smtp-server+<version>.patch make the two ends of
// SMTP's dot-stuffing find line ends and line-initial dots with Buffer#indexOf instead of a
// byte-by-byte loop in JavaScript (README, Dependencies). These tests hold the patched code to
// RFC 5321's rules, written out independently below, on random inputs cut at random places.

/** What nodemailer must send for `input`: every line end as CRLF (a bare CR or LF too), a dot starting a line doubled, then the end of data. */
function expectedStuffed(input: Buffer): string {
  const text = input.toString('latin1');
  const lines = text.replace(/\r\n|\r|\n/g, '\r\n');
  const stuffed = lines.replace(/(^|\r\n)\./g, '$1..');
  return stuffed + (stuffed.endsWith('\r\n') ? '.\r\n' : '\r\n.\r\n');
}

/**
 * What smtp-server hands on for a DATA stream, as it always has: up to the first line that is a
 * lone dot, a line's doubled leading dot halved (a single one, which RFC 5321 would remove, is left).
 */
function expectedUnstuffed(wire: string): string | null {
  if (wire.startsWith('.\r\n')) return '';
  const end = wire.indexOf('\r\n.\r\n');
  // A bare LF as the very first byte does not count as a line start (smtp-server looks from the second byte on).
  return end < 0 ? null : wire.slice(0, end + 2).replace(/(^|\n)\.\./g, (whole: string, lf: string, at: number) => (at === 0 && lf ? whole : `${lf}.`));
}

function cut(bytes: Buffer, maxPiece: number): Buffer[] {
  const pieces: Buffer[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = 1 + randomInt(Math.min(maxPiece, bytes.length - at));
    pieces.push(bytes.subarray(at, at + size));
    at += size;
  }
  return pieces;
}

function randomBytesFrom(alphabet: string, length: number): Buffer {
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[randomInt(alphabet.length)];
  return Buffer.from(s, 'latin1');
}

async function stuff(pieces: readonly Buffer[]): Promise<string> {
  const { default: DataStream } = (await import('nodemailer/lib/smtp-connection/data-stream.js')) as { default: new () => Transform };
  const stream = new DataStream();
  const out: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => out.push(chunk));
  const done = new Promise((resolve) => stream.on('end', resolve));
  for (const piece of pieces) stream.write(piece);
  stream.end();
  await done;
  return Buffer.concat(out).toString('latin1');
}

/**
 * Feeds DATA bytes to smtp-server's parser in pieces: its unescaped output, or null if it has not
 * seen the end. Data that holds an end is waited for (up to 2 s); data without one, briefly.
 */
async function unstuff(pieces: readonly Buffer[], holdsEnd = true): Promise<string | null> {
  const parser = new SMTPStream();
  parser.oncommand = (_command: Buffer, next?: () => void) => next?.(); // what follows the data is not looked at
  const data = parser.startDataMode(0) as Readable;
  const out: Buffer[] = [];
  let ended = false;
  data.on('data', (chunk: Buffer) => out.push(chunk));
  const end = new Promise<void>((resolve) => data.on('end', () => ((ended = true), parser.continue(), resolve())));
  for (const piece of pieces) await new Promise<void>((resolve, reject) => parser.write(piece, (err) => (err ? reject(err) : resolve())));
  await Promise.race([end, new Promise((resolve) => setTimeout(resolve, holdsEnd ? 2000 : 10))]);
  return ended ? Buffer.concat(out).toString('latin1') : null;
}

describe('the patched dot-stuffing of nodemailer and smtp-server', () => {
  it('are the versions the patches were made for, with the patches applied (npm ci runs patch-package)', () => {
    const nodemailer = patchedPackage('nodemailer');
    const smtpServer = patchedPackage('smtp-server');
    expect(nodemailer.patchedForThisVersion, `patches/ for nodemailer ${nodemailer.version}`).toBe(true);
    expect(smtpServer.patchedForThisVersion, `patches/ for smtp-server ${smtpServer.version}`).toBe(true);
    for (const flavour of ['esm', 'cjs']) {
      expect(nodemailer.file(`dist/${flavour}/smtp-connection/data-stream.js`)).toContain('chunk.indexOf(0x0a, lf + 1)');
      expect(smtpServer.file(`dist/${flavour}/smtp-stream.js`)).toContain('chunk.indexOf(LF_DOT, i)');
    }
  });

  it('nodemailer stuffs dots and makes every line end CRLF, however the message is cut', async () => {
    for (let round = 0; round < 3000; round++) {
      const input = randomBytesFrom('\r\n.a', randomInt(0, 40));
      const pieces = round % 3 === 0 ? [input] : cut(input, 1 + randomInt(9));
      expect(await stuff(pieces), JSON.stringify(input.toString('latin1'))).toBe(expectedStuffed(input));
    }
  });

  it('smtp-server removes stuffed dots and finds the end of data, however the stream is cut', async () => {
    for (let round = 0; round < 1500; round++) {
      // Lines of dots and letters, with the end of data somewhere in most of them; a third with
      // bare CRs and LFs left in (the front door refuses those, but the parser's rules still hold).
      const raw = randomBytesFrom('..a\r\n', randomInt(0, 30)).toString('latin1');
      const body = round % 3 === 1 ? raw : raw.replace(/\r\n|\r|\n/g, '\r\n');
      const wire = round % 5 === 0 ? body : `${body}${body.endsWith('\r\n') || body === '' ? '' : '\r\n'}.\r\nQUIT\r\n`;
      const expected = expectedUnstuffed(wire);
      const pieces = round % 4 === 0 ? [Buffer.from(wire, 'latin1')] : cut(Buffer.from(wire, 'latin1'), 1 + randomInt(9));
      expect(await unstuff(pieces, expected !== null), JSON.stringify(wire)).toBe(expected);
    }
  });

  it('round-trips every test message: stuffed by nodemailer, unstuffed by smtp-server, in 1013-byte and 64 KiB pieces', async () => {
    const messages = everyTestMessage();
    expect(messages.length).toBeGreaterThan(100);
    for (const file of messages) {
      const message = readFileSync(file);
      const normalised = message.toString('latin1').replace(/\r\n|\r|\n/g, '\r\n');
      const sent = await stuff([message]);
      expect(sent, file).toBe(expectedStuffed(message));
      for (const size of [1013, 64 * 1024]) {
        const pieces: Buffer[] = [];
        const wire = Buffer.from(sent, 'latin1');
        for (let at = 0; at < wire.length; at += size) pieces.push(wire.subarray(at, at + size));
        const received = await unstuff(pieces);
        expect(received, `${file} in ${size}-byte pieces`).toBe(normalised.endsWith('\r\n') ? normalised : `${normalised}\r\n`);
      }
    }
  });
});
