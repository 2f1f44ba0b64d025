import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { withoutTrace } from '../helpers/recording-upstream.js';
import { startHarness, TEST_PASSWORD, TEST_SENDER, TEST_USER, type Harness } from '../helpers/in-process-relay.js';
import { SmtpTalk } from '../helpers/smtp-talk.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop();
});

function submissionTransport() {
  return nodemailer.createTransport({
    host: '127.0.0.1',
    port: h.port('submission'),
    secure: false,
    requireTLS: true,
    tls: { rejectUnauthorized: false },
    auth: { user: TEST_USER, pass: TEST_PASSWORD },
  });
}

describe('authenticated submission over STARTTLS', () => {
  it('reaches the upstream byte for byte, apart from the added trace header', async () => {
    const raw = Buffer.from(
      [
        `From: Reception <${TEST_SENDER}>`,
        'To: Lab <orders@lab.example>',
        'Subject: Crown order',
        'Message-ID: <crown-1@practice.test>',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: 8bit',
        '',
        'Please make the crown in shade A2 \u2013 thanks.',
        '.leading dot line',
        '',
      ].join('\r\n'),
    );
    const transport = submissionTransport();
    const info = await transport.sendMail({ envelope: { from: TEST_SENDER, to: ['orders@lab.example'] }, raw });
    transport.close();
    expect(info.response).toMatch(/^250 2\.0\.0 Ok: queued as [0-9A-Z]{18}$/);
    const [message] = await h.upstream.waitFor(1);
    expect(message!.mailFrom).toBe(TEST_SENDER);
    expect(message!.rcptTo).toEqual(['orders@lab.example']);
    expect(withoutTrace(message!.raw).equals(raw)).toBe(true);
    expect(message!.raw.toString('latin1')).toMatch(/^Received: from .*\r\n\tby relay\.test \(Mouthguard\) with ESMTPSA id /);
  });

  it('offers AUTH only after STARTTLS and refuses it before', async () => {
    const talk = await SmtpTalk.open(h.port('submission'));
    await talk.expect(/^220 /);
    const ehlo = await talk.line('EHLO client.test').expect(/^250[ -]/);
    expect(ehlo).not.toMatch(/AUTH/);
    expect(ehlo).toMatch(/STARTTLS/);
    expect(ehlo).toMatch(/ENHANCEDSTATUSCODES/);
    await talk
      .line('AUTH PLAIN ' + Buffer.from(`\0${TEST_USER}\0${TEST_PASSWORD}`).toString('base64'))
      .expect(/^530 5\.7\.0 Must issue a STARTTLS command first$/);
    await talk.startTls();
    const secureEhlo = await talk.line('EHLO client.test').expect(/^250[ -]/);
    expect(secureEhlo).toMatch(/AUTH PLAIN LOGIN/);
    await talk.line('AUTH PLAIN ' + Buffer.from(`\0${TEST_USER}\0${TEST_PASSWORD}`).toString('base64')).expect(/^235 /);
    talk.close();
  });

  it('refuses a wrong password with 535 5.7.8', async () => {
    const talk = await SmtpTalk.open(h.port('submission'));
    await talk.expect(/^220 /);
    await talk.line('EHLO client.test').expect(/^250[ -]/);
    await talk.startTls();
    await talk.line('EHLO client.test').expect(/^250[ -]/);
    await talk.line('AUTH PLAIN ' + Buffer.from(`\0${TEST_USER}\0wrong`).toString('base64')).expect(/^535 5\.7\.8 /);
    talk.close();
  });

  it('refuses a sender address or From header outside the login', async () => {
    const talk = await SmtpTalk.open(h.port('submission'));
    await talk.expect(/^220 /);
    await talk.line('EHLO client.test').expect(/^250[ -]/);
    await talk.startTls();
    await talk.line('EHLO client.test').expect(/^250[ -]/);
    await talk.line('AUTH PLAIN ' + Buffer.from(`\0${TEST_USER}\0${TEST_PASSWORD}`).toString('base64')).expect(/^235 /);
    await talk.line('MAIL FROM:<someone@elsewhere.example>').expect(/^553 5\.7\.1 /);
    await talk.line(`MAIL FROM:<${TEST_SENDER}>`).expect(/^250 2\.1\.0 /);
    await talk.line('RCPT TO:<friend@example.org>').expect(/^250 2\.1\.5 /);
    await talk.line('DATA').expect(/^354 /);
    await talk.send('From: CEO <ceo@bank.example>\r\nSubject: x\r\n\r\nhi\r\n.\r\n').expect(/^550 5\.7\.1 /);
    talk.close();
  });
});
