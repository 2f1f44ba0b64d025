import { readdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, TEST_SENDER, type Harness } from '../helpers/in-process-relay.js';
import { withoutTrace, type RecordedMessage } from '../helpers/recording-upstream.js';
import { SmtpTalk } from '../helpers/smtp-talk.js';

const TRUSTED = '127.0.0.1';
const QUEUED = /^250 2\.0\.0 Ok: queued as ([0-9A-HJKMNP-TV-Z]{18})$/;
const LAB = 'orders@lab.example';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A header section (CRLF line endings, ending with the empty line). */
function headerSection(subject: string, extra: string[] = []): string {
  return (
    [
      `From: Reception <${TEST_SENDER}>`,
      `To: <${LAB}>`,
      `Subject: ${subject}`,
      `Message-ID: <${subject}@practice.test>`,
      ...extra,
    ].join('\r\n') + '\r\n\r\n'
  );
}

/** A plain message of exactly `total` octets (body lines of at most 100 octets, no dots). */
function messageOfSize(subject: string, total: number): Buffer {
  const head = headerSection(subject);
  let remaining = total - head.length;
  if (remaining < 2) throw new Error('message too small for its headers');
  const lines: string[] = [];
  while (remaining > 100) {
    lines.push('x'.repeat(98) + '\r\n');
    remaining -= 100;
  }
  lines.push('y'.repeat(remaining - 2) + '\r\n');
  const raw = Buffer.from(head + lines.join(''), 'latin1');
  if (raw.length !== total) throw new Error(`built ${raw.length} octets, wanted ${total}`);
  return raw;
}

function smallMessage(subject: string, body = 'A short body line.\r\n'): Buffer {
  return Buffer.from(headerSection(subject) + body, 'latin1');
}

/** Dot-stuffs a message for DATA and appends the terminating dot line. */
function forData(raw: Buffer): Buffer {
  const stuffed = raw.toString('latin1').replace(/(^|\r\n)\./g, '$1..');
  return Buffer.concat([Buffer.from(stuffed, 'latin1'), Buffer.from('.\r\n')]);
}

async function trustedClient(h: Harness): Promise<SmtpTalk> {
  const talk = await SmtpTalk.open(h.port('plain'), { localAddress: TRUSTED });
  await talk.expect(/^220 /);
  await talk.line('EHLO client.test').expect(/^250[ -]/);
  return talk;
}

/** One transaction, command by command; resolves with the final DATA reply. */
async function sendOne(talk: SmtpTalk, raw: Buffer, rcpts: string[] = [LAB], mailParams = ''): Promise<string> {
  await talk.line(`MAIL FROM:<${TEST_SENDER}>${mailParams}`).expect(/^250 2\.1\.0 /);
  for (const rcpt of rcpts) await talk.line(`RCPT TO:<${rcpt}>`).expect(/^250 2\.1\.5 /);
  await talk.line('DATA').expect(/^354 /);
  return talk.send(forData(raw)).reply(20_000);
}

function subjectOf(message: RecordedMessage): string | null {
  return /\r\nSubject: ([^\r\n]*)\r\n/.exec(message.raw.toString('latin1'))?.[1] ?? null;
}

async function upstreamMessageWithSubject(h: Harness, subject: string, timeoutMs = 20_000): Promise<RecordedMessage> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = h.upstream.messages.find((m) => subjectOf(m) === subject);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no upstream message with subject ${subject} after ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** Queue ids of every message row (kept after delivery). */
function queuedIds(h: Harness): Set<string> {
  const db = new Database(join(h.dataDir, 'mouthguard.db'), { readonly: true, fileMustExist: true });
  try {
    return new Set((db.prepare('SELECT id FROM messages').all() as { id: string }[]).map((r) => r.id));
  } finally {
    db.close();
  }
}

/** Body files in the spool with no queue row: a refused message must leave none. */
function orphanBodies(h: Harness): string[] {
  const ids = queuedIds(h);
  return readdirSync(join(h.dataDir, 'spool'))
    .filter((name) => name.endsWith('.eml'))
    .map((name) => name.slice(0, -4))
    .filter((id) => !ids.has(id));
}

describe('message size limit (maxMessageSize 100KB = 100000 octets)', () => {
  const LIMIT = 100_000;
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ smtp: { limits: { maxMessageSize: '100KB' } } });
  });
  afterAll(async () => {
    await h.stop();
  });

  it('advertises SIZE and refuses a declared size over it at MAIL FROM with 552 5.3.4', async () => {
    const talk = await SmtpTalk.open(h.port('plain'), { localAddress: TRUSTED });
    await talk.expect(/^220 /);
    const ehlo = await talk.line('EHLO client.test').expect(/^250[ -]/);
    expect(ehlo).toMatch(/^250[ -]SIZE 100000$/m);
    await talk.line(`MAIL FROM:<${TEST_SENDER}> SIZE=999999999`).expect(/^552 5\.3\.4 /);
    await talk.line(`MAIL FROM:<${TEST_SENDER}> SIZE=${LIMIT + 1}`).expect(/^552 5\.3\.4 /);
    // A declared size at the limit is fine, and the refusals did not spoil the session.
    await talk.line(`MAIL FROM:<${TEST_SENDER}> SIZE=${LIMIT}`).expect(/^250 2\.1\.0 /);
    await talk.line('RSET').expect(/^250 /);
    await talk.line('QUIT').expect(/^221 /);
    talk.close();
  });

  it('refuses an undeclared 200 KB message in DATA with 552 5.3.4, keeping nothing and sending nothing upstream', async () => {
    const talk = await trustedClient(h);
    const big = messageOfSize('oversize-200k', 200_000);
    expect(await sendOne(talk, big)).toMatch(/^552 5\.3\.4 /);
    // One octet over the limit is over the limit.
    expect(await sendOne(talk, messageOfSize('oversize-by-one', LIMIT + 1))).toMatch(/^552 5\.3\.4 /);
    // The connection still works; once this follower has arrived, the refused ones would have too.
    expect(await sendOne(talk, smallMessage('after-oversize'))).toMatch(QUEUED);
    talk.close();
    await upstreamMessageWithSubject(h, 'after-oversize');
    await sleep(300);
    const subjects = h.upstream.messages.map(subjectOf);
    expect(subjects).not.toContain('oversize-200k');
    expect(subjects).not.toContain('oversize-by-one');
    expect(orphanBodies(h)).toEqual([]);
  });

  it('accepts a message exactly at the limit and forwards it byte for byte', async () => {
    const talk = await trustedClient(h);
    const raw = messageOfSize('exactly-at-limit', LIMIT);
    expect(await sendOne(talk, raw)).toMatch(QUEUED);
    const justUnder = messageOfSize('just-under-limit', LIMIT - 500);
    expect(await sendOne(talk, justUnder, [LAB], ` SIZE=${justUnder.length}`)).toMatch(QUEUED);
    talk.close();
    const atLimit = await upstreamMessageWithSubject(h, 'exactly-at-limit');
    expect(withoutTrace(atLimit.raw).equals(raw)).toBe(true);
    const under = await upstreamMessageWithSubject(h, 'just-under-limit');
    expect(withoutTrace(under.raw).equals(justUnder)).toBe(true);
  });
});

describe('a body the store cannot write', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  it('gets 451 4.3.0 once DATA has been read to its end, keeps nothing, and the connection goes on', async () => {
    // A file where the spool directory was: a body too large for the database cannot be written
    // (ENOTDIR), as on a full or failed disk, after the first 128 KiB were taken in memory.
    const spool = join(h.dataDir, 'spool');
    const talk = await trustedClient(h);
    renameSync(spool, `${spool}.away`);
    writeFileSync(spool, '');
    try {
      // The reply says why (the store), not that removing the half-written body failed as well.
      expect(await sendOne(talk, messageOfSize('unwritable-600k', 600_000))).toMatch(/^451 4\.3\.0 Temporary local problem storing the message/);
    } finally {
      unlinkSync(spool);
      renameSync(`${spool}.away`, spool);
    }
    expect(await sendOne(talk, messageOfSize('after-unwritable', 600_000))).toMatch(QUEUED);
    talk.close();
    const after = await upstreamMessageWithSubject(h, 'after-unwritable');
    expect(withoutTrace(after.raw).equals(messageOfSize('after-unwritable', 600_000))).toBe(true);
    await sleep(300);
    expect(h.upstream.messages.map(subjectOf)).not.toContain('unwritable-600k');
    expect(orphanBodies(h)).toEqual([]);
  });
});

describe('header section limit (maxHeaderSize 4KiB)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ smtp: { limits: { maxHeaderSize: '4KiB' } } });
  });
  afterAll(async () => {
    await h.stop();
  });

  /** `count` extra header fields of 100 octets each (with CRLF). */
  function filler(count: number): string[] {
    return Array.from({ length: count }, (_, i) => `X-Filler-${String(i).padStart(3, '0')}: ${'h'.repeat(84)}`);
  }

  it('refuses a header section over the limit with 552 5.3.4 and forwards nothing', async () => {
    const talk = await trustedClient(h);
    const head = headerSection('header-too-large', filler(50)); // about 5 KB of header fields
    expect(Buffer.byteLength(head)).toBeGreaterThan(4096);
    expect(await sendOne(talk, Buffer.from(head + 'body\r\n'))).toMatch(/^552 5\.3\.4 /);
    // A large header section without any body is refused too.
    expect(await sendOne(talk, Buffer.from(headerSection('header-too-large-no-body', filler(50)).slice(0, -2)))).toMatch(
      /^552 5\.3\.4 /,
    );
    const okHead = headerSection('header-within-limit', filler(30)); // about 3 KB
    expect(Buffer.byteLength(okHead)).toBeLessThan(4096);
    // The body does not count towards the header limit.
    const ok = Buffer.from(okHead + ('b'.repeat(98) + '\r\n').repeat(100));
    expect(await sendOne(talk, ok)).toMatch(QUEUED);
    talk.close();
    const arrived = await upstreamMessageWithSubject(h, 'header-within-limit');
    expect(withoutTrace(arrived.raw).equals(ok)).toBe(true);
    await sleep(300);
    const subjects = h.upstream.messages.map(subjectOf);
    expect(subjects).not.toContain('header-too-large');
    expect(subjects).not.toContain('header-too-large-no-body');
    expect(orphanBodies(h)).toEqual([]);
  });
});

describe('connections per listener (maxClients)', () => {
  it('refuses a connection over the limit with 421, serves again once one closes, and counts only the sessions it served', async () => {
    const h = await startHarness({ smtp: { limits: { maxClients: 2 } } });
    try {
      const active = async () => {
        const text = await (await fetch(`http://127.0.0.1:${h.relay.adminPort}/metrics`)).text();
        return Number(/^mouthguard_smtp_active_sessions (\S+)$/m.exec(text)?.[1]);
      };
      const held = [await trustedClient(h), await trustedClient(h)];
      for (let i = 0; i < 3; i++) {
        const extra = await SmtpTalk.open(h.port('plain'), { localAddress: TRUSTED });
        await extra.expect(/^421 /);
        await extra.waitClosed();
      }
      expect(await active()).toBe(2);
      for (const talk of held) talk.close();
      // The refused ones were never counted, so closing them must not take the gauge below zero.
      const deadline = Date.now() + 5000;
      while ((await active()) !== 0 && Date.now() < deadline) await sleep(50);
      expect(await active()).toBe(0);
      const again = await trustedClient(h);
      expect(await sendOne(again, smallMessage('after-max-clients'))).toMatch(QUEUED);
      again.close();
    } finally {
      await h.stop();
    }
  });
});

describe('recipients per transaction (maxRecipients 100)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  it('accepts 100 recipients, refuses the 101st with 452 4.5.3, and delivers one message to all 100', async () => {
    const rcpts = Array.from({ length: 100 }, (_, i) => `patient${String(i).padStart(3, '0')}@lab.example`);
    const talk = await trustedClient(h);
    await talk.line(`MAIL FROM:<${TEST_SENDER}>`).expect(/^250 2\.1\.0 /);
    for (const rcpt of rcpts) await talk.line(`RCPT TO:<${rcpt}>`).expect(/^250 2\.1\.5 /);
    await talk.line('RCPT TO:<one-too-many@lab.example>').expect(/^452 4\.5\.3 Too many recipients/);
    // An address already taken, in another case, takes no new place (smtp-server keeps one of them).
    await talk.line('RCPT TO:<PATIENT007@lab.example>').expect(/^250 2\.1\.5 /);
    // Past the limit is within the protocol: 30 more are refused without cutting the connection off
    // (after 20 refusals of other kinds it would be).
    for (let i = 0; i < 30; i++) await talk.line(`RCPT TO:<more${i}@lab.example>`).expect(/^452 4\.5\.3 /);
    await talk.line('DATA').expect(/^354 /);
    const raw = smallMessage('hundred-recipients');
    expect(await talk.send(forData(raw)).reply()).toMatch(QUEUED);
    talk.close();
    const message = await upstreamMessageWithSubject(h, 'hundred-recipients');
    expect(message.mailFrom).toBe(TEST_SENDER);
    expect(message.rcptTo).toHaveLength(100);
    expect(message.rcptTo.map((r) => r.toLowerCase()).sort()).toEqual(rcpts);
    expect(message.rcptTo).not.toContain('one-too-many@lab.example');
    expect(withoutTrace(message.raw).equals(raw)).toBe(true);
    await sleep(300);
    expect(h.upstream.messages.filter((m) => subjectOf(m) === 'hundred-recipients')).toHaveLength(1);
    // Each refusal is counted by its reply's name, as every other refusal is.
    const metrics = await (await fetch(`http://127.0.0.1:${h.relay.adminPort}/metrics`)).text();
    expect(metrics).toContain('mouthguard_smtp_rejects_total{reason="tooManyRecipients"} 31');
  });

  it('cuts a client off once a transaction has gone 1,000 recipients over and 20 refusals more', async () => {
    const one = await startHarness({ smtp: { limits: { maxRecipients: 1 } } });
    try {
      const talk = await trustedClient(one);
      await talk.line(`MAIL FROM:<${TEST_SENDER}>`).expect(/^250 2\.1\.0 /);
      await talk.line('RCPT TO:<only@lab.example>').expect(/^250 2\.1\.5 /);
      for (let i = 0; i < 1000 + 19; i++) await talk.line(`RCPT TO:<over${i}@lab.example>`).expect(/^452 4\.5\.3 /);
      await talk.line('RCPT TO:<last@lab.example>').expect(/^421 4\.7\.0 Too many refused commands/);
      talk.close();
    } finally {
      await one.stop();
    }
  });

  it('counts afresh in the next transaction of the same connection', async () => {
    const talk = await trustedClient(h);
    for (const round of ['first', 'second']) {
      await talk.line(`MAIL FROM:<${TEST_SENDER}>`).expect(/^250 2\.1\.0 /);
      for (let i = 0; i < 100; i++) await talk.line(`RCPT TO:<${round}${i}@lab.example>`).expect(/^250 2\.1\.5 /);
      await talk.line(`RCPT TO:<${round}-over@lab.example>`).expect(/^452 4\.5\.3 /);
      await talk.line('RSET').expect(/^250 /);
    }
    talk.close();
  });
});

describe('8-bit bodies', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  it('forwards an ISO-8859-1 8bit body byte for byte', async () => {
    const head = Buffer.from(
      headerSection('latin1-body', ['MIME-Version: 1.0', 'Content-Type: text/plain; charset=iso-8859-1', 'Content-Transfer-Encoding: 8bit']),
      'latin1',
    );
    // "Caf\xe9 cr\xe8me, \xa3120 \xbd price" plus every octet 0x80-0xFF (outside CR/LF/NUL) on its own line.
    const high = Buffer.from(Array.from({ length: 128 }, (_, i) => 0x80 + i));
    const body = Buffer.concat([
      Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x20, 0x63, 0x72, 0xe8, 0x6d, 0x65, 0x2c, 0x20, 0xa3, 0x31, 0x32, 0x30, 0x20, 0xbd, 0x0d, 0x0a]),
      high,
      Buffer.from('\r\n'),
    ]);
    const raw = Buffer.concat([head, body]);
    const talk = await trustedClient(h);
    expect(await sendOne(talk, raw, [LAB], ' BODY=8BITMIME')).toMatch(QUEUED);
    talk.close();
    const message = await upstreamMessageWithSubject(h, 'latin1-body');
    expect(withoutTrace(message.raw).equals(raw)).toBe(true);
    expect(message.raw.includes(Buffer.from([0x43, 0x61, 0x66, 0xe9]))).toBe(true);
  });

  it('forwards a UTF-8 message (8BITMIME, SMTPUTF8, UTF-8 in a header) byte for byte', async () => {
    const talk = await trustedClient(h);
    const raw = Buffer.from(
      [
        `From: Réception <${TEST_SENDER}>`,
        `To: <${LAB}>`,
        'Subject: utf8-body',
        'X-Note: Zahnärztin – Größe ✓',
        'Message-ID: <utf8-body@practice.test>',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: 8bit',
        '',
        'Crown shade A2 – ¡listo! 日本語 🦷',
        '.a line that begins with a dot: é',
        '',
      ].join('\r\n'),
      'utf8',
    );
    expect(await sendOne(talk, raw, [LAB], ' BODY=8BITMIME SMTPUTF8')).toMatch(QUEUED);
    talk.close();
    const message = await upstreamMessageWithSubject(h, 'utf8-body');
    expect(withoutTrace(message.raw).equals(raw)).toBe(true);
    expect(message.raw.toString('utf8')).toContain('🦷');
  });
});

describe('pipelining (RFC 2920) on one connection', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  it('answers 100 pipelined transactions with distinct queue ids, each delivered exactly once', async () => {
    const talk = await trustedClient(h);
    const ids: string[] = [];
    const sent = new Map<string, Buffer>();
    for (let i = 0; i < 100; i++) {
      const subject = `pipelined-${String(i).padStart(3, '0')}`;
      const raw = smallMessage(subject, `Message ${i} of a pipelined batch.\r\n`);
      sent.set(subject, raw);
      talk.send(`MAIL FROM:<${TEST_SENDER}>\r\nRCPT TO:<${LAB}>\r\nDATA\r\n`);
      await talk.expect(/^250 2\.1\.0 /);
      await talk.expect(/^250 2\.1\.5 /);
      await talk.expect(/^354 /);
      const reply = await talk.send(forData(raw)).expect(QUEUED);
      ids.push(QUEUED.exec(reply)![1]!);
    }
    await talk.line('QUIT').expect(/^221 /);
    talk.close();
    expect(new Set(ids).size).toBe(100);

    await h.upstream.waitFor(100, 30_000);
    await sleep(300);
    const delivered = h.upstream.messages.filter((m) => subjectOf(m)?.startsWith('pipelined-'));
    expect(delivered).toHaveLength(100);
    expect(new Set(delivered.map(subjectOf)).size).toBe(100);
    for (const m of delivered) expect(withoutTrace(m.raw).equals(sent.get(subjectOf(m)!)!)).toBe(true);
  });

  it('handles message content followed by the next MAIL, RCPT and DATA in the same write', async () => {
    const talk = await trustedClient(h);
    const count = 20;
    const subjects = Array.from({ length: count }, (_, i) => `grouped-${String(i).padStart(2, '0')}`);
    const ids: string[] = [];
    const open = `MAIL FROM:<${TEST_SENDER}>\r\nRCPT TO:<${LAB}>\r\nDATA\r\n`;
    talk.send(open);
    for (let i = 0; i < count; i++) {
      await talk.expect(/^250 2\.1\.0 /);
      await talk.expect(/^250 2\.1\.5 /);
      await talk.expect(/^354 /);
      // RFC 2920: the message content may be the first "command" of a group.
      const content = forData(smallMessage(subjects[i]!));
      talk.send(i < count - 1 ? Buffer.concat([content, Buffer.from(open)]) : content);
      ids.push(QUEUED.exec(await talk.expect(QUEUED))![1]!);
    }
    await talk.line('QUIT').expect(/^221 /);
    talk.close();
    expect(new Set(ids).size).toBe(count);
    for (const subject of subjects) await upstreamMessageWithSubject(h, subject);
    await sleep(300);
    const grouped = h.upstream.messages.map(subjectOf).filter((s) => s?.startsWith('grouped-'));
    expect(grouped.sort()).toEqual(subjects);
  });
});

describe('parallel clients', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  it('50 clients sending 4 messages each: every accepted message arrives exactly once', { timeout: 90_000 }, async () => {
    const CLIENTS = 50;
    const PER_CLIENT = 4;
    const accepted: string[] = [];
    const failures: string[] = [];
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, c) => {
        const transport = nodemailer.createTransport({
          pool: false,
          host: '127.0.0.1',
          port: h.port('plain'),
          secure: false,
          ignoreTLS: true,
          localAddress: TRUSTED,
          connectionTimeout: 30_000,
          greetingTimeout: 30_000,
          socketTimeout: 30_000,
        });
        try {
          for (let m = 0; m < PER_CLIENT; m++) {
            const subject = `load-c${String(c).padStart(2, '0')}-m${m}`;
            try {
              const info = (await transport.sendMail({
                envelope: { from: TEST_SENDER, to: [LAB] },
                raw: smallMessage(subject, `Client ${c}, message ${m}.\r\n`),
              })) as { response: string };
              expect(info.response).toMatch(QUEUED);
              accepted.push(subject);
            } catch (err) {
              failures.push(`${subject}: ${(err as Error).message}`);
            }
          }
        } finally {
          transport.close();
        }
      }),
    );
    // Nothing here should be refused (maxClients 200 > 50 clients); a refusal would be a finding.
    expect(failures).toEqual([]);
    expect(accepted).toHaveLength(CLIENTS * PER_CLIENT);

    await h.upstream.waitFor(CLIENTS * PER_CLIENT, 60_000);
    await sleep(500);
    const arrived = h.upstream.messages.map(subjectOf).filter((s): s is string => s?.startsWith('load-') ?? false);
    expect(arrived).toHaveLength(CLIENTS * PER_CLIENT); // no duplicates
    expect(new Set(arrived)).toEqual(new Set(accepted)); // none lost
  });
});

describe('admin endpoint (metrics, health, readiness)', () => {
  let h: Harness;
  let base: string;
  beforeAll(async () => {
    h = await startHarness({ smtp: { limits: { maxMessageSize: '100KB' } } });
    base = `http://127.0.0.1:${h.relay.adminPort}`;
  });
  afterAll(async () => {
    await h.stop();
  });

  /** The value of one sample, or null when the series is absent. */
  function sample(text: string, series: string): number | null {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? null : Number(line.slice(series.length + 1));
  }

  async function scrape(): Promise<string> {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    return res.text();
  }

  it('/healthz is 200 and /readyz is 200 with ready: true', async () => {
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    await health.text();
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await ready.json()) as { ready: boolean; checks: Record<string, string> };
    expect(body.ready).toBe(true);
    expect(Object.values(body.checks).every((v) => v === 'ok')).toBe(true);
  });

  it('answers other methods with 405 and names the allowed ones; an unknown path is 404 whatever the method', async () => {
    const res = await fetch(`${base}/readyz`, { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    await res.text();
    for (const method of ['GET', 'POST']) {
      const missing = await fetch(`${base}/nope`, { method });
      expect(missing.status, method).toBe(404);
      await missing.text();
    }
  });

  it('/readyz is 503 while the data directory has less free space than store.minFreeSpace (commits would fail)', async () => {
    const cramped = await startHarness({ store: { minFreeSpace: '100000GB' } });
    try {
      const res = await fetch(`http://127.0.0.1:${cramped.relay.adminPort}/readyz`);
      expect(res.status).toBe(503);
      const body = (await res.json()) as { ready: boolean; checks: Record<string, string> };
      expect(body.ready).toBe(false);
      expect(body.checks.store).toMatch(/^[\d.]+ MiB free in the data directory, below store\.minFreeSpace \(\d+\.\d MiB\)$/);
      expect(body.checks.smtp).toBe('ok');
    } finally {
      await cramped.stop();
    }
  });

  it('exports accepted, queue, delivery and refusal metrics with plausible values and no addresses', async () => {
    const talk = await trustedClient(h);
    expect(await sendOne(talk, smallMessage('metrics-1'))).toMatch(QUEUED);
    expect(await sendOne(talk, smallMessage('metrics-2'), [LAB, 'second@lab.example'])).toMatch(QUEUED);
    expect(await sendOne(talk, smallMessage('metrics-3'))).toMatch(QUEUED);
    expect(await sendOne(talk, messageOfSize('metrics-oversize', 200_000))).toMatch(/^552 5\.3\.4 /);
    talk.close();
    await h.upstream.waitFor(3, 20_000);

    // The upstream records a message just before the relay records the attempt: poll briefly.
    let text = '';
    const deadline = Date.now() + 20_000;
    do {
      text = await scrape();
      if (sample(text, 'mouthguard_queue_messages{state="delivered"}') === 3) break;
      await sleep(100);
    } while (Date.now() < deadline);

    expect(sample(text, 'mouthguard_smtp_messages_accepted_total')).toBe(3);
    // Sessions by the listener's configured name and its mode (earlier tests in this file connected too).
    expect(sample(text, 'mouthguard_smtp_sessions_total{listener="plain",mode="plain"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'mouthguard_queue_messages{state="delivered"}')).toBe(3);
    // One attempt per recipient: 1 + 2 + 1.
    expect(sample(text, 'mouthguard_delivery_attempts_total{result="delivered"}')).toBe(4);
    expect(sample(text, 'mouthguard_smtp_rejects_total{reason="messageTooLarge"}')).toBe(1);
    expect(sample(text, 'mouthguard_smtp_message_size_bytes_count')).toBe(3);
    // Every accepted message is timed in each receive stage; the refused one in none.
    for (const stage of ['upload', 'inspection', 'commit']) {
      expect(sample(text, `mouthguard_smtp_receive_stage_seconds_count{stage="${stage}"}`), stage).toBe(3);
      expect(sample(text, `mouthguard_smtp_receive_stage_seconds_sum{stage="${stage}"}`), stage).toBeGreaterThan(0);
    }
    expect(sample(text, 'mouthguard_smtp_commit_seconds_count')).toBe(3);
    expect(text).toMatch(/^mouthguard_process_resident_memory_bytes \d/m);
    expect(text).toMatch(/^mouthguard_nodejs_eventloop_lag_seconds \d/m);
    expect(text).not.toMatch(/mouthguard_process_process_|mouthguard_process_nodejs_/);
    // Labels are bounded enums: no address (or anything with an @) ever appears.
    expect(text).not.toContain('@');
    expect(text).not.toContain('lab.example');
    expect(text).not.toContain('practice.test');
  });
});
