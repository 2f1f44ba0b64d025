import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHarness, type Harness } from '../helpers/in-process-relay.js';
import { runCli } from '../helpers/relay-process.js';
import { rawTestConfig } from '../helpers/test-config.js';
import { SmtpTalk } from '../helpers/smtp-talk.js';

const SENDER = 'reception@practice.test';

function referral(extra = ''): string {
  return [
    `From: Reception <${SENDER}>`,
    'To: someone',
    'Subject: Referral',
    '',
    'Re: Mrs Jane Smith, DOB 12/03/1967, NHS No: 943 476 5919',
    'Please see our patient regarding a painful LL6.',
    extra,
    '',
  ].join('\r\n');
}

async function send(h: Harness, rcpts: string[], body: string): Promise<string> {
  const talk = await SmtpTalk.open(h.port('plain'));
  await talk.expect(/^220 /);
  await talk.line('EHLO client.test').expect(/^250[ -]/);
  await talk.line(`MAIL FROM:<${SENDER}>`).expect(/^250 /);
  for (const r of rcpts) await talk.line(`RCPT TO:<${r}>`).expect(/^250 /);
  await talk.line('DATA').expect(/^354 /);
  const reply = await talk.send(`${body.replace(/\r\n\./g, '\r\n..')}\r\n.\r\n`).reply();
  talk.close();
  return reply;
}

async function metrics(h: Harness): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${h.relay.adminPort}/metrics`);
  return res.text();
}

describe('policy through the relay', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  it('delivers identifiable patient data to NHSmail', async () => {
    const reply = await send(h, ['consultant@nhs.net'], referral());
    expect(reply).toMatch(/^250 2\.0\.0 Ok: queued as /);
    const messages = await h.upstream.waitFor(1);
    expect(messages.some((m) => m.rcptTo.includes('consultant@nhs.net'))).toBe(true);
  });

  it('holds identifiable patient data to personal webmail and notifies the sender', async () => {
    const before = h.upstream.messages.length;
    const reply = await send(h, ['jane.smith@gmail.com'], referral());
    expect(reply).toMatch(/^250 2\.0\.0 Ok: queued as ([0-9A-Z]{18})$/);
    const notice = (await h.upstream.waitFor(before + 1)).slice(before).find((m) => m.mailFrom === '');
    expect(notice).toBeDefined();
    expect(notice!.rcptTo).toEqual([SENDER]);
    const text = notice!.raw.toString('utf8');
    expect(text).toMatch(/Subject: Your message is held for review/);
    expect(text).toMatch(/NHS number: 1/);
    expect(text).not.toContain('943 476 5919');
    expect(text).not.toContain('Jane Smith');
    await new Promise((r) => setTimeout(r, 300));
    expect(h.upstream.messages.some((m) => m.rcptTo.includes('jane.smith@gmail.com'))).toBe(false);
    const text2 = await metrics(h);
    expect(text2).toMatch(/mouthguard_policy_held_messages\{reason="hold-identifiable-outside"\} 1/);
    expect(text2).toMatch(/mouthguard_policy_findings_total\{kind="nhs_number"\} [1-9]/);
  });

  it('rejects patient identifiers to a publishing address with a generic 5xx', async () => {
    const reply = await send(h, ['abc123@post.wordpress.com'], referral());
    expect(reply).toBe('550 5.7.1 Message refused by the practice data protection policy');
  });

  it('warns, delivers and notifies when a forwarded chain discloses external addresses', async () => {
    const chain = [
      '-----Original Message-----',
      'From: Lab <lab@lab.example>',
      'Sent: 12 March 2026 10:00',
      'To: a@one.example; b@two.example; c@three.example',
      'Cc: d@four.example',
      'Subject: order',
      '',
      'Shade A2 please.',
    ].join('\r\n');
    const body = [`From: Reception <${SENDER}>`, 'To: supplier@supplies.example', 'Subject: FW: order', '', 'See below.', '', chain, ''].join('\r\n');
    const before = h.upstream.messages.length;
    const reply = await send(h, ['supplier@supplies.example'], body);
    expect(reply).toMatch(/^250 /);
    const arrived = (await h.upstream.waitFor(before + 2)).slice(before);
    expect(arrived.some((m) => m.rcptTo.includes('supplier@supplies.example'))).toBe(true);
    const notice = arrived.find((m) => m.mailFrom === '');
    expect(notice!.raw.toString()).toMatch(/external addresses of earlier recipients in the quoted or forwarded text: 4/);
  });
});

describe('held mail review from the CLI', () => {
  let h: Harness;
  let configPath: string;
  beforeAll(async () => {
    h = await startHarness();
    configPath = join(h.dataDir, 'cli.yaml');
    writeFileSync(configPath, stringify(rawTestConfig(h.upstream.port, h.dataDir)));
  });
  afterAll(async () => {
    await h.stop();
  });

  async function holdOne(): Promise<string> {
    const reply = await send(h, ['patient@hotmail.co.uk'], referral());
    return /queued as ([0-9A-Z]{18})/.exec(reply)![1]!;
  }

  it('lists, shows (audited), releases and rejects held messages', async () => {
    const first = await holdOne();
    const second = await holdOne();
    const list = await runCli(['held', 'list', '--config', configPath]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(first);
    expect(list.stdout).toContain(second);

    const show = await runCli(['held', 'show', first, '--actor', 'alice', '--config', configPath]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/hold-identifiable-outside/);
    expect(show.stdout).toMatch(/nhs_number\s+"943 476 5919"/);
    expect(show.stdout).toMatch(/alice {2}view/);

    const release = await runCli(['held', 'release', first, '--actor', 'alice', '--note', 'patient consented', '--config', configPath]);
    expect(release.code).toBe(0);
    await h.upstream.waitFor(1, 15_000);
    const deadline = Date.now() + 15_000;
    while (!h.upstream.messages.some((m) => m.rcptTo.includes('patient@hotmail.co.uk')) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(h.upstream.messages.some((m) => m.rcptTo.includes('patient@hotmail.co.uk'))).toBe(true);

    const noReason = await runCli(['held', 'reject', second, '--config', configPath]);
    expect(noReason.code).toBe(2);
    const reject = await runCli(['held', 'reject', second, '--actor', 'bob', '--reason', 'send via NHSmail', '--config', configPath]);
    expect(reject.code).toBe(0);
    const again = await runCli(['held', 'release', second, '--config', configPath]);
    expect(again.code).toBe(2);
    const deadline2 = Date.now() + 15_000;
    const rejectedNotice = () => h.upstream.messages.find((m) => m.mailFrom === '' && m.raw.toString().includes('Your held message was not sent'));
    while (!rejectedNotice() && Date.now() < deadline2) await new Promise((r) => setTimeout(r, 100));
    expect(rejectedNotice()!.raw.toString()).toContain("Reviewer's reason: send via NHSmail");
  });
});

describe('roll-out and fail-closed', () => {
  it('monitor mode records the verdict but delivers', async () => {
    const h = await startHarness({ policy: { mode: 'monitor' } });
    try {
      const reply = await send(h, ['jane.smith@gmail.com'], referral());
      expect(reply).toMatch(/^250 2\.0\.0 /);
      const [message] = await h.upstream.waitFor(1);
      expect(message!.rcptTo).toEqual(['jane.smith@gmail.com']);
      const text = await metrics(h);
      expect(text).toMatch(/mouthguard_policy_verdicts_total\{action="hold",rule="hold-identifiable-outside",mode="monitor"\} 1/);
      expect(text).toMatch(/mouthguard_policy_actions_total\{action="deliver"\} 1/);
    } finally {
      await h.stop();
    }
  });

  it('a message whose inspection runs out of time is held, never delivered unchecked', async () => {
    const h = await startHarness({ policy: { inspection: { timeout: '1ms' } } });
    try {
      const big = referral('x'.repeat(200) + '\r\n' + 'Patient: Mr John Brown, DOB 01/02/1950\r\n'.repeat(2000));
      const reply = await send(h, ['friend@example.org'], big);
      expect(reply).toMatch(/^250 2\.0\.0 /);
      await new Promise((r) => setTimeout(r, 500));
      expect(h.upstream.messages.some((m) => m.rcptTo.includes('friend@example.org'))).toBe(false);
      const text = await metrics(h);
      expect(text).toMatch(/mouthguard_policy_inspection_failures_total\{cause="inspection-timeout"\} 1/);
      expect(text).toMatch(/mouthguard_policy_held_messages\{reason="inspection-timeout"\} 1/);
    } finally {
      await h.stop();
    }
  });
});
