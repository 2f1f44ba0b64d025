import { simpleParser } from 'mailparser';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { prepareDisclaimer } from '../../src/disclaimers/validate.js';
import { openStore } from '../../src/store/open-store.js';
import { useCleanups } from '../helpers/cleanups.js';
import { startHarness, TEST_PASSWORD, TEST_SENDER, TEST_USER, type Harness } from '../helpers/in-process-relay.js';
import { withoutTrace } from '../helpers/recording-upstream.js';

/** End to end: texts saved in the store, messages sent over SMTP, what arrives upstream. */

const afterTest = useCleanups();

async function harness(extra: Record<string, unknown> = {}): Promise<Harness> {
  const h = await startHarness(extra);
  afterTest(() => h.stop());
  return h;
}

const TEXT = 'Bright Smile Dental Ltd. This email is confidential: if it reached you in error, please delete it.\nSent by {{sender_name}}.';

async function saveText(h: Harness, text: string, note: string): Promise<void> {
  const prepared = prepareDisclaimer({ text });
  if (!prepared.ok) throw new Error(prepared.problems.join('; '));
  const { store } = await openStore(h.config);
  try {
    await store.addDisclaimerVersion({ scope: { kind: 'default' }, text: prepared.text, html: prepared.html, derived: prepared.derived, author: 'test', note, createdAt: Date.now() });
  } finally {
    await store.close();
  }
}

function send(h: Harness, mail: SendMailOptions): Promise<unknown> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: h.port('submission'),
    requireTLS: true,
    tls: { rejectUnauthorized: false },
    auth: { user: TEST_USER, pass: TEST_PASSWORD },
  });
  return transport.sendMail(mail).finally(() => transport.close());
}

const count = (haystack: string, needle: string) => haystack.split(needle).length - 1;

describe('disclaimers through the relay', () => {
  it('adds the text to both alternatives, and a reply quoting it gets no second copy', async () => {
    const h = await harness();
    await saveText(h, TEXT, 'first text');
    await send(h, {
      from: `Reception Team <${TEST_SENDER}>`,
      to: 'lab@example.org',
      subject: 'Crown for Tuesday',
      text: 'Is the crown ready for Tuesday?\n\nReception',
      html: '<p>Is the crown ready for Tuesday?</p><p>Reception</p>',
    });
    const [first] = await h.upstream.waitFor(1);
    const delivered = await simpleParser(withoutTrace(first!.raw));
    expect(delivered.text).toContain('Is the crown ready for Tuesday?\n\nReception\n\n-- \nBright Smile Dental Ltd. This email is confidential: if it reached you in error, please delete it.\nSent by Reception Team.');
    expect(count(String(delivered.html), 'data-mouthguard-disclaimer="mg-')).toBe(1);
    expect(String(delivered.html)).toContain('Sent by Reception Team.');

    // The lab replies (not through us), then the practice replies to that, quoting it all.
    const quoted = String(delivered.text).split('\n').map((l) => `> ${l}`).join('\n');
    await send(h, {
      from: `Reception Team <${TEST_SENDER}>`,
      to: 'lab@example.org',
      subject: 'Re: Crown for Tuesday',
      text: `Thank you!\n\nOn Tue, 24 Nov 2026 at 10:00, Crown Lab <lab@example.org> wrote:\n> Yes, it is.\n>\n> On Tue, 24 Nov 2026 at 09:00, Reception Team <${TEST_SENDER}> wrote:\n${quoted.replace(/^/gm, '> ')}`,
      html: `<div>Thank you!</div><div class="gmail_quote"><div class="gmail_attr">On Tue, 24 Nov 2026 at 10:00, Crown Lab wrote:</div><blockquote class="gmail_quote"><div>Yes, it is.</div>${String(delivered.html)}</blockquote></div>`,
    });
    const [, second] = await h.upstream.waitFor(2);
    const reply = await simpleParser(withoutTrace(second!.raw));
    expect(count(String(reply.text), 'Bright Smile Dental Ltd. This email is confidential')).toBe(1);
    expect(count(String(reply.html), 'data-mouthguard-disclaimer="mg-')).toBe(1);
    expect(String(reply.text)).toMatch(/^Thank you!\n\nOn Tue/);
  });

  it('applies a changed text to the next message delivered', async () => {
    const h = await harness();
    await saveText(h, TEXT, 'first text');
    await send(h, { from: TEST_SENDER, to: 'lab@example.org', subject: 'One', text: 'First message.\n' });
    await h.upstream.waitFor(1);
    await saveText(h, 'Bright Smile Dental Ltd, registered in England no. 01234567. Confidential.', 'company number added');
    await send(h, { from: TEST_SENDER, to: 'lab@example.org', subject: 'Two', text: 'Second message.\n' });
    const [first, second] = await h.upstream.waitFor(2);
    // No display name in From: the line with {{sender_name}} is dropped.
    expect(withoutTrace(first!.raw).toString()).toContain('First message.\r\n\r\n-- \r\nBright Smile Dental Ltd. This email is confidential: if it reached you in error, please delete it.\r\n');
    expect(withoutTrace(first!.raw).toString()).not.toContain('Sent by');
    expect(withoutTrace(second!.raw).toString()).toContain('Second message.\r\n\r\n-- \r\nBright Smile Dental Ltd, registered in England no. 01234567. Confidential.\r\n');
  });

  it('delivers byte for byte when no text is saved, and when disclaimers are off', async () => {
    for (const extra of [{}, { disclaimers: { enabled: false } }]) {
      const h = await harness(extra);
      if ('disclaimers' in extra) await saveText(h, TEXT, 'saved but off');
      const raw = `From: ${TEST_SENDER}\r\nTo: lab@example.org\r\nSubject: Plain\r\nMessage-ID: <plain@practice.test>\r\n\r\nNo disclaimer here.\r\n`;
      await send(h, { envelope: { from: TEST_SENDER, to: ['lab@example.org'] }, raw });
      const [got] = await h.upstream.waitFor(1);
      expect(withoutTrace(got!.raw).toString()).toBe(raw);
    }
  });

  it('holds signed mail for review with disclaimers.signed: hold, then releases it untouched', async () => {
    const h = await harness({ disclaimers: { signed: 'hold' } });
    await saveText(h, TEXT, 'first text');
    const raw = [
      `From: ${TEST_SENDER}`, 'To: lab@example.org', 'Subject: Signed', 'MIME-Version: 1.0',
      'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="s"', '',
      '--s', 'Content-Type: text/plain', '', 'Signed text.', '--s', 'Content-Type: application/pkcs7-signature', '', 'MIIB', '--s--', '',
    ].join('\r\n');
    await send(h, { envelope: { from: TEST_SENDER, to: ['lab@example.org'] }, raw });
    const { store } = await openStore(h.config);
    try {
      let held = await store.listHeld(10);
      for (let i = 0; i < 50 && held.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
        held = await store.listHeld(10);
      }
      expect(held).toHaveLength(1);
      expect(held[0]!.hold.reasons.map((r) => r.rule)).toContain('disclaimer-sealed');
      expect(await store.releaseHeld(held[0]!.id, 'test', null, Date.now())).toBe(true);
    } finally {
      await store.close();
    }
    // First the hold notice to the sender, then the released message itself.
    const arrived = await h.upstream.waitFor(2, 15_000);
    const released = arrived.find((m) => m.mailFrom === TEST_SENDER);
    expect(withoutTrace(released!.raw).toString()).toBe(raw);
  });
});
