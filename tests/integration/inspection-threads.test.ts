import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingUpstream } from '../helpers/recording-upstream.js';
import { startRelayProcess, stopRelayProcess, type RelayProcess } from '../helpers/relay-process.js';
import { SmtpTalk } from '../helpers/smtp-talk.js';
import { rawTestConfig, tempDir } from '../helpers/test-config.js';

const SENDER = 'reception@practice.test';

async function send(port: number, rcpt: string, body: string): Promise<string> {
  const talk = await SmtpTalk.open(port);
  await talk.expect(/^220 /);
  await talk.line('EHLO client.test').expect(/^250[ -]/);
  await talk.line(`MAIL FROM:<${SENDER}>`).expect(/^250 /);
  await talk.line(`RCPT TO:<${rcpt}>`).expect(/^250 /);
  await talk.line('DATA').expect(/^354 /);
  const reply = await talk.send(`${body}\r\n.\r\n`).reply(60_000);
  talk.close();
  return reply;
}

async function metric(relay: RelayProcess, pattern: RegExp): Promise<string | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${relay.adminPort}/metrics`)).text();
  return text.split('\n').find((l) => pattern.test(l));
}

describe('inspection threads (the built relay)', () => {
  let upstream: RecordingUpstream;
  let relay: RelayProcess;
  beforeAll(async () => {
    upstream = await new RecordingUpstream().start();
    const dir = tempDir();
    relay = await startRelayProcess(
      rawTestConfig(upstream.port, dir, {
        smtp: { limits: { maxMessageSize: '60MB' } },
        policy: { inspection: { workers: 1, maxMemory: '48MiB', maxTextChars: 50_000_000 } },
      }),
      dir,
    );
  }, 30_000);
  afterAll(async () => {
    await stopRelayProcess(relay);
    await upstream.stop();
  });

  it('inspects off the main thread with the same verdicts', async () => {
    const referral = `From: <${SENDER}>\r\nSubject: Referral\r\n\r\nPatient: Mrs Jane Smith\r\nDOB: 12/03/1967\r\nNHS No: 943 476 5919\r\n`;
    expect(await send(relay.port('plain'), 'jane@gmail.com', referral)).toMatch(/^250 /);
    expect(await send(relay.port('plain'), 'lab@lab.example', `From: <${SENDER}>\r\nSubject: order\r\n\r\nShade A2.\r\n`)).toMatch(/^250 /);
    const arrived = await upstream.waitFor(2, 20_000);
    expect(arrived.some((m) => m.rcptTo.includes('lab@lab.example'))).toBe(true);
    expect(arrived.some((m) => m.rcptTo.includes('jane@gmail.com'))).toBe(false);
    expect(await metric(relay, /^mouthguard_policy_held_messages\{reason="hold-identifiable-outside"\}/)).toMatch(/ 1$/);
  });

  it('large messages that wait their turn for the thread (beyond the two it streams at once) get the right verdicts, alongside a small one', async () => {
    const filler = 'Shade A2, margins chamfered, please return by Friday with the models.\r\n'.repeat(6000); // ~400 KB: a large message
    const large = (n: number, extra = '') => `From: <${SENDER}>\r\nSubject: lab order ${n}\r\n\r\n${filler}${extra}`;
    const before = upstream.messages.length;
    const sends = [0, 1, 2, 3, 4].map((n) =>
      send(relay.port('plain'), `large${n}@gmail.com`, large(n, n === 3 ? 'Patient: Mrs Jane Smith\r\nNHS No: 943 476 5919\r\n' : '')),
    );
    const small = send(relay.port('plain'), 'small@lab.example', `From: <${SENDER}>\r\nSubject: small\r\n\r\nShade A3.\r\n`);
    expect(await small).toMatch(/^250 /);
    for (const reply of await Promise.all(sends)) expect(reply).toMatch(/^250 /);
    // Five messages and the hold notice to the sender.
    const arrived = (await upstream.waitFor(before + 6, 30_000)).slice(before);
    const to = arrived.flatMap((m) => m.rcptTo);
    expect(to).toEqual(expect.arrayContaining(['small@lab.example', 'large0@gmail.com', 'large1@gmail.com', 'large2@gmail.com', 'large4@gmail.com']));
    expect(to).not.toContain('large3@gmail.com');
    expect(to).toContain(SENDER);
    for (const m of arrived.filter((x) => x.rcptTo[0]!.startsWith('large'))) expect(m.raw.includes(Buffer.from(filler))).toBe(true);
    expect(await metric(relay, /^mouthguard_policy_held_messages\{reason="hold-identifiable-outside"\}/)).toMatch(/ 2$/);
  }, 60_000);

  it('a message that exhausts the thread heap is held, and the next one is inspected by a fresh thread', async () => {
    const line = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt.\r\n';
    const huge = `From: <${SENDER}>\r\nSubject: big\r\n\r\n${line.repeat(400_000)}`;
    expect(await send(relay.port('plain'), 'big@example.org', huge)).toMatch(/^250 /);
    expect(await metric(relay, /^mouthguard_policy_inspection_failures_total\{cause="inspection-failed"\}/)).toMatch(/ 1$/);
    expect(await send(relay.port('plain'), 'after@example.org', `From: <${SENDER}>\r\nSubject: after\r\n\r\nfine\r\n`)).toMatch(/^250 /);
    const deadline = Date.now() + 20_000;
    while (!upstream.messages.some((m) => m.rcptTo.includes('after@example.org')) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(upstream.messages.some((m) => m.rcptTo.includes('after@example.org'))).toBe(true);
    expect(upstream.messages.some((m) => m.rcptTo.includes('big@example.org'))).toBe(false);
  }, 60_000);
});
