import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, TEST_PASSWORD, TEST_SENDER, TEST_USER, type Harness } from '../helpers/in-process-relay.js';
import type { RecordedMessage } from '../helpers/recording-upstream.js';
import { SmtpTalk } from '../helpers/smtp-talk.js';
import { PRACTICE_DOMAIN } from '../helpers/test-config.js';

/** Outside the trusted networks (127.0.0.1/32 only), still loopback. */
const UNTRUSTED = '127.0.0.2';
const TRUSTED = '127.0.0.1';

/** Addresses that would make a naive relay forward mail somewhere else than it appears. */
const ADDRESS_TRICKS = {
  percentHack: 'victim%evil.example@practice.test',
  sourceRoute: '@practice.test:victim@evil.example',
  quotedLocalPart: '"victim@evil.example"@practice.test',
  bangPath: 'evil.example!victim@practice.test',
  ipLiteral: 'victim@[192.0.2.1]',
  plainExternal: 'victim@evil.example',
  practiceDomain: `someone@${PRACTICE_DOMAIN}`,
} as const;

function authPlain(user: string, password: string): string {
  return 'AUTH PLAIN ' + Buffer.from(`\0${user}\0${password}`).toString('base64');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function greeted(port: number, localAddress: string): Promise<SmtpTalk> {
  const talk = await SmtpTalk.open(port, { localAddress });
  await talk.expect(/^220 relay\.test ESMTP Mouthguard\r?$/); // "ESMTP" once (smtp-server adds it)
  await talk.line('EHLO client.test').expect(/^250[ -]/);
  return talk;
}

/** A client on the submission port that has completed STARTTLS (and EHLO again), not logged in. */
async function overTls(h: Harness, localAddress: string): Promise<SmtpTalk> {
  const talk = await greeted(h.port('submission'), localAddress);
  await talk.startTls();
  await talk.line('EHLO client.test').expect(/^250[ -]/);
  return talk;
}

type ClientKind = 'trusted' | 'authenticated';

/** A session allowed to relay: trusted (127.0.0.1 on plain) or logged in over STARTTLS. */
async function relayingClient(h: Harness, kind: ClientKind): Promise<SmtpTalk> {
  if (kind === 'trusted') return greeted(h.port('plain'), TRUSTED);
  const talk = await overTls(h, TRUSTED);
  await talk.line(authPlain(TEST_USER, TEST_PASSWORD)).expect(/^235 /);
  return talk;
}

function messageFor(subject: string, to: string): string {
  return [`From: Reception <${TEST_SENDER}>`, `To: <${to}>`, `Subject: ${subject}`, `Message-ID: <${subject}@practice.test>`, '', 'Body.', ''].join(
    '\r\n',
  );
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

describe('an unauthenticated client outside the trusted networks', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  it('is refused at MAIL FROM with 530 5.7.0 on the submission port, and every RCPT is refused', async () => {
    const talk = await greeted(h.port('submission'), UNTRUSTED);
    await talk.line(`MAIL FROM:<${TEST_SENDER}>`).expect(/^530 5\.7\.0 Authentication required$/);
    await talk.line('MAIL FROM:<>').expect(/^530 5\.7\.0 /);
    for (const [trick, address] of Object.entries(ADDRESS_TRICKS)) {
      const reply = await talk.line(`RCPT TO:<${address}>`).reply();
      expect(reply, trick).toMatch(/^5\d\d /);
    }
    await talk.line('DATA').expect(/^5\d\d /);
    talk.close();
  });

  it('is refused at MAIL FROM after STARTTLS too: TLS alone does not grant relaying', async () => {
    const talk = await overTls(h, UNTRUSTED);
    for (const [trick, address] of Object.entries(ADDRESS_TRICKS)) {
      await talk.line(`MAIL FROM:<${TEST_SENDER}>`).expect(/^530 5\.7\.0 /);
      const reply = await talk.line(`RCPT TO:<${address}>`).reply();
      expect(reply, trick).toMatch(/^5\d\d /);
    }
    talk.close();
  });

  it('cannot sneak a whole pipelined transaction through', async () => {
    const talk = await greeted(h.port('submission'), UNTRUSTED);
    talk.send(
      [
        `MAIL FROM:<${TEST_SENDER}>`,
        'RCPT TO:<victim@evil.example>',
        'DATA',
        messageFor('pipelined-untrusted', 'victim@evil.example') + '.',
        'QUIT',
        '',
      ].join('\r\n'),
    );
    await talk.expect(/^530 5\.7\.0 /);
    await talk.expect(/^5\d\d /); // RCPT
    await talk.expect(/^5\d\d /); // DATA
    // The message lines are now (unknown) commands; none of them may yield a 250 queued.
    const replies: string[] = [];
    for (let i = 0; i < 20 && !talk.closed; i++) {
      const reply = await talk.reply().catch(() => null);
      if (reply === null) break;
      replies.push(reply);
      if (reply.startsWith('221 ')) break;
    }
    expect(replies.some((r) => /^2\d\d .*queued/.test(r))).toBe(false);
    talk.close();
  });

  it('is refused at connect on the plain listener with 554 5.7.1', async () => {
    const talk = await SmtpTalk.open(h.port('plain'), { localAddress: UNTRUSTED });
    await talk.expect(/^554 5\.7\.1 /);
    await talk.waitClosed();
    talk.close();
  });

  it('got nothing to the upstream', async () => {
    await sleep(1000);
    expect(h.upstream.messages).toEqual([]);
  });
});

describe.each<ClientKind>(['trusted', 'authenticated'])('a %s client', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  it.each([
    ['percent hack', ADDRESS_TRICKS.percentHack, /^553 5\.7\.1 Address routing syntax is not allowed$/],
    ['bang path', ADDRESS_TRICKS.bangPath, /^553 5\.7\.1 Address routing syntax is not allowed$/],
    ['quoted local part hiding %', '"victim%evil.example"@practice.test', /^553 5\.7\.1 Address routing syntax is not allowed$/],
    ['quoted local part hiding !', '"evil.example!victim"@practice.test', /^553 5\.7\.1 Address routing syntax is not allowed$/],
    // smtp-server refuses an '@' inside the local part as bad syntax (501 5.1.3) before the relay's rules run.
    ['quoted local part hiding @', ADDRESS_TRICKS.quotedLocalPart, /^(?:553 5\.7\.1 Address routing syntax is not allowed|501 5\.1\.3 .*)$/],
    ['IPv4 literal', ADDRESS_TRICKS.ipLiteral, /^553 5\.1\.3 IP address literals are not accepted$/],
    ['IPv6 literal', 'victim@[IPv6:2001:db8::1]', /^553 5\.1\.3 IP address literals are not accepted$/],
    ['IPv4 address as a domain', 'victim@127.0.0.1', /^553 5\.1\.3 IP address literals are not accepted$/],
    ['domainless', 'postmaster', /^553 5\.1\.3 Address needs a local part and a domain$/],
  ])('refuses the %s recipient %s at RCPT', async (_name, address, expected) => {
    const talk = await relayingClient(h, kind);
    await talk.line(`MAIL FROM:<${TEST_SENDER}>`).expect(/^250 2\.1\.0 /);
    await talk.line(`RCPT TO:<${address}>`).expect(expected);
    // The refusal leaves the transaction usable, and still without recipients.
    await talk.line('DATA').expect(/^503 /);
    talk.close();
  });

  it('refuses routing syntax in MAIL FROM as well', async () => {
    const talk = await relayingClient(h, kind);
    await talk.line('MAIL FROM:<reception%evil.example@practice.test>').expect(/^553 5\.7\.1 /);
    await talk.line('MAIL FROM:<evil.example!reception@practice.test>').expect(/^553 5\.7\.1 /);
    await talk.line('MAIL FROM:<reception@[192.0.2.1]>').expect(/^553 5\.1\.3 /);
    talk.close();
  });

  it('refuses the null sender with 553 5.7.1', async () => {
    const talk = await relayingClient(h, kind);
    await talk.line('MAIL FROM:<>').expect(/^553 5\.7\.1 A null sender is not accepted from clients$/);
    await talk.line('RCPT TO:<orders@lab.example>').expect(/^503 /);
    talk.close();
  });

  it('strips a source route to its final address (RFC 5321), which is what the upstream gets', async () => {
    const subject = `source-route-${kind}`;
    const talk = await relayingClient(h, kind);
    await talk.line(`MAIL FROM:<${TEST_SENDER}>`).expect(/^250 2\.1\.0 /);
    await talk.line(`RCPT TO:<${ADDRESS_TRICKS.sourceRoute}>`).expect(/^250 2\.1\.5 /);
    await talk.line('RCPT TO:<@a.example,@b.example:final@lab.example>').expect(/^250 2\.1\.5 /);
    await talk.line('DATA').expect(/^354 /);
    await talk.send(messageFor(subject, 'victim@evil.example') + '.\r\n').expect(/^250 2\.0\.0 Ok: queued as /);
    await talk.line('QUIT').expect(/^221 /);
    talk.close();
    const message = await upstreamMessageWithSubject(h, subject);
    expect(message.rcptTo).toEqual(['victim@evil.example', 'final@lab.example']);
    expect(message.mailFrom).toBe(TEST_SENDER);
  });

  it('accepts a normal external recipient and relays it', async () => {
    const subject = `external-${kind}`;
    const talk = await relayingClient(h, kind);
    await talk.line(`MAIL FROM:<${TEST_SENDER}>`).expect(/^250 2\.1\.0 /);
    await talk.line('RCPT TO:<orders@lab.example>').expect(/^250 2\.1\.5 /);
    await talk.line('DATA').expect(/^354 /);
    await talk.send(messageFor(subject, 'orders@lab.example') + '.\r\n').expect(/^250 2\.0\.0 Ok: queued as [0-9A-Z]{18}$/);
    talk.close();
    const message = await upstreamMessageWithSubject(h, subject);
    expect(message.rcptTo).toEqual(['orders@lab.example']);
  });

  it('never relays any of the refused tricks', async () => {
    await sleep(500);
    const recipients = h.upstream.messages.flatMap((m) => m.rcptTo);
    for (const address of recipients) {
      expect(address).not.toMatch(/[%!"[\]]/);
      expect(address.split('@')).toHaveLength(2);
    }
  });
});

describe('AUTH PLAIN authorization identity (RFC 4616)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  const token = (authzid: string, authcid: string, password: string) =>
    'AUTH PLAIN ' + Buffer.from(`${authzid}\0${authcid}\0${password}`).toString('base64');

  it('logs in when it is empty, the same account, or the only name given', async () => {
    for (const [authzid, authcid] of [
      ['', TEST_USER],
      [TEST_USER, TEST_USER],
      [TEST_USER, ''],
    ] as const) {
      const talk = await overTls(h, TRUSTED);
      await talk.line(token(authzid, authcid, TEST_PASSWORD)).expect(/^235 2\.7\.0 /);
      talk.close();
    }
  });

  it('refuses to act as another identity, with the right password', async () => {
    const talk = await overTls(h, TRUSTED);
    await talk.line(token('someone-else', TEST_USER, TEST_PASSWORD)).expect(/^535 5\.7\.8 /);
    talk.close();
  });
});

describe('failed logins are throttled per client address', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  it('answers the fifth failure with 421 4.7.0 and closes, then refuses that address at connect', async () => {
    const talk = await overTls(h, UNTRUSTED);
    for (let i = 1; i <= 4; i++) {
      await talk.line(authPlain(TEST_USER, `wrong-${i}`)).expect(/^535 5\.7\.8 /);
    }
    await talk.line(authPlain(TEST_USER, 'wrong-5')).expect(/^421 4\.7\.0 Too many failed logins/);
    await talk.waitClosed();
    talk.close();

    const again = await SmtpTalk.open(h.port('submission'), { localAddress: UNTRUSTED });
    await again.expect(/^421 4\.7\.0 /);
    await again.waitClosed();
    again.close();

    // Even the right password does not help while the address is blocked (plain listener too).
    const plain = await SmtpTalk.open(h.port('plain'), { localAddress: UNTRUSTED });
    await plain.expect(/^421 4\.7\.0 /);
    await plain.waitClosed();
    plain.close();
  });

  it('leaves other client addresses unaffected', async () => {
    const talk = await overTls(h, TRUSTED);
    await talk.line(authPlain(TEST_USER, TEST_PASSWORD)).expect(/^235 /);
    await talk.line(`MAIL FROM:<${TEST_SENDER}>`).expect(/^250 2\.1\.0 /);
    talk.close();
    const plain = await greeted(h.port('plain'), TRUSTED);
    await plain.line(`MAIL FROM:<${TEST_SENDER}>`).expect(/^250 2\.1\.0 /);
    plain.close();
  });
});

describe('failed logins with a lower configured limit', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ smtp: { limits: { authFailures: { max: 2 } } } });
  });
  afterAll(async () => {
    await h.stop();
  });

  it('blocks after smtp.limits.authFailures.max failures, counted across connections', async () => {
    const first = await overTls(h, UNTRUSTED);
    await first.line(authPlain(TEST_USER, 'wrong-1')).expect(/^535 5\.7\.8 /);
    first.close();
    const second = await overTls(h, UNTRUSTED);
    await second.line(authPlain('nobody', 'wrong-2')).expect(/^421 4\.7\.0 /);
    await second.waitClosed();
    second.close();
    const third = await SmtpTalk.open(h.port('submission'), { localAddress: UNTRUSTED });
    await third.expect(/^421 4\.7\.0 /);
    third.close();
  });
});

describe('failed logins sent in parallel', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ smtp: { limits: { authFailures: { max: 3 } } } });
  });
  afterAll(async () => {
    await h.stop();
  });

  it('check no more passwords than the limit, and a right one in the burst does not log in', async () => {
    const BURST = '127.0.0.3';
    const sessions = await Promise.all(Array.from({ length: 10 }, () => overTls(h, BURST)));
    const wrong = sessions.slice(0, 9).map((talk, i) => talk.line(authPlain(TEST_USER, `wrong-${i}`)).reply());
    // The right password arrives while the first wrong ones are still being checked (scrypt).
    await new Promise((r) => setTimeout(r, 20));
    const right = sessions[9]!.line(authPlain(TEST_USER, TEST_PASSWORD)).reply();
    const replies = await Promise.all([...wrong, right]);
    expect(replies[9]).toMatch(/^421 4\.7\.0 /);
    // Only the limit's worth of passwords were checked: two refused, the third blocked the address.
    expect(replies.filter((r) => r.startsWith('535 '))).toHaveLength(2);
    expect(replies.filter((r) => r.startsWith('421 4.7.0 '))).toHaveLength(8);
    const failures = (await h.relay.metrics.smtpAuthFailures.get()).values.reduce((n, v) => n + v.value, 0);
    expect(failures).toBe(3);
    sessions.forEach((talk) => talk.close());
  });
});
