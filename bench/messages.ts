import { randomBytes } from 'node:crypto';

/**
 * The bench messages, generated once in memory: CRLF line endings throughout, dot-stuffed,
 * ending with CRLF (the client adds the terminating ".\r\n"). Each message sent gets its own
 * `X-Bench-Id` header prepended (a small separate buffer, so the body is never copied).
 */
export interface BenchMessage {
  /** Short key for options and JSON ("2k", "50k", "5m"). */
  readonly key: string;
  readonly label: string;
  /** Dot-stuffed body, headers included, without the X-Bench-Id header and the final dot. */
  readonly body: Buffer;
}

export const SENDER = 'bench@practice.test';
export const RECIPIENT = 'sink@example.net';
export const PRACTICE_DOMAIN = 'practice.test';

const WORDS =
  'patient appointment recall hygienist check-up treatment plan practice surgery x-ray filling crown bridge implant ' +
  'orthodontic referral consent invoice reminder dentist nurse reception schedule follow-up review whitening scale polish';

export function idHeader(id: string): Buffer {
  return Buffer.from(`X-Bench-Id: ${id}\r\n`, 'latin1');
}

/** Scans the start of a message for its X-Bench-Id (null if not there). */
export function findBenchId(head: string): string | null {
  const m = /(?:^|\r\n)X-Bench-Id: ([^\r\n]+)\r\n/i.exec(head);
  return m ? m[1]! : null;
}

function headers(subject: string, contentType: string, extra: string[] = []): string[] {
  return [
    `From: Bench Practice <${SENDER}>`,
    `To: <${RECIPIENT}>`,
    `Subject: ${subject}`,
    'Date: Mon, 01 Jan 2024 09:00:00 +0000',
    `Message-ID: <bench-${subject.replace(/\W+/g, '-')}@practice.test>`,
    'MIME-Version: 1.0',
    `Content-Type: ${contentType}`,
    ...extra,
  ];
}

/** Lines of prose, each at most `width` characters, until `bytes` are reached (CRLF counted). */
function prose(bytes: number, width = 72, prefix = '', suffix = ''): string[] {
  const words = WORDS.split(' ');
  const lines: string[] = [];
  let total = 0;
  let i = 0;
  while (total < bytes) {
    let line = prefix;
    while (line.length + suffix.length < width) line += (line.length > prefix.length ? ' ' : '') + words[i++ % words.length]!;
    line += suffix;
    lines.push(line);
    total += line.length + 2;
  }
  return lines;
}

function finish(lines: string[]): Buffer {
  const text = lines.join('\r\n') + '\r\n';
  if (/(?<!\r)\n|\r(?!\n)/.test(text)) throw new Error('bench message has a bare CR or LF');
  return dotStuff(Buffer.from(text, 'latin1'));
}

/** RFC 5321 4.5.2: a line starting with "." gets another "." in front. */
export function dotStuff(raw: Buffer): Buffer {
  const text = raw.toString('latin1');
  const stuffed = text.replace(/(^|\r\n)\./g, '$1..');
  return stuffed.length === text.length ? raw : Buffer.from(stuffed, 'latin1');
}

export function textMessage(targetBytes = 2048): BenchMessage {
  const head = headers('Bench 2 KB text', 'text/plain; charset=us-ascii', ['Content-Transfer-Encoding: 7bit']);
  const headBytes = head.reduce((n, l) => n + l.length + 2, 2);
  return { key: '2k', label: '2 KB text', body: finish([...head, '', ...prose(targetBytes - headBytes)]) };
}

export function htmlMessage(targetBytes = 50 * 1024): BenchMessage {
  const head = headers('Bench 50 KB HTML', 'text/html; charset=utf-8', ['Content-Transfer-Encoding: 7bit']);
  const open = ['<!DOCTYPE html>', '<html><head><title>Practice newsletter</title></head>', '<body>'];
  const close = ['</body>', '</html>'];
  const fixed = [...head, '', ...open, ...close].reduce((n, l) => n + l.length + 2, 0);
  const paragraphs = prose(targetBytes - fixed, 160, '<p style="margin:0 0 8px 0">', '</p>');
  return { key: '50k', label: '50 KB HTML', body: finish([...head, '', ...open, ...paragraphs, ...close]) };
}

/** A multipart message with a short text part and a base64 attachment of `attachmentBytes`. */
export function attachmentMessage(attachmentBytes = 5 * 1024 * 1024): BenchMessage {
  const boundary = '----=_bench_boundary_0123456789';
  const head = headers('Bench 5 MB attachment', `multipart/mixed; boundary="${boundary}"`);
  const encoded = randomBytes(attachmentBytes).toString('base64');
  const b64Lines: string[] = [];
  for (let i = 0; i < encoded.length; i += 76) b64Lines.push(encoded.slice(i, i + 76));
  const lines = [
    ...head,
    '',
    'This is a multi-part message in MIME format.',
    `--${boundary}`,
    'Content-Type: text/plain; charset=us-ascii',
    '',
    ...prose(600),
    `--${boundary}`,
    'Content-Type: application/pdf; name="radiograph.pdf"',
    'Content-Disposition: attachment; filename="radiograph.pdf"',
    'Content-Transfer-Encoding: base64',
    '',
    ...b64Lines,
    `--${boundary}--`,
  ];
  return { key: '5m', label: '5 MB attachment', body: finish(lines) };
}

/** A practice's disclaimer as a manager would write it (`--disclaimer`): fields, a paragraph, a link. */
export const PRACTICE_DISCLAIMER = {
  text: [
    '{{sender_name}}, {{practice_name}}',
    'Sent {{date}}.',
    '',
    'This email and any attachments are confidential and intended only for the addressee. If you',
    'have received it in error, please tell the sender and delete it. Patient information is',
    'handled under UK GDPR; see our privacy notice at https://practice.test/privacy.',
  ].join('\n'),
  html: [
    '<p><b>{{sender_name}}</b>, {{practice_name}}<br>Sent {{date}}.</p>',
    '<p>This email and any attachments are confidential and intended only for the addressee. If you have',
    'received it in error, please tell the sender and delete it. Patient information is handled under UK',
    'GDPR; see our <a href="https://practice.test/privacy">privacy notice</a>.</p>',
  ].join('\n'),
};
