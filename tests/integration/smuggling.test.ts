import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, TEST_PASSWORD, TEST_SENDER, TEST_USER, type Harness } from '../helpers/in-process-relay.js';
import { PRACTICE_DOMAIN } from '../helpers/test-config.js';
import type { RecordedMessage } from '../helpers/recording-upstream.js';
import { SmtpTalk } from '../helpers/smtp-talk.js';

const TRUSTED = '127.0.0.1';
const QUEUED = /^250 2\.0\.0 Ok: queued as [0-9A-HJKMNP-TV-Z]{18}$/;

/** The second transaction an attacker hopes the receiver (or the next hop) will run. */
const SMUGGLED = 'MAIL FROM:<attacker@practice.test>\r\nRCPT TO:<victim@evil.example>\r\nDATA\r\nSmuggled\r\n';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function authPlain(user: string, password: string): string {
  return 'AUTH PLAIN ' + Buffer.from(`\0${user}\0${password}`).toString('base64');
}

function headers(subject: string, eol = '\r\n'): string {
  return [`From: Reception <${TEST_SENDER}>`, 'To: <orders@lab.example>', `Subject: ${subject}`, ''].join(eol) + eol;
}

function cleanMessage(subject: string): string {
  return headers(subject) + 'A clean body line.\r\n.leading dot, dot-stuffed on the wire\r\n';
}

/** Dot-stuffs and terminates a message for DATA. */
function forData(message: string): string {
  return message.replace(/(^|\r\n)\./g, '$1..') + '.\r\n';
}

/** Messages in the queue (every accepted message leaves a row; it is kept after delivery). */
function queuedCount(h: Harness): number {
  const db = new Database(join(h.dataDir, 'mouthguard.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM messages').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

async function upstreamMessageWithSubject(h: Harness, subject: string, timeoutMs = 15_000): Promise<RecordedMessage> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = h.upstream.messages.find((m) => m.raw.toString('latin1').includes(`\r\nSubject: ${subject}\r\n`));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no upstream message with subject ${subject} after ${timeoutMs} ms`);
    await sleep(20);
  }
}

async function trustedClient(h: Harness): Promise<SmtpTalk> {
  const talk = await SmtpTalk.open(h.port('plain'), { localAddress: TRUSTED });
  await talk.expect(/^220 /);
  await talk.line('EHLO client.test').expect(/^250[ -]/);
  return talk;
}

async function authenticatedClient(h: Harness): Promise<SmtpTalk> {
  const talk = await SmtpTalk.open(h.port('submission'), { localAddress: TRUSTED });
  await talk.expect(/^220 /);
  await talk.line('EHLO client.test').expect(/^250[ -]/);
  await talk.startTls();
  await talk.line('EHLO client.test').expect(/^250[ -]/);
  await talk.line(authPlain(TEST_USER, TEST_PASSWORD)).expect(/^235 /);
  return talk;
}

async function openTransaction(talk: SmtpTalk): Promise<void> {
  await talk.line(`MAIL FROM:<${TEST_SENDER}>`).expect(/^250 2\.1\.0 /);
  await talk.line('RCPT TO:<orders@lab.example>').expect(/^250 2\.1\.5 /);
  await talk.line('DATA').expect(/^354 /);
}

/** A logged-in client sends a message whose header section starts with `fields` (CRLF-ended): 550 5.7.1, nothing queued. */
async function expectSenderFieldsRefused(h: Harness, fields: string): Promise<void> {
  const before = queuedCount(h);
  const talk = await authenticatedClient(h);
  await openTransaction(talk);
  await talk.send(`${fields}Subject: x\r\n\r\nhi\r\n.\r\n`).expect(/^550 5\.7\.1 From address not allowed for this login$/);
  talk.close();
  expect(queuedCount(h)).toBe(before);
}

/** No bare CR, no bare LF, no NUL: what the relay forwards must be clean. */
function lineEndingProblems(raw: Buffer): string[] {
  const problems: string[] = [];
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i];
    if (byte === 0x00) problems.push(`NUL at ${i}`);
    if (byte === 0x0d && raw[i + 1] !== 0x0a) problems.push(`bare CR at ${i}`);
    if (byte === 0x0a && raw[i - 1] !== 0x0d) problems.push(`bare LF at ${i}`);
  }
  return problems;
}

/**
 * Each payload is sent verbatim after DATA. The smuggled transaction's last line is followed
 * by ".\r\n", so for a receiver that honours only CRLF.CRLF the payload ends exactly there: one
 * DATA, one reply. A receiver that took the fake terminator would instead run the smuggled
 * MAIL/RCPT/DATA and queue "Smuggled" for victim@evil.example.
 */
const VARIANTS: [name: string, payload: string][] = [
  ['LF.LF', headers('v1') + 'Hello\n.\n' + SMUGGLED + '.\r\n'],
  ['LF.CRLF', headers('v2') + 'Hello\n.\r\n' + SMUGGLED + '.\r\n'],
  ['CRLF.LF', headers('v3') + 'Hello\r\n.\n' + SMUGGLED + '.\r\n'],
  ['CR.CRLF', headers('v4') + 'Hello\r.\r\n' + SMUGGLED + '.\r\n'],
  ['CRLF.CR followed by text', headers('v5') + 'Hello\r\n.\r' + SMUGGLED + '.\r\n'],
  ['NUL before the dot', headers('v6') + 'Hello\r\n\0.\r\n' + SMUGGLED + '.\r\n'],
  ['NUL after the dot', headers('v7') + 'Hello\r\n.\0\r\n' + SMUGGLED + '.\r\n'],
  ['NUL in a header', headers('v8 \0 nul') + 'Hello\r\n' + SMUGGLED + '.\r\n'],
  ['an all-bare-LF message', headers('v9', '\n') + 'Hello\n.\n' + SMUGGLED.replace(/\r\n/g, '\n') + '\r\n.\r\n'],
  ['a bare CR inside a header', headers('v10\rBcc: victim@evil.example') + 'Hello\r\n' + SMUGGLED + '.\r\n'],
  ['a lone CR at the end of the body', headers('v11') + 'Hello\r\n\r' + '\r\n.\r\n'],
];

describe('SMTP smuggling inside DATA', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  it.each(VARIANTS)('refuses %s with 554 5.6.0, queues nothing, and the session stays usable', async (name, payload) => {
    const before = queuedCount(h);
    const talk = await trustedClient(h);
    await openTransaction(talk);
    talk.send(Buffer.from(payload, 'latin1'));
    await talk.expect(/^554 5\.6\.0 Message refused: /);
    // The very next reply must be RSET's: nothing from the payload ran as a command.
    await talk.line('RSET').expect(/^250 2\.0\.0 Flushed$/);
    expect(queuedCount(h)).toBe(before);

    const subject = `clean after ${name}`;
    await openTransaction(talk);
    await talk.send(forData(cleanMessage(subject))).expect(QUEUED);
    await talk.line('QUIT').expect(/^221 /);
    talk.close();
    expect(queuedCount(h)).toBe(before + 1);

    const message = await upstreamMessageWithSubject(h, subject);
    expect(message.rcptTo).toEqual(['orders@lab.example']);
  });

  it('refuses smuggling from an authenticated client on the submission port too', async () => {
    const before = queuedCount(h);
    const talk = await authenticatedClient(h);
    await openTransaction(talk);
    talk.send(headers('submission smuggling') + 'Hello\n.\n' + SMUGGLED + '.\r\n');
    await talk.expect(/^554 5\.6\.0 /);
    await talk.line('RSET').expect(/^250 2\.0\.0 Flushed$/);
    await openTransaction(talk);
    await talk.send(forData(cleanMessage('clean after submission smuggling'))).expect(QUEUED);
    talk.close();
    expect(queuedCount(h)).toBe(before + 1);
    await upstreamMessageWithSubject(h, 'clean after submission smuggling');
  });

  it('forwarded only the clean messages: nothing smuggled, nothing for the victim', async () => {
    await h.upstream.waitFor(VARIANTS.length + 1, 20_000);
    await sleep(1000);
    expect(h.upstream.messages).toHaveLength(VARIANTS.length + 1);
    for (const message of h.upstream.messages) {
      expect(message.raw.toString('latin1')).not.toContain('Smuggled');
      expect(message.mailFrom).not.toBe('attacker@practice.test');
      expect(message.rcptTo).not.toContain('victim@evil.example');
    }
  });

  it('forwards clean bytes only: CRLF line endings, no NUL, dots unstuffed', async () => {
    const subject = 'byte check';
    const body = cleanMessage(subject);
    const talk = await trustedClient(h);
    await openTransaction(talk);
    await talk.send(forData(body)).expect(QUEUED);
    talk.close();
    const message = await upstreamMessageWithSubject(h, subject);
    expect(lineEndingProblems(message.raw)).toEqual([]);
    expect(message.raw.toString('latin1').endsWith(body)).toBe(true);
  });
});

describe('line length', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  it('refuses a line of 999 octets with 554 5.6.0 and accepts one of 998', async () => {
    const talk = await trustedClient(h);
    await openTransaction(talk);
    await talk.send(headers('too long') + 'x'.repeat(999) + '\r\n.\r\n').expect(/^554 5\.6\.0 Message refused: line longer than 998 octets$/);
    await talk.line('RSET').expect(/^250 /);
    await openTransaction(talk);
    await talk.send(headers('long enough') + 'y'.repeat(998) + '\r\n.\r\n').expect(QUEUED);
    await openTransaction(talk);
    // A long line split across many TCP writes is still one line.
    talk.send(headers('split long line'));
    for (let i = 0; i < 10; i++) {
      talk.send('z'.repeat(200));
      await sleep(10);
    }
    await talk.send('\r\n.\r\n').expect(/^554 5\.6\.0 /);
    talk.close();
    const message = await upstreamMessageWithSubject(h, 'long enough');
    expect(message.raw.toString('latin1')).toContain(`\r\n${'y'.repeat(998)}\r\n`);
    await sleep(500);
    expect(h.upstream.messages).toHaveLength(1);
  });
});

describe('reply codes on the wire', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  function checkEhlo(ehlo: string): void {
    const lines = ehlo.split('\r\n').map((l) => l.slice(4));
    for (const feature of ['PIPELINING', '8BITMIME', 'SMTPUTF8', 'ENHANCEDSTATUSCODES', 'SIZE 35000000']) {
      expect(lines, feature).toContain(feature);
    }
    expect(lines.some((l) => /^DSN\b/.test(l))).toBe(false);
    expect(lines.some((l) => /^REQUIRETLS\b/.test(l))).toBe(false);
  }

  it('EHLO advertises PIPELINING, 8BITMIME, SMTPUTF8, ENHANCEDSTATUSCODES, SIZE and not DSN or REQUIRETLS', async () => {
    const plain = await SmtpTalk.open(h.port('plain'), { localAddress: TRUSTED });
    await plain.expect(/^220 /);
    checkEhlo(await plain.line('EHLO client.test').expect(/^250[ -]/));
    plain.close();
    // REQUIRETLS would only be offered over TLS: check after STARTTLS as well.
    const submission = await SmtpTalk.open(h.port('submission'), { localAddress: TRUSTED });
    await submission.expect(/^220 /);
    await submission.line('EHLO client.test').expect(/^250[ -]/);
    await submission.startTls();
    checkEhlo(await submission.line('EHLO client.test').expect(/^250[ -]/));
    submission.close();
  });

  it('pins the codes of a successful transaction', async () => {
    const talk = await trustedClient(h);
    await talk.line(`MAIL FROM:<${TEST_SENDER}>`).expect(/^250 2\.1\.0 /);
    await talk.line('RCPT TO:<orders@lab.example>').expect(/^250 2\.1\.5 /);
    await talk.line('DATA').expect(/^354 /);
    await talk.send(forData(cleanMessage('codes'))).expect(QUEUED);
    talk.close();
  });

  it('empty DATA, or text with no header section, is 554 5.6.0 and nothing is queued', async () => {
    const before = queuedCount(h);
    for (const data of ['.\r\n', '\r\njust a body\r\n.\r\n', 'just a body\r\n.\r\n']) {
      const talk = await trustedClient(h);
      await talk.line(`MAIL FROM:<${TEST_SENDER}>`).expect(/^250 /);
      await talk.line('RCPT TO:<orders@lab.example>').expect(/^250 /);
      await talk.line('DATA').expect(/^354 /);
      await talk.send(data).expect(/^554 5\.6\.0 Message refused: no header section$/);
      talk.close();
    }
    expect(queuedCount(h)).toBe(before);
  });

  it('sender not allowed is 553 5.7.1 (not a derived 5.1.x), trusted or authenticated', async () => {
    const trusted = await trustedClient(h);
    await trusted.line('MAIL FROM:<someone@elsewhere.example>').expect(/^553 5\.7\.1 Sender address not allowed from this network$/);
    trusted.close();
    const authed = await authenticatedClient(h);
    await authed.line('MAIL FROM:<someone@elsewhere.example>').expect(/^553 5\.7\.1 Sender address not allowed for this login$/);
    authed.close();
  });

  it('a From header outside the practice from a trusted client is 550 5.7.1, worded for its network', async () => {
    const talk = await trustedClient(h);
    await openTransaction(talk);
    await talk.send('From: CEO <ceo@bank.example>\r\nSubject: x\r\n\r\nhi\r\n.\r\n').expect(/^550 5\.7\.1 From address not allowed from this network$/);
    talk.close();
  });

  it.each([
    ['Sender', 'Sender: CEO <ceo@bank.example>'],
    ['Resent-From', 'Resent-From: ceo@bank.example'],
    ['Resent-Sender', 'Resent-Sender: <ceo@bank.example>'],
    ['Sender with an address in its display name', `Sender: "ceo@bank.example" <${TEST_SENDER}>`],
    ['Sender naming no address', 'Sender: The Boss'],
    ['empty Resent-From', 'Resent-From:'],
  ])('a %s field outside the login is refused with 550 5.7.1 like From, and nothing is queued', async (_name, field) => {
    await expectSenderFieldsRefused(h, `From: <${TEST_SENDER}>\r\n${field}\r\n`);
  });

  it("a Sender or Resent-From field with the login's own address is accepted", async () => {
    const talk = await authenticatedClient(h);
    await openTransaction(talk);
    await talk.send(`From: <${TEST_SENDER}>\r\nSender: Reception <${TEST_SENDER}>\r\nResent-From: ${TEST_SENDER}\r\nSubject: x\r\n\r\nhi\r\n.\r\n`).expect(QUEUED);
    talk.close();
  });

  it('a From header outside the login is 550 5.7.1 (not a derived 5.1.1), and nothing is queued', async () => {
    await expectSenderFieldsRefused(h, 'From: CEO <ceo@bank.example>\r\n');
  });

  it.each([
    ['a second address after the first', `<${TEST_SENDER}> <ceo@bank.example>`],
    ['a bare address after the first', `<${TEST_SENDER}> ceo@bank.example`],
    ['an address in an encoded word', `=?utf-8?b?${Buffer.from('ceo@bank.example').toString('base64')}?=`],
    ['an address in a comment', '(ceo@bank.example)'],
    ['an address in the display name', `"ceo@bank.example" <${TEST_SENDER}>`],
    ['an empty group', 'Finance Dept:;'],
    ['nothing at all', ''],
  ])('a From field with %s is refused with 550 5.7.1, and nothing is queued', async (_name, from) => {
    await expectSenderFieldsRefused(h, `From: ${from}\r\n`);
  });

  it('a From field with an apostrophe in the address, or an @ in a display name that is no address, is accepted', async () => {
    const talk = await authenticatedClient(h);
    for (const from of [`Pat O'Brien <pat.o'brien@${PRACTICE_DOMAIN}>`, `"Reception@Riverside" <${TEST_SENDER}>`]) {
      await openTransaction(talk);
      await talk.send(`From: ${from}\r\nSubject: x\r\n\r\nhi\r\n.\r\n`).expect(QUEUED);
    }
    talk.close();
  });

  it('AUTH on the plain listener (never offered there) is 503 5.5.1', async () => {
    const talk = await trustedClient(h);
    await talk.line('AUTH PLAIN ' + Buffer.from('\0x\0y').toString('base64')).expect(/^503 5\.5\.1 Authentication is not offered on this port$/);
    talk.close();
  });

  it("a From field with the login's own address in a display name or comment is accepted", async () => {
    const talk = await authenticatedClient(h);
    await openTransaction(talk);
    await talk.send(`From: "Reception (${TEST_SENDER})" <${TEST_SENDER}> (front desk)\r\nSubject: x\r\n\r\nhi\r\n.\r\n`).expect(QUEUED);
    talk.close();
  });

  it('MAIL and RCPT parameters: only those of advertised extensions; a non-ASCII address needs SMTPUTF8', async () => {
    const talk = await trustedClient(h);
    await talk.line(`MAIL FROM:<${TEST_SENDER}> FOO=bar`).expect(/^555 5\.5\.4 Parameter not recognized$/);
    await talk.line(`MAIL FROM:<${TEST_SENDER}> SIZE=100 BODY=8BITMIME AUTH=<>`).expect(/^250 2\.1\.0 /);
    await talk.line('RCPT TO:<orders@lab.example> NOTIFY=SUCCESS').expect(/^555 5\.5\.4 Parameter not recognized$/);
    await talk.line('RCPT TO:<josé@exämple.org>').expect(/^553 5\.6\.7 /);
    await talk.line('RSET').expect(/^250 /);
    await talk.line(`MAIL FROM:<${TEST_SENDER}> SMTPUTF8`).expect(/^250 2\.1\.0 /);
    await talk.line('RCPT TO:<josé@exämple.org>').expect(/^250 2\.1\.5 /);
    talk.close();
  });

  it('smuggling refusals carry 5.6.0 and the generic text only', async () => {
    const talk = await trustedClient(h);
    await openTransaction(talk);
    await talk.send(headers('bare lf') + 'Hello\n\r\n.\r\n').expect(/^554 5\.6\.0 Message refused: bare CR or LF line ending; lines must end with CRLF$/);
    await openTransaction(talk);
    await talk.send(headers('nul') + 'He\0llo\r\n.\r\n').expect(/^554 5\.6\.0 Message refused: NUL octet in message$/);
    talk.close();
  });
});
