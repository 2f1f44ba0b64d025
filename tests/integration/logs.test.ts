import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordingUpstream } from '../helpers/recording-upstream.js';
import { startRelayProcess, stopRelayProcess, type RelayProcess } from '../helpers/relay-process.js';
import { SmtpTalk } from '../helpers/smtp-talk.js';
import { PRACTICE_DOMAIN, rawTestConfig, tempDir } from '../helpers/test-config.js';

const started: { relay?: RelayProcess; upstream?: RecordingUpstream; talk?: SmtpTalk } = {};
afterEach(async () => {
  started.talk?.close();
  if (started.relay) await stopRelayProcess(started.relay);
  await started.upstream?.stop();
});

interface LogLine {
  readonly event?: string;
  readonly id?: string;
  readonly [field: string]: unknown;
}

function lines(output: string): LogLine[] {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);
}

describe('logs (JSON lines on stdout)', () => {
  it('give one summary line per received message and per delivery attempt, with the reply behind the result and no content', { timeout: 60_000 }, async () => {
    const upstream = await new RecordingUpstream().start();
    started.upstream = upstream;
    // One recipient is taken, the other deferred: the attempt's line must carry the deferral's reply.
    upstream.behaviour = { rcpt: (address) => (address.startsWith('later') ? '451 4.2.1 mailbox busy, try again' : null) };
    const work = tempDir();
    const relay = await startRelayProcess(
      rawTestConfig(upstream.port, join(work, 'data'), { delivery: { retry: { initialDelay: '1h', maxDelay: '1h' } } }),
      work,
    );
    started.relay = relay;

    const talk = await SmtpTalk.open(relay.port('plain'));
    started.talk = talk;
    await talk.expect(/^220 /);
    await talk.line('EHLO client.test').expect(/^250[ -]/);
    await talk.line(`MAIL FROM:<reception@${PRACTICE_DOMAIN}>`).expect(/^250 /);
    await talk.line('RCPT TO:<orders@lab.example>').expect(/^250 /);
    await talk.line('RCPT TO:<later@lab.example>').expect(/^250 /);
    await talk.line('DATA').expect(/^354 /);
    const body = [`From: <reception@${PRACTICE_DOMAIN}>`, 'To: <orders@lab.example>', 'Subject: SUBJECT-SECRET-5521', '', 'BODY-SECRET-7731', '.', ''].join('\r\n');
    const queued = await talk.send(body).expect(/^250 2\.0\.0 /);
    const id = /queued as (\S+)/.exec(queued)![1]!;
    await upstream.waitFor(1, 15_000);

    const deadline = Date.now() + 15_000;
    while (!lines(relay.output()).some((l) => l.event === 'delivery' && l.id === id) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const mine = lines(relay.output()).filter((l) => l.id === id);
    const received = mine.filter((l) => l.event === 'received');
    const delivery = mine.filter((l) => l.event === 'delivery');
    expect(received, relay.output()).toHaveLength(1);
    expect(received[0]).toMatchObject({ result: 'queued', verdict: 'deliver', size: Buffer.byteLength(body) - 3, rcpts: 2 });
    expect(typeof received[0]!.ms).toBe('number');
    expect(delivery, relay.output()).toHaveLength(1);
    expect(delivery[0]).toMatchObject({ result: 'deferred', rcpts: 2, delivered: 1, failed: 0, attempt: 1 });
    expect(delivery[0]!.upstream).toMatch(/^451 4\.2\.1 mailbox busy/);
    expect(typeof delivery[0]!.ms).toBe('number');

    // Nothing of the content: not the body, not the subject.
    expect(relay.output()).not.toContain('BODY-SECRET-7731');
    expect(relay.output()).not.toContain('SUBJECT-SECRET-5521');
  });
});
