import { describe, expect, it } from 'vitest';
import { buildDsn, statusOf, type DsnInput, type FailedRecipient } from '../../src/delivery/dsn.js';
import { isExpired, retryDelay, type RetryPolicy } from '../../src/delivery/retry-schedule.js';
import { cleanReply } from '../../src/delivery/upstream.js';

const SECOND = 1000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const DEFAULTS: RetryPolicy = { initialDelay: 30 * SECOND, maxDelay: HOUR, factor: 2, maxAge: 5 * DAY };

describe('retry schedule', () => {
  it('the first retry waits initialDelay', () => {
    expect(retryDelay(DEFAULTS, 1)).toBe(30 * SECOND);
    expect(retryDelay({ ...DEFAULTS, initialDelay: 200 }, 1)).toBe(200);
  });

  it('attempts below one are treated as the first', () => {
    expect(retryDelay(DEFAULTS, 0)).toBe(30 * SECOND);
  });

  it('doubles after each attempt', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => retryDelay(DEFAULTS, n))).toEqual([
      30 * SECOND,
      60 * SECOND,
      120 * SECOND,
      240 * SECOND,
      480 * SECOND,
      960 * SECOND,
      1920 * SECOND,
    ]);
  });

  it('uses the configured factor', () => {
    const policy = { ...DEFAULTS, initialDelay: 100, factor: 3 };
    expect([1, 2, 3].map((n) => retryDelay(policy, n))).toEqual([100, 300, 900]);
    expect([1, 2, 3].map((n) => retryDelay({ ...policy, factor: 1 }, n))).toEqual([100, 100, 100]);
  });

  it('is capped at maxDelay, also after very many attempts', () => {
    expect(retryDelay(DEFAULTS, 8)).toBe(HOUR);
    expect(retryDelay(DEFAULTS, 20)).toBe(HOUR);
    expect(retryDelay(DEFAULTS, 5000)).toBe(HOUR);
    expect(retryDelay({ ...DEFAULTS, initialDelay: 2 * HOUR }, 1)).toBe(HOUR);
  });

  it('never decreases from one attempt to the next', () => {
    let previous = 0;
    for (let n = 1; n <= 100; n++) {
      const d = retryDelay(DEFAULTS, n);
      expect(d).toBeGreaterThanOrEqual(previous);
      expect(Number.isFinite(d)).toBe(true);
      previous = d;
    }
  });

  it('a message expires once maxAge has passed since it was received', () => {
    const received = 1_700_000_000_000;
    expect(isExpired(DEFAULTS, received, received)).toBe(false);
    expect(isExpired(DEFAULTS, received, received + 5 * DAY - 1)).toBe(false);
    expect(isExpired(DEFAULTS, received, received + 5 * DAY)).toBe(true);
    expect(isExpired(DEFAULTS, received, received + 6 * DAY)).toBe(true);
  });
});

describe('statusOf', () => {
  const f = (reply: string, expired = false): FailedRecipient => ({ address: 'x@lab.test', reply, expired });

  it('takes the enhanced code from the reply', () => {
    expect(statusOf(f('550 5.1.1 <x@lab.test>: Recipient address rejected'))).toBe('5.1.1');
    expect(statusOf(f('554 5.7.1 Message rejected as spam'))).toBe('5.7.1');
    expect(statusOf(f('552-5.2.2 mailbox full'))).toBe('5.2.2');
    expect(statusOf(f('550 5.7.26 DMARC policy'))).toBe('5.7.26');
    expect(statusOf(f('451 4.3.0 try later'))).toBe('4.3.0');
  });

  it('derives one from the basic code when there is none', () => {
    expect(statusOf(f('550 mailbox unavailable'))).toBe('5.0.0');
    expect(statusOf(f('554 no'))).toBe('5.0.0');
    expect(statusOf(f('421 service not available'))).toBe('4.0.0');
  });

  it('is 5.0.0 for a reply that is no SMTP reply at all', () => {
    expect(statusOf(f('ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:25'))).toBe('5.0.0');
    expect(statusOf(f(''))).toBe('5.0.0');
  });

  it('is 4.4.7 for a recipient that expired while deferred, whatever the last reply', () => {
    expect(statusOf(f('451 4.3.0 try later', true))).toBe('4.4.7');
    expect(statusOf(f('connection refused', true))).toBe('4.4.7');
  });
});

function dsnInput(overrides: Partial<DsnInput> = {}): DsnInput {
  return {
    relayName: 'relay.practice.test',
    from: 'postmaster@practice.test',
    to: 'reception@practice.test',
    queueId: '01JABCDEFGHJKMNPQR',
    arrivalDate: new Date('2026-03-02T09:00:00Z'),
    failures: [
      { address: 'orders@lab.test', reply: '550 5.1.1 <orders@lab.test>: Recipient address rejected', expired: false },
      { address: 'slow@lab.test', reply: '451 4.4.1 connection timed out', expired: true },
    ],
    originalHeaders: Buffer.from('From: Reception <reception@practice.test>\r\nTo: orders@lab.test\r\nSubject: Crown order\r\n'),
    now: new Date('2026-03-07T09:00:01Z'),
    ...overrides,
  };
}

interface ParsedDsn {
  readonly raw: Buffer;
  readonly text: string;
  readonly headers: string;
  readonly boundary: string;
  /** Each part as [headers, body]. */
  readonly parts: [string, string][];
  readonly preamble: string;
  readonly epilogue: string;
}

function parseDsn(raw: Buffer): ParsedDsn {
  const text = raw.toString('latin1');
  const split = text.indexOf('\r\n\r\n');
  expect(split).toBeGreaterThan(0);
  const headers = text.slice(0, split + 2);
  const body = text.slice(split + 4);
  const boundary = /boundary="([^"]+)"/.exec(headers)?.[1];
  expect(boundary).toBeDefined();
  const delimiter = `\r\n--${boundary}`;
  const chunks = `\r\n${body}`.split(delimiter);
  const preamble = chunks.shift()!;
  const last = chunks.pop()!;
  expect(last.startsWith('--')).toBe(true);
  const parts = chunks.map((chunk): [string, string] => {
    expect(chunk.startsWith('\r\n')).toBe(true);
    const inner = chunk.slice(2);
    const end = inner.indexOf('\r\n\r\n');
    return [inner.slice(0, end + 2), inner.slice(end + 4)];
  });
  return { raw, text, headers, boundary: boundary!, parts, preamble, epilogue: last.slice(2) };
}

function linesOf(raw: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (;;) {
    const at = raw.indexOf('\r\n', start);
    if (at === -1) break;
    lines.push(raw.subarray(start, at));
    start = at + 2;
  }
  lines.push(raw.subarray(start));
  return lines;
}

describe('buildDsn', () => {
  it('is a multipart/report; report-type=delivery-status from the relay to the original sender', () => {
    const dsn = parseDsn(buildDsn(dsnInput()));
    expect(dsn.headers).toMatch(/^From: Mail Delivery System <postmaster@practice\.test>\r\n/m);
    expect(dsn.headers).toMatch(/^To: <reception@practice\.test>\r\n/m);
    expect(dsn.headers).toMatch(/^Subject: .+\r\n/m);
    expect(dsn.headers).toMatch(/^Date: Sat, 07 Mar 2026 09:00:01 \+0000\r\n/m);
    expect(dsn.headers).toMatch(/^Message-ID: <[^>\s]+@relay\.practice\.test>\r\n/m);
    expect(dsn.headers).toMatch(/^Auto-Submitted: auto-replied\r\n/m);
    expect(dsn.headers).toMatch(/^MIME-Version: 1\.0\r\n/m);
    expect(dsn.headers.replace(/\r\n[ \t]+/g, ' ')).toMatch(/^Content-Type: multipart\/report; report-type=delivery-status; boundary="[^"]+"\r\n/m);
  });

  it('has the three parts: notification, message/delivery-status, text/rfc822-headers', () => {
    const dsn = parseDsn(buildDsn(dsnInput()));
    expect(dsn.parts).toHaveLength(3);
    const types = dsn.parts.map(([h]) => /^Content-Type: ([^;\r\n]+)/im.exec(h)?.[1]);
    expect(types).toEqual(['text/plain', 'message/delivery-status', 'text/rfc822-headers']);
    expect(dsn.epilogue).toBe('\r\n');
  });

  it('the human part names each failed recipient and its reply, and the queue id', () => {
    const [, human] = parseDsn(buildDsn(dsnInput())).parts[0]!;
    expect(human).toContain('<orders@lab.test>');
    expect(human).toContain('550 5.1.1 <orders@lab.test>: Recipient address rejected');
    expect(human).toContain('<slow@lab.test>');
    expect(human).toContain('451 4.4.1 connection timed out');
    expect(human).toMatch(/expired/);
    expect(human).toContain('01JABCDEFGHJKMNPQR');
  });

  it('the delivery-status part has the per-message fields then one block per recipient', () => {
    const [, status] = parseDsn(buildDsn(dsnInput())).parts[1]!;
    const blocks = status.replace(/\r\n$/, '').split('\r\n\r\n');
    expect(blocks).toHaveLength(3);
    expect(blocks[0]).toMatch(/^Reporting-MTA: dns; ?relay\.practice\.test$/m);
    expect(blocks[0]).toMatch(/^Arrival-Date: Mon, 02 Mar 2026 09:00:00 \+0000$/m);
    expect(blocks[1]).toMatch(/^Final-Recipient: rfc822; ?orders@lab\.test$/m);
    expect(blocks[1]).toMatch(/^Action: failed$/m);
    expect(blocks[1]).toMatch(/^Status: 5\.1\.1$/m);
    expect(blocks[1]!.replace(/\r\n[ \t]+/g, ' ')).toMatch(/^Diagnostic-Code: smtp; ?550 5\.1\.1 <orders@lab\.test>: Recipient address rejected$/m);
    expect(blocks[1]).toMatch(/^Last-Attempt-Date: Sat, 07 Mar 2026 09:00:01 \+0000$/m);
    expect(blocks[2]).toMatch(/^Final-Recipient: rfc822; ?slow@lab\.test$/m);
    expect(blocks[2]).toMatch(/^Action: failed$/m);
    expect(blocks[2]).toMatch(/^Status: 4\.4\.7$/m);
  });

  it('the last part holds the original header section unchanged', () => {
    const input = dsnInput();
    const dsn = parseDsn(buildDsn(input));
    const [, headers] = dsn.parts[2]!;
    expect(headers).toBe(input.originalHeaders.toString('latin1'));
  });

  it('uses CRLF line endings only', () => {
    const raw = buildDsn(dsnInput());
    for (let i = 0; i < raw.length; i++) {
      if (raw[i] === 0x0a) expect(raw[i - 1], `LF at ${i}`).toBe(0x0d);
      if (raw[i] === 0x0d) expect(raw[i + 1], `CR at ${i}`).toBe(0x0a);
    }
    expect(raw.subarray(-2).toString()).toBe('\r\n');
  });

  it('no line passes 998 octets, even with a 2000-character upstream reply (with or without spaces)', () => {
    const words = Array.from({ length: 250 }, (_, i) => `word${i}`).join(' ');
    for (const reply of [`550 5.7.1 ${'x'.repeat(2000)}`, `550 5.7.1 ${words}`, `550 5.7.1 ${words.replace(/ /g, '  ')}`]) {
      const raw = buildDsn(
        dsnInput({
          failures: [
            { address: `${'l'.repeat(200)}@lab.test`, reply, expired: false },
            { address: 'other@lab.test', reply, expired: true },
          ],
        }),
      );
      const lines = linesOf(raw);
      for (const line of lines) expect(line.length).toBeLessThanOrEqual(998);
      const dsn = parseDsn(raw);
      expect(dsn.parts).toHaveLength(3);
      expect(dsn.parts[1]![1]).toMatch(/^Status: 5\.7\.1$/m);
    }
  });

  it('the boundary occurs nowhere in the content', () => {
    const raw = buildDsn(dsnInput());
    const dsn = parseDsn(raw);
    const occurrences = dsn.text.split(dsn.boundary).length - 1;
    // Once in the Content-Type header, three delimiters and the close delimiter.
    expect(occurrences).toBe(5);
    for (const [h, body] of dsn.parts) {
      expect(h).not.toContain(dsn.boundary);
      expect(body).not.toContain(dsn.boundary);
    }
  });

  it('a new boundary for each report', () => {
    const a = parseDsn(buildDsn(dsnInput()));
    const b = parseDsn(buildDsn(dsnInput()));
    expect(a.boundary).not.toBe(b.boundary);
  });

  it('7bit headers part for ASCII headers, 8bit when the original headers carry 8-bit bytes', () => {
    const ascii = parseDsn(buildDsn(dsnInput()));
    expect(ascii.parts[2]![0]).toMatch(/^Content-Transfer-Encoding: 7bit\r\n/im);
    const eight = Buffer.from('From: Ren\u00e9e <reception@practice.test>\r\nSubject: Caf\u00e9\r\n', 'utf8');
    const raw = buildDsn(dsnInput({ originalHeaders: eight }));
    const dsn = parseDsn(raw);
    expect(dsn.parts[2]![0]).toMatch(/^Content-Transfer-Encoding: 8bit\r\n/im);
    // The 8-bit bytes are carried as they were.
    expect(raw.includes(eight)).toBe(true);
  });

  it('8-bit original headers go in message/global-headers (RFC 6533)', () => {
    const eight = Buffer.from('From: Ren\u00e9e <reception@practice.test>\r\n', 'utf8');
    const dsn = parseDsn(buildDsn(dsnInput({ originalHeaders: eight })));
    expect(dsn.parts[2]![0]).toMatch(/^Content-Type: message\/global-headers\r\n/im);
  });

  it('an internationalised recipient (SMTPUTF8) is reported in RFC 6533\'s global form; the report\'s own header fields stay ASCII', () => {
    const raw = buildDsn(
      dsnInput({
        failures: [
          { address: 'jos\u00e9@lab.test', reply: '550 5.1.1 no such mailbox', expired: false },
          { address: 'orders@lab.test', reply: '550 5.1.1 no such mailbox', expired: false },
        ],
      }),
    );
    const dsn = parseDsn(raw);
    const types = dsn.parts.map(([h]) => /^Content-Type: ([^;\r\n]+)/im.exec(h)?.[1]);
    expect(types).toEqual(['text/plain', 'message/global-delivery-status', 'text/rfc822-headers']);
    expect(dsn.parts[0]![0]).toMatch(/charset=utf-8/);
    expect(dsn.parts[0]![0]).toMatch(/^Content-Transfer-Encoding: 8bit\r\n/im);
    expect(dsn.headers).toMatch(/^Content-Transfer-Encoding: 8bit\r\n/m);
    const status = Buffer.from(dsn.parts[1]![1], 'latin1').toString('utf8');
    expect(status).toMatch(/^Final-Recipient: utf-8; jos\u00e9@lab\.test\r?$/m);
    expect(status).toMatch(/^Final-Recipient: rfc822; orders@lab\.test\r?$/m);
    expect(raw.includes(Buffer.from('<jos\u00e9@lab.test>', 'utf8'))).toBe(true);
    expect(/^[\x20-\x7e\r\n\t]*$/.test(dsn.headers)).toBe(true);
  });

  it('a utf-8 address escapes "+", "=" and "\\" as \\x{HH} (RFC 6533 unitext)', () => {
    const raw = buildDsn(dsnInput({ failures: [{ address: 'jos\u00e9+a=b@lab.test', reply: '550 5.1.1 no', expired: false }] }));
    const status = Buffer.from(parseDsn(raw).parts[1]![1], 'latin1').toString('utf8');
    expect(status).toMatch(/^Final-Recipient: utf-8; jos\u00e9\\x\{2B\}a\\x\{3D\}b@lab\.test\r?$/m);
  });

  it('the notification and the delivery status are plain ASCII', () => {
    const dsn = parseDsn(buildDsn(dsnInput()));
    for (const [h, body] of dsn.parts.slice(0, 2)) {
      expect(/^[\x20-\x7e\r\n\t]*$/.test(h + body)).toBe(true);
    }
    expect(/^[\x20-\x7e\r\n\t]*$/.test(dsn.headers)).toBe(true);
  });

  it('handles an empty original header section', () => {
    const dsn = parseDsn(buildDsn(dsnInput({ originalHeaders: Buffer.alloc(0) })));
    expect(dsn.parts).toHaveLength(3);
  });
});

describe('cleanReply', () => {
  it('keeps a normal one-line reply', () => {
    expect(cleanReply('550 5.1.1 <x@lab.test>: Recipient address rejected')).toBe('550 5.1.1 <x@lab.test>: Recipient address rejected');
  });

  it('joins a multi-line reply into one line', () => {
    expect(cleanReply('550-5.7.1 first line\r\n550-5.7.1 second\n550 5.7.1 third\r\n')).toBe('550-5.7.1 first line 550-5.7.1 second 550 5.7.1 third');
    expect(cleanReply('a\rb')).toBe('a b');
  });

  it('replaces control and format characters (a log line cannot be disguised), and keeps UTF-8 text', () => {
    expect(cleanReply('550 5.1.1 <jos\u00e9@lab.test> caf\u00e9 \u0000 \u001b[31m \u202e \u200b \u2603')).toBe(
      '550 5.1.1 <jos\u00e9@lab.test> caf\u00e9 ? ?[31m ? ? \u2603',
    );
    expect(cleanReply('a\tb')).toBe('a?b');
    expect(cleanReply('a\u2028b')).toBe('a?b');
  });

  it('trims, and bounds the length to 500 characters', () => {
    expect(cleanReply('  \r\n 250 ok \r\n')).toBe('250 ok');
    expect(cleanReply(`550 ${'x'.repeat(2000)}`)).toHaveLength(500);
    expect(cleanReply('')).toBe('');
  });
});
