import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { hashPassword } from '../../src/accounts/passwords.js';
import { startRelay, type Relay } from '../../src/main.js';
import { openStore } from '../../src/store/open-store.js';
import { startHarness, TEST_PASSWORD, TEST_SENDER, TEST_USER, type Harness } from '../helpers/in-process-relay.js';
import { filesHolding } from '../helpers/data-dir.js';
import { RecordingUpstream, type RecordedMessage } from '../helpers/recording-upstream.js';
import { runCli } from '../helpers/relay-process.js';
import { rawTestConfig, tempDir, testConfig } from '../helpers/test-config.js';

/** Everything a test started, stopped afterwards even when the test fails. */
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
});

async function harness(extra: Record<string, unknown> = {}): Promise<Harness> {
  const h = await startHarness(extra);
  cleanups.push(() => h.stop());
  return h;
}

/** A relay whose upstream port has nothing listening (yet): the upstream is "down". */
interface DownRelay {
  readonly relay: Relay;
  readonly dataDir: string;
  readonly upstreamPort: number;
  port(name: 'submission' | 'plain'): number;
  stop(): Promise<void>;
}

async function relayWithUpstreamDown(extra: Record<string, unknown> = {}): Promise<DownRelay> {
  const probe = await new RecordingUpstream().start();
  const upstreamPort = probe.port;
  await probe.stop();
  const dataDir = tempDir();
  const config = testConfig(upstreamPort, dataDir, extra);
  const { store } = await openStore(config);
  await store.addAccount({ name: TEST_USER, passwordHash: await hashPassword(TEST_PASSWORD), allowedSenders: [] });
  await store.close();
  const relay = await startRelay(config, { log: pino({ level: 'silent' }), closeTimeout: 2000 });
  let stopped = false;
  const down: DownRelay = {
    relay,
    dataDir,
    upstreamPort,
    port(name) {
      const listener = relay.listeners.find((l) => l.name === name);
      if (!listener) throw new Error(`no listener ${name}`);
      return listener.port;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await relay.stop();
    },
  };
  cleanups.push(() => down.stop());
  return down;
}

function message(subject: string, to = 'orders@lab.example'): Buffer {
  return Buffer.from(
    [
      `From: Reception <${TEST_SENDER}>`,
      `To: <${to}>`,
      `Subject: ${subject}`,
      `Message-ID: <${subject.replace(/\W+/g, '-')}@practice.test>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=us-ascii',
      '',
      `Body of ${subject}.`,
      '',
    ].join('\r\n'),
  );
}

/** Submits over the plain listener (trusted network, no AUTH); returns the queue id from the 250. */
async function submit(port: number, subject: string, to: string[] = ['orders@lab.example'], from = TEST_SENDER): Promise<string> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  try {
    const info = (await transport.sendMail({ envelope: { from, to }, raw: message(subject, to[0]) })) as { response: string };
    expect(info.response).toMatch(/^250 /);
    const id = /queued as ([0-9A-Z]+)/.exec(info.response)?.[1];
    if (!id) throw new Error(`no queue id in ${info.response}`);
    return id;
  } finally {
    transport.close();
  }
}

async function scrape(adminPort: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${adminPort}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

/** Sum of a metric's samples whose label set contains `labels` (e.g. 'state="queued"'). */
function metricValue(text: string, name: string, labels = ''): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name || !(m[2] ?? '').includes(labels)) continue;
    sum += Number(m[3]);
  }
  return sum;
}

/** Polls `check` until it returns true, or fails after `timeoutMs`. */
async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await sleep(50);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Whether a message's bytes are still at rest anywhere in the data directory (spool file, database or its log). */
function atRest(dataDir: string, subject: string): boolean {
  return filesHolding(dataDir, `Subject: ${subject}\r\n`).length > 0;
}

function subjectOf(m: RecordedMessage): string | undefined {
  return /^Subject: (.*)$/m.exec(m.raw.toString('latin1'))?.[1]?.trim();
}

const bounces = (m: RecordedMessage) => m.mailFrom === '';

/** The checks every DSN to the sender must pass; returns the raw text for specific ones. */
function expectDsn(dsn: RecordedMessage, sender: string): string {
  expect(dsn.mailFrom).toBe('');
  expect(dsn.rcptTo).toEqual([sender]);
  const text = dsn.raw.toString('latin1');
  expect(text).toMatch(/^Content-Type: multipart\/report; report-type=delivery-status;/m);
  expect(text).toMatch(/^Content-Type: message\/delivery-status\r$/m);
  expect(text).toMatch(/^Content-Type: text\/rfc822-headers\r$/m);
  expect(text).toMatch(new RegExp(`^To: <${sender.replace(/\./g, '\\.')}>\r$`, 'm'));
  return text;
}

/** The message/delivery-status part (up to the next boundary). */
function statusPart(text: string): string {
  const start = text.indexOf('Content-Type: message/delivery-status');
  expect(start).toBeGreaterThan(0);
  const end = text.indexOf('\r\n--mouthguard-dsn-', start);
  return text.slice(start, end);
}

/** The text/rfc822-headers part. */
function headersPart(text: string): string {
  const start = text.indexOf('Content-Type: text/rfc822-headers');
  expect(start).toBeGreaterThan(0);
  return text.slice(start, text.indexOf('\r\n--mouthguard-dsn-', start));
}

describe('delivery when the upstream is down', () => {
  it('keeps messages queued while the upstream is unreachable and delivers each exactly once when it is back', async () => {
    const r = await relayWithUpstreamDown();
    const subjects = ['Down 1', 'Down 2', 'Down 3'];
    const ids: string[] = [];
    for (const s of subjects) ids.push(await submit(r.port('plain'), s));
    expect(new Set(ids).size).toBe(3);

    // Each message is tried (connection refused → deferred) and stays queued.
    await eventually('3 deferred attempts', async () => {
      const m = await scrape(r.relay.adminPort);
      return metricValue(m, 'mouthguard_delivery_attempts_total', 'result="deferred"') >= 3;
    });
    const during = await scrape(r.relay.adminPort);
    expect(metricValue(during, 'mouthguard_queue_messages', 'state="queued"')).toBe(3);
    expect(metricValue(during, 'mouthguard_queue_messages', 'state="delivered"')).toBe(0);
    expect(metricValue(during, 'mouthguard_queue_messages', 'state="bounced"')).toBe(0);
    expect(metricValue(during, 'mouthguard_delivery_attempts_total', 'result="delivered"')).toBe(0);
    for (const s of subjects) expect(atRest(r.dataDir, s), s).toBe(true);

    const upstream = await new RecordingUpstream().start(r.upstreamPort);
    // Stopped after the relay: the relay's pooled connections keep an smtp-server from closing.
    cleanups.unshift(() => upstream.stop());
    await upstream.waitFor(3, 20_000);
    // Give duplicate deliveries a chance to show up before counting.
    await eventually('queue drained', async () => {
      const m = await scrape(r.relay.adminPort);
      return metricValue(m, 'mouthguard_queue_messages', 'state="delivered"') === 3;
    });
    await sleep(1000);
    expect(upstream.messages).toHaveLength(3);
    expect(upstream.messages.map(subjectOf).sort()).toEqual(subjects);
    for (const m of upstream.messages) {
      expect(m.mailFrom).toBe(TEST_SENDER);
      expect(m.rcptTo).toEqual(['orders@lab.example']);
    }
    const after = await scrape(r.relay.adminPort);
    expect(metricValue(after, 'mouthguard_queue_messages', 'state="queued"')).toBe(0);
    expect(metricValue(after, 'mouthguard_delivery_bounces_total')).toBe(0);
    await eventually('no body left at rest', () => subjects.every((s) => !atRest(r.dataDir, s)), 5000);
  });
});

describe('temporary and permanent upstream failures', () => {
  it('retries after a 451 at DATA and delivers the message exactly once', async () => {
    const h = await harness();
    let refusals = 0;
    h.upstream.behaviour = {
      data: () => {
        if (refusals > 0) return null;
        refusals++;
        return '451 4.3.0 try later';
      },
    };
    await submit(h.port('plain'), 'Retry me');
    const [delivered] = await h.upstream.waitFor(1, 15_000);
    expect(refusals).toBe(1);
    expect(subjectOf(delivered!)).toBe('Retry me');
    expect(delivered!.mailFrom).toBe(TEST_SENDER);
    await sleep(1000);
    expect(h.upstream.messages).toHaveLength(1);
    const m = await scrape(h.relay.adminPort);
    expect(metricValue(m, 'mouthguard_delivery_attempts_total', 'result="deferred"')).toBe(1);
    expect(metricValue(m, 'mouthguard_delivery_attempts_total', 'result="delivered"')).toBe(1);
    expect(metricValue(m, 'mouthguard_delivery_bounces_total')).toBe(0);
  });

  it('delivers to the accepted recipient and sends the sender a DSN for the one refused at RCPT', async () => {
    const h = await harness();
    h.upstream.behaviour = { rcpt: (addr) => (addr === 'nobody@lab.example' ? '550 5.1.1 no such user here' : null) };
    const id = await submit(h.port('plain'), 'Half refused', ['orders@lab.example', 'nobody@lab.example']);

    await h.upstream.waitFor(2, 15_000);
    const original = h.upstream.messages.find((m) => !bounces(m))!;
    const dsn = h.upstream.messages.find(bounces)!;
    expect(original).toBeDefined();
    expect(original.mailFrom).toBe(TEST_SENDER);
    expect(original.rcptTo).toEqual(['orders@lab.example']);
    expect(subjectOf(original)).toBe('Half refused');

    expect(dsn).toBeDefined();
    const text = expectDsn(dsn, TEST_SENDER);
    const status = statusPart(text);
    expect(status).toMatch(/^Final-Recipient: rfc822; nobody@lab\.example\r$/m);
    expect(status).not.toMatch(/orders@lab\.example/);
    expect(status).toMatch(/^Action: failed\r$/m);
    expect(status).toMatch(/^Status: 5\.1\.1\r$/m);
    expect(status).toMatch(/^Diagnostic-Code: smtp; 550 5\.1\.1 .*no such user here/m);
    expect(status).toMatch(/^Reporting-MTA: dns; relay\.test\r$/m);
    const headers = headersPart(text);
    expect(headers).toMatch(/^Subject: Half refused\r$/m);
    expect(headers).toMatch(/^Message-ID: <Half-refused@practice\.test>\r$/m);
    expect(text).toContain(`Queue id: ${id}`);
    expect(text).toMatch(/^From: Mail Delivery System <postmaster@practice\.test>\r$/m);
    expect(text).toMatch(/^Auto-Submitted: auto-replied\r$/m);

    await sleep(1000);
    expect(h.upstream.messages).toHaveLength(2);
    const m = await scrape(h.relay.adminPort);
    expect(metricValue(m, 'mouthguard_delivery_bounces_total', 'cause="rejected"')).toBe(1);
    expect(metricValue(m, 'mouthguard_queue_messages', 'state="bounced"')).toBe(1);
    expect(metricValue(m, 'mouthguard_queue_messages', 'state="delivered"')).toBe(1);
    expect(metricValue(m, 'mouthguard_queue_messages', 'state="queued"')).toBe(0);
  });

  it('sends a DSN naming every recipient when the upstream refuses the message after DATA', async () => {
    const h = await harness();
    h.upstream.behaviour = { data: (msg) => (msg.mailFrom === '' ? null : '554 5.6.0 content refused by policy') };
    await submit(h.port('plain'), 'Refused after data', ['a@lab.example', 'b@lab.example']);

    const [dsn] = await h.upstream.waitFor(1, 15_000);
    const text = expectDsn(dsn!, TEST_SENDER);
    const status = statusPart(text);
    for (const addr of ['a@lab.example', 'b@lab.example']) {
      expect(status).toContain(`Final-Recipient: rfc822; ${addr}\r\n`);
    }
    expect(status.match(/^Action: failed\r$/gm)).toHaveLength(2);
    expect(status.match(/^Status: 5\.6\.0\r$/gm)).toHaveLength(2);
    expect(status.match(/^Diagnostic-Code: smtp; 554 5\.6\.0 .*content refused by policy/gm)).toHaveLength(2);
    expect(headersPart(text)).toMatch(/^Subject: Refused after data\r$/m);

    await sleep(1000);
    expect(h.upstream.messages).toHaveLength(1);
    const m = await scrape(h.relay.adminPort);
    expect(metricValue(m, 'mouthguard_delivery_bounces_total', 'cause="rejected"')).toBe(2);
    expect(metricValue(m, 'mouthguard_queue_messages', 'state="bounced"')).toBe(1);
  });

  it('never bounces a bounce: a DSN the upstream refuses generates nothing more', async () => {
    const h = await harness();
    let dsnAttempts = 0;
    h.upstream.behaviour = {
      rcpt: (addr) => (addr === 'nobody@lab.example' ? '550 5.1.1 no such user' : null),
      data: (msg) => {
        if (msg.mailFrom !== '') return null;
        dsnAttempts++;
        return '550 5.7.1 we do not take bounces';
      },
    };
    await submit(h.port('plain'), 'Doomed', ['nobody@lab.example']);

    await eventually('the DSN is attempted', () => dsnAttempts >= 1);
    const first = await scrape(h.relay.adminPort);
    const bouncesAtFirst = metricValue(first, 'mouthguard_delivery_bounces_total');
    expect(bouncesAtFirst).toBe(1);

    // Several poll intervals and retry delays later: no second DSN, no retry of the refused one.
    await sleep(2000);
    expect(dsnAttempts).toBe(1);
    expect(h.upstream.messages).toHaveLength(0);
    const later = await scrape(h.relay.adminPort);
    expect(metricValue(later, 'mouthguard_delivery_bounces_total')).toBe(bouncesAtFirst);
    expect(metricValue(later, 'mouthguard_queue_messages', 'state="queued"')).toBe(0);
    // The original and its DSN both end as bounced.
    expect(metricValue(later, 'mouthguard_queue_messages', 'state="bounced"')).toBe(2);
    await eventually('no body left at rest', () => !atRest(h.dataDir, 'Doomed'), 5000);
  });

  it('bounces a message still deferred after maxAge with Status 4.4.7, and delivers that DSN', async () => {
    const h = await harness({ delivery: { retry: { initialDelay: '100ms', maxDelay: '200ms', maxAge: '1s' } } });
    let deferrals = 0;
    h.upstream.behaviour = {
      data: (msg) => {
        if (msg.mailFrom === '') return null;
        deferrals++;
        return '451 4.3.0 try later';
      },
    };
    await submit(h.port('plain'), 'Too slow', ['orders@lab.example']);

    const [dsn] = await h.upstream.waitFor(1, 15_000);
    expect(deferrals).toBeGreaterThanOrEqual(2);
    const text = expectDsn(dsn!, TEST_SENDER);
    const status = statusPart(text);
    expect(status).toMatch(/^Final-Recipient: rfc822; orders@lab\.example\r$/m);
    expect(status).toMatch(/^Action: failed\r$/m);
    expect(status).toMatch(/^Status: 4\.4\.7\r$/m);
    expect(status).toMatch(/^Diagnostic-Code: smtp; 451 4\.3\.0 .*try later/m);
    expect(headersPart(text)).toMatch(/^Subject: Too slow\r$/m);

    const attemptsAtBounce = deferrals;
    await sleep(1000);
    expect(deferrals).toBe(attemptsAtBounce);
    expect(h.upstream.messages).toHaveLength(1);
    const m = await scrape(h.relay.adminPort);
    expect(metricValue(m, 'mouthguard_delivery_bounces_total', 'cause="expired"')).toBe(1);
    expect(metricValue(m, 'mouthguard_queue_messages', 'state="queued"')).toBe(0);
  });
});

describe('when the store cannot record a delivery', () => {
  it('records the upstream\'s 250 once the store is back, within the lease: no silent stall, no second copy', { timeout: 60_000 }, async () => {
    const h = await harness();
    let holder: Database.Database | null = null;
    const unlock = () => {
      holder?.prepare('ROLLBACK').run();
      holder?.close();
      holder = null;
    };
    cleanups.push(() => Promise.resolve(unlock()));
    // The upstream takes the message; before it answers, the store becomes unwritable: the test
    // holds the database's write lock for longer than the relay waits for it (5 s).
    h.upstream.behaviour = {
      beforeReply: () => {
        holder = new Database(join(h.dataDir, 'mouthguard.db'));
        holder.prepare('BEGIN IMMEDIATE').run();
        return Promise.resolve();
      },
    };
    const id = await submit(h.port('plain'), 'Record me');
    await h.upstream.waitFor(1, 15_000);
    await eventually(
      'a failed record of the attempt',
      async () => metricValue(await scrape(h.relay.adminPort), 'mouthguard_store_errors_total', 'operation="record_attempt"') >= 1,
      20_000,
    );
    unlock();
    // Recorded at the next try, seconds later: not after the 10-minute lease, and not sent again.
    await eventually('the attempt recorded', async () => metricValue(await scrape(h.relay.adminPort), 'mouthguard_queue_messages', 'state="delivered"') === 1, 20_000);
    await sleep(1000);
    expect(h.upstream.messages.filter((m) => subjectOf(m) === 'Record me')).toHaveLength(1);
    const { store } = await openStore(h.config);
    try {
      expect(await store.getMessage(id)).toMatchObject({ state: 'delivered', attempts: 1 });
    } finally {
      await store.close();
    }
  });
});

describe('message bodies at rest', () => {
  it('are deleted once a message is delivered, and once it has bounced', async () => {
    const h = await harness();
    h.upstream.behaviour = {
      data: (msg) => (msg.mailFrom !== '' && /^Subject: Bounce me/m.test(msg.raw.toString('latin1')) ? '554 5.6.0 no' : null),
    };
    expect(existsSync(join(h.dataDir, 'spool'))).toBe(true);

    await submit(h.port('plain'), 'Deliver me');
    await h.upstream.waitFor(1, 15_000);
    await eventually('no body at rest after delivery', () => !atRest(h.dataDir, 'Deliver me'), 5000);

    await submit(h.port('plain'), 'Bounce me');
    await h.upstream.waitFor(2, 15_000);
    expect(h.upstream.messages[1]!.mailFrom).toBe('');
    // The DSN quotes the original's header section: both must go.
    await eventually('no body at rest after the bounce and its DSN', () => !atRest(h.dataDir, 'Bounce me'), 5000);
    const m = await scrape(h.relay.adminPort);
    expect(metricValue(m, 'mouthguard_queue_messages', 'state="queued"')).toBe(0);
  });
});

describe('queue CLI on the data directory of a stopped relay', () => {
  function writeCliConfig(upstreamPort: number, dataDir: string): string {
    const path = join(tempDir('mouthguard-cli-'), 'mouthguard.yaml');
    writeFileSync(path, stringify(rawTestConfig(upstreamPort, dataDir)));
    return path;
  }

  it('lists delivered messages and shows their recipients and replies', async () => {
    const h = await harness();
    h.upstream.behaviour = { rcpt: (addr) => (addr === 'nobody@lab.example' ? '550 5.1.1 no such user' : null) };
    const delivered = [await submit(h.port('plain'), 'CLI one'), await submit(h.port('plain'), 'CLI two')];
    const bounced = await submit(h.port('plain'), 'CLI three', ['orders@lab.example', 'nobody@lab.example']);
    await h.upstream.waitFor(4, 15_000); // 3 originals + 1 DSN
    await eventually('all final', async () => {
      const m = await scrape(h.relay.adminPort);
      return metricValue(m, 'mouthguard_queue_messages', 'state="queued"') === 0;
    });
    const upstreamPort = h.upstream.port;
    await h.stop();
    cleanups.pop(); // stopped already

    const config = writeCliConfig(upstreamPort, h.dataDir);
    const list = await runCli(['queue', 'list', '--state', 'delivered', '--config', config]);
    expect(list.code, list.stderr).toBe(0);
    for (const id of delivered) expect(list.stdout).toContain(id);
    expect(list.stdout).not.toContain(bounced);
    // The DSN was delivered too, so delivered holds the two originals and the DSN.
    expect(list.stdout.trim().split('\n')).toHaveLength(3);

    const json = await runCli(['queue', 'list', '--state', 'bounced', '--json', '--config', config]);
    expect(json.code, json.stderr).toBe(0);
    const bouncedList = JSON.parse(json.stdout) as { id: string; state: string }[];
    expect(bouncedList.map((m) => m.id)).toEqual([bounced]);

    const show = await runCli(['queue', 'show', bounced, '--config', config]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain(bounced);
    expect(show.stdout).toMatch(/state:\s+bounced/);
    expect(show.stdout).toContain(`<${TEST_SENDER}>`);
    expect(show.stdout).toMatch(/orders@lab\.example\s+delivered\s+250\b/);
    expect(show.stdout).toMatch(/nobody@lab\.example\s+failed\s+550 5\.1\.1 .*no such user/);

    const showDelivered = await runCli(['queue', 'show', delivered[0]!, '--config', config]);
    expect(showDelivered.code, showDelivered.stderr).toBe(0);
    expect(showDelivered.stdout).toMatch(/state:\s+delivered/);
    expect(showDelivered.stdout).toMatch(/orders@lab\.example\s+delivered\s+250\b/);

    const nope = await runCli(['queue', 'show', 'NOPE', '--config', config]);
    expect(nope.code).toBe(2);
    expect(nope.stderr).toMatch(/no message NOPE/);
  });

  it('neither retries nor deletes a message while it is being delivered: no second copy, no false "deleted"', async () => {
    const h = await harness();
    let arrived = false;
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    cleanups.push(() => Promise.resolve(answer())); // runs before the relay stops, even if an assertion fails
    h.upstream.behaviour = {
      beforeReply: () => {
        arrived = true;
        return answered;
      },
    };
    const id = await submit(h.port('plain'), 'In flight');
    await eventually('the upstream holds the message before answering', () => arrived);
    const config = writeCliConfig(h.upstream.port, h.dataDir);

    const shownInFlight = await runCli(['queue', 'show', id, '--config', config]);
    expect(shownInFlight.stdout).toMatch(/^state: +queued \(being delivered now; the attempt holds it until \S+ at most\)$/m);
    expect((await runCli(['queue', 'list', '--config', config])).stdout).toMatch(new RegExp(`^${id} +sending `, 'm'));
    const retry = await runCli(['queue', 'retry', id, '--config', config]);
    expect(retry.code, retry.stderr).toBe(0);
    expect(retry.stdout).toContain(`${id} is being delivered now; nothing changed`);
    const del = await runCli(['queue', 'delete', id, '--config', config]);
    expect(del.code).toBe(2);
    expect(del.stderr).toContain(`${id} is being delivered now and cannot be deleted`);

    answer();
    await h.upstream.waitFor(1);
    await eventually('the attempt recorded', async () => {
      const shown = await runCli(['queue', 'show', id, '--json', '--config', config]);
      return (JSON.parse(shown.stdout) as { state: string }).state === 'delivered';
    });
    // A poll or two later there is still one copy: the retry made nothing due.
    await sleep(1500);
    expect(h.upstream.messages.filter((m) => subjectOf(m) === 'In flight')).toHaveLength(1);
  });

  it('a command that cannot get the database\'s write lock in 5 s says what holds it up', { timeout: 30_000 }, async () => {
    const r = await relayWithUpstreamDown();
    const id = await submit(r.port('plain'), 'Locked out');
    await r.stop();
    const holder = spawn(
      process.execPath,
      ['-e', `const D = require('better-sqlite3'); const db = new D(${JSON.stringify(join(r.dataDir, 'mouthguard.db'))}); db.prepare('BEGIN IMMEDIATE').run(); console.log('locked'); setTimeout(() => db.close(), 9000);`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    cleanups.push(async () => {
      holder.kill();
      await once(holder, 'exit').catch(() => undefined);
    });
    await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
    const retry = await runCli(['queue', 'retry', id, '--config', writeCliConfig(r.upstreamPort, r.dataDir)]);
    expect(retry.code).toBe(1);
    expect(retry.stderr).toContain('the database stayed locked for 5 s (another mouthguard command, an import or a backup holds its write lock)');
  });

  it('a lease left by a relay that is no longer running does not block retry or delete', async () => {
    const r = await relayWithUpstreamDown();
    const id = await submit(r.port('plain'), 'Orphaned lease');
    await r.stop();
    // As if a relay had leased it and was then killed: its lease would hold for 10 minutes.
    const { store } = await openStore(testConfig(r.upstreamPort, r.dataDir));
    try {
      expect(await store.leaseDue('relay-killed', 10, 600_000, Date.now() + 3_600_000)).toHaveLength(1); // past its backoff
    } finally {
      await store.close();
    }
    const config = writeCliConfig(r.upstreamPort, r.dataDir);
    // Not "being delivered": no relay runs on this data directory.
    const shown = await runCli(['queue', 'show', id, '--config', config]);
    expect(shown.stdout).toMatch(/^state: +queued \(leased by a relay that is no longer running: released when one starts, or by queue retry\)$/m);
    expect((await runCli(['queue', 'list', '--config', config])).stdout).toMatch(new RegExp(`^${id} +queued `, 'm'));
    const retry = await runCli(['queue', 'retry', id, '--config', config]);
    expect(retry.code, retry.stderr).toBe(0);
    expect(retry.stdout).toContain(`${id} is due now`);
  });

  it('retries and deletes a message left queued; deleting leaves no trace of its body', async () => {
    const r = await relayWithUpstreamDown();
    const id = await submit(r.port('plain'), 'Stuck');
    await eventually('a deferred attempt', async () => {
      const m = await scrape(r.relay.adminPort);
      return metricValue(m, 'mouthguard_delivery_attempts_total', 'result="deferred"') >= 1;
    });
    await r.stop();
    expect(atRest(r.dataDir, 'Stuck')).toBe(true);

    const config = writeCliConfig(r.upstreamPort, r.dataDir);
    const list = await runCli(['queue', 'list', '--config', config]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain(id);
    expect(list.stdout).toMatch(/queued/);

    const show = await runCli(['queue', 'show', id, '--config', config]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/state:\s+queued/);
    expect(show.stdout).toMatch(/orders@lab\.example\s+pending/);
    expect(show.stdout).toMatch(/last error:\s+\S/);
    expect(show.stdout).not.toMatch(/last error:\s+-$/m);

    const retry = await runCli(['queue', 'retry', id, '--config', config]);
    expect(retry.code, retry.stderr).toBe(0);
    expect(retry.stdout).toContain(`${id} is due now`);

    const del = await runCli(['queue', 'delete', id, '--config', config]);
    expect(del.code, del.stderr).toBe(0);
    expect(atRest(r.dataDir, 'Stuck')).toBe(false);

    const shown = await runCli(['queue', 'show', id, '--json', '--config', config]);
    expect(shown.code, shown.stderr).toBe(0);
    expect((JSON.parse(shown.stdout) as { state: string }).state).toBe('deleted');
    // Its recipients were never sent to: not "pending" any more.
    const listedDeleted = await runCli(['queue', 'list', '--state', 'deleted', '--config', config]);
    expect(listedDeleted.stdout).toMatch(/\(not sent\)/);
    expect(listedDeleted.stdout).not.toMatch(/\(pending\)/);

    // Neither retry nor delete applies to a message that is no longer queued.
    const again = await runCli(['queue', 'delete', id, '--config', config]);
    expect(again.code).toBe(2);
    const nope = await runCli(['queue', 'show', 'NOPE', '--config', config]);
    expect(nope.code).toBe(2);

    // Usage mistakes are named, before any configuration is read.
    const badLimit = await runCli(['queue', 'list', '--limit', 'abc', '--config', config]);
    expect(badLimit.code).toBe(2);
    expect(badLimit.stderr).toContain('--limit abc: expected a whole number from 1 to 100000');
    // Options the argument parser refuses are usage mistakes too (rc 2).
    for (const args of [['queue', 'list', '--bogus'], ['queue', 'list', '--limit', '-1']]) {
      const parsed = await runCli([...args, '--config', config]);
      expect(parsed.code, args.join(' ')).toBe(2);
    }
    for (const args of [['queue'], ['queue', 'show'], ['queue', 'show', id, 'extra'], ['queue', 'frobnicate']]) {
      const usage = await runCli([...args, '--config', join(tempDir('mouthguard-none-'), 'missing.yaml')]);
      expect(usage.code, args.join(' ')).toBe(2);
      expect(usage.stderr, args.join(' ')).toContain('mouthguard queue list [--state queued|held|');
    }
  });
});
