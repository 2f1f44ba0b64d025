import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { filesHolding } from '../helpers/data-dir.js';
import { RecordingUpstream, type RecordedMessage } from '../helpers/recording-upstream.js';
import { startRelayProcess, type RelayProcess } from '../helpers/relay-process.js';
import { SmtpTalk } from '../helpers/smtp-talk.js';
import { PRACTICE_DOMAIN, rawTestConfig, tempDir } from '../helpers/test-config.js';

const SENDER = `reception@${PRACTICE_DOMAIN}`;
const RECIPIENT = 'lab@example.org';

// Everything a test starts, so that afterEach can stop it (processes by PID only).
const relays: RelayProcess[] = [];
const upstreams: { stop(): Promise<void> }[] = [];
const talks: SmtpTalk[] = [];

afterEach(async () => {
  for (const talk of talks.splice(0)) talk.close();
  for (const relay of relays.splice(0)) {
    const { child } = relay;
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      process.kill(child.pid, 'SIGKILL');
      await withTimeout(relay.exited, 10_000, 'relay did not die after SIGKILL');
    }
  }
  for (const upstream of upstreams.splice(0)) await upstream.stop();
});

async function startUpstream(): Promise<RecordingUpstream> {
  const upstream = await new RecordingUpstream().start();
  upstreams.push(upstream);
  return upstream;
}

async function startRelay(raw: Record<string, unknown>, dir: string): Promise<RelayProcess> {
  const relay = await startRelayProcess(raw, dir);
  relays.push(relay);
  return relay;
}

async function openTalk(port: number): Promise<SmtpTalk> {
  const talk = await SmtpTalk.open(port);
  talks.push(talk);
  return talk;
}

function pidOf(relay: RelayProcess): number {
  const pid = relay.child.pid;
  if (pid === undefined) throw new Error('relay process has no pid');
  return pid;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} (after ${ms} ms)`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls until `check` is true, or throws after `timeoutMs`. */
async function until(check: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what()}`);
    await sleep(25);
  }
}

function subjectOf(message: RecordedMessage): string {
  return /^Subject: ([^\r\n]*)\r?$/m.exec(message.raw.toString('latin1'))?.[1] ?? '(none)';
}

function messageText(subject: string): string {
  return [
    `From: Reception <${SENDER}>`,
    `To: Lab <${RECIPIENT}>`,
    `Subject: ${subject}`,
    `Message-ID: <${subject}@${PRACTICE_DOMAIN}>`,
    '',
    `Body of ${subject}.`,
    '',
  ].join('\r\n');
}

/**
 * An upstream for the kill -9 test. RecordingUpstream (tests/helpers) has no 'error' listener
 * on its smtp-server, so a relay killed in the middle of an upstream transaction (ECONNRESET
 * after MAIL FROM) becomes an unhandled error in the test process. This one records subjects,
 * refuses DATA with 451 while `failing`, and ignores connection errors.
 */
class KillTolerantUpstream {
  readonly subjects: string[] = [];
  readonly bodies = new Map<string, string>();
  failing = false;
  port = 0;
  readonly #server = new SMTPServer({
    authOptional: true,
    disableReverseLookup: true,
    hideSTARTTLS: true,
    logger: false,
    onData: (stream, _session, cb) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (this.failing) {
          const err = new Error('4.3.0 later') as Error & { responseCode: number };
          err.responseCode = 451;
          return cb(err);
        }
        const raw = Buffer.concat(chunks).toString('latin1');
        const subject = /^Subject: ([^\r\n]*)\r?$/m.exec(raw)?.[1] ?? '(none)';
        this.subjects.push(subject);
        this.bodies.set(subject, raw);
        cb(null, 'recorded');
      });
    },
  });

  async start(): Promise<this> {
    this.#server.on('error', () => undefined); // the relay was killed mid-transaction
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server.server, 'listening');
    this.port = (this.#server.server.address() as AddressInfo).port;
    upstreams.push(this);
    return this;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/** Starts an SMTP transaction on the plain (trusted) listener, up to the 354 after DATA. */
async function beginTransaction(port: number): Promise<SmtpTalk> {
  const talk = await openTalk(port);
  await talk.expect(/^220 /);
  await talk.line('EHLO client.test').expect(/^250[ -]/);
  await talk.line(`MAIL FROM:<${SENDER}>`).expect(/^250 /);
  await talk.line(`RCPT TO:<${RECIPIENT}>`).expect(/^250 /);
  await talk.line('DATA').expect(/^354 /);
  return talk;
}

/** What a new client gets: 'refused' (no TCP connection), or the first reply line. */
async function newConnectionOutcome(port: number): Promise<string> {
  let talk: SmtpTalk;
  try {
    talk = await SmtpTalk.open(port);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ECONNREFUSED' || code === 'ECONNRESET') return 'refused';
    throw err;
  }
  try {
    return await talk.reply(10_000);
  } catch {
    return 'refused'; // accepted by the kernel, then closed without a greeting
  } finally {
    talk.close();
  }
}

/**
 * One client on one connection: sends messages with unique subjects in a loop until the
 * first error (the relay died) or `stop.now`; records every subject that was answered 250.
 */
async function sender(port: number, index: number, acked: string[], attempted: Set<string>, stop: { now: boolean }): Promise<void> {
  let talk: SmtpTalk | undefined;
  try {
    talk = await openTalk(port);
    await talk.expect(/^220 /);
    await talk.line('EHLO sender.test').expect(/^250[ -]/);
    for (let n = 0; n < 5000 && !stop.now; n++) {
      const subject = `crash-${index}-${n}`;
      await talk.line(`MAIL FROM:<${SENDER}>`).expect(/^250 /);
      await talk.line(`RCPT TO:<${RECIPIENT}>`).expect(/^250 /);
      await talk.line('DATA').expect(/^354 /);
      attempted.add(subject);
      const reply = await talk.send(`${messageText(subject)}.\r\n`).reply(15_000);
      if (!/^250 /.test(reply)) return;
      acked.push(subject);
    }
  } catch {
    // The relay was killed: this sender stops at its first error.
  } finally {
    talk?.close();
  }
}

async function readyz(adminPort: number): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`http://127.0.0.1:${adminPort}/readyz`, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: await res.json() };
}

describe('kill -9 in the middle of a load', () => {
  it('loses no message that was answered 250: the restarted relay delivers them all', { timeout: 90_000 }, async () => {
    const SENDERS = 8;
    const DELIVERY_CONCURRENCY = 8;
    const upstream = await new KillTolerantUpstream().start();
    const work = tempDir();
    const dataDir = join(work, 'data');
    // Retries 1 s apart, so that messages refused while the upstream fails are still queued at the kill.
    const raw = rawTestConfig(upstream.port, dataDir, {
      delivery: { concurrency: DELIVERY_CONCURRENCY, retry: { initialDelay: '1s', maxDelay: '2s' } },
    });
    const first = await startRelay(raw, work);
    const firstPid = pidOf(first);

    // Upstream timeline: accepts, then refuses with 451 from 0.3 s to 1.2 s, accepts again; kill at 1.5 s.

    const acked: string[] = [];
    const attempted = new Set<string>();
    const stop = { now: false };
    const plainPort = first.port('plain');
    const senders = Array.from({ length: SENDERS }, (_, i) => sender(plainPort, i, acked, attempted, stop));

    await sleep(300);
    upstream.failing = true;
    await sleep(900);
    upstream.failing = false;
    await sleep(300);
    const deliveredBeforeKill = new Set(upstream.subjects);
    const ackedBeforeKill = acked.length;
    process.kill(firstPid, 'SIGKILL');
    expect(await withTimeout(first.exited, 10_000, 'relay did not die')).toBe('SIGKILL');
    stop.now = true;
    await withTimeout(Promise.all(senders), 20_000, 'senders did not stop after the kill');

    // The test is only meaningful if some acknowledged messages were not delivered at the kill.
    const pendingAtKill = acked.slice(0, ackedBeforeKill).filter((s) => !deliveredBeforeKill.has(s));
    expect(acked.length).toBeGreaterThan(0);
    expect(pendingAtKill.length).toBeGreaterThan(0);

    // kill -9 leaves the pid lock behind; the restarted relay takes it over.
    expect(readFileSync(join(dataDir, 'relay.pid'), 'utf8').trim()).toBe(String(firstPid));
    const second = await startRelay(raw, work);
    expect(readFileSync(join(dataDir, 'relay.pid'), 'utf8').trim()).toBe(String(pidOf(second)));

    const missing = () => {
      const delivered = new Set(upstream.subjects);
      return acked.filter((s) => !delivered.has(s));
    };
    await until(
      () => missing().length === 0,
      45_000,
      () => `${missing().length} of ${acked.length} acknowledged messages never reached the upstream, e.g. ${missing().slice(0, 5).join(', ')}`,
    );

    const counts = new Map<string, number>();
    for (const subject of upstream.subjects) counts.set(subject, (counts.get(subject) ?? 0) + 1);
    // Nothing arrives that no client sent, and each message is intact.
    for (const [subject, raw] of upstream.bodies) {
      expect(attempted.has(subject), `unexpected message ${subject}`).toBe(true);
      expect(raw).toContain(`\r\n\r\nBody of ${subject}.\r\n`);
    }
    // Only deliveries in flight at the kill may arrive twice.
    const duplicates = [...counts.values()].filter((c) => c > 1).length;
    expect(duplicates).toBeLessThanOrEqual(DELIVERY_CONCURRENCY);

    const ready = await readyz(second.adminPort);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ ready: true });

    process.kill(pidOf(second), 'SIGTERM');
    expect(await withTimeout(second.exited, 30_000, 'restarted relay did not stop on SIGTERM')).toBe(0);
  });
});

describe('SIGTERM', () => {
  it('finishes the transaction in progress, delivers it, refuses new clients, then exits 0', { timeout: 60_000 }, async () => {
    const upstream = await startUpstream();
    const work = tempDir();
    const dataDir = join(work, 'data');
    const relay = await startRelay(rawTestConfig(upstream.port, dataDir), work);
    const port = relay.port('plain');

    const talk = await beginTransaction(port);
    const text = messageText('graceful-1');
    const half = Math.floor(text.length / 2);
    talk.send(text.slice(0, half));
    await sleep(100);

    process.kill(pidOf(relay), 'SIGTERM');
    await until(
      () => relay.output().includes('"relay_stopping"'),
      10_000,
      () => `no relay_stopping in the log:\n${relay.output()}`,
    );
    expect(relay.child.exitCode).toBeNull();

    const outcome = await newConnectionOutcome(port);
    expect(outcome === 'refused' || /^421 /.test(outcome), `new connection got ${outcome}`).toBe(true);

    const reply = await talk.send(`${text.slice(half)}.\r\n`).reply(15_000);
    expect(reply).toMatch(/^250 2\.0\.0 Ok: queued as /);
    // Draining: a further transaction on the same connection is turned away with 421.
    await talk.line(`MAIL FROM:<${SENDER}>`).expect(/^421 /);
    talk.close();

    expect(await withTimeout(relay.exited, 30_000, 'relay did not exit after draining')).toBe(0);
    const [message] = await upstream.waitFor(1, 5_000);
    expect(subjectOf(message!)).toBe('graceful-1');
    expect(message!.rcptTo).toEqual([RECIPIENT]);
    expect(relay.output()).toContain('"relay_stopped"');
    // A clean stop releases the data directory.
    expect(existsSync(join(dataDir, 'relay.pid'))).toBe(false);
  });

  it('tells a session with no transaction open 421 4.4.2 at once on SIGTERM, and exits without waiting for it', { timeout: 60_000 }, async () => {
    const upstream = await startUpstream();
    const work = tempDir();
    const relay = await startRelay(rawTestConfig(upstream.port, join(work, 'data')), work);
    const idle = await SmtpTalk.open(relay.port('plain'));
    await idle.expect(/^220 /);
    await idle.line('EHLO client.test').expect(/^250[ -]/);
    const stopping = Date.now();
    process.kill(pidOf(relay), 'SIGTERM');
    expect(await idle.reply(5_000)).toMatch(/^421 4\.4\.2 /);
    // The close timeout is 30 s: exiting well within it shows the idle session did not hold the stop.
    expect(await withTimeout(relay.exited, 10_000, 'relay waited for the idle session')).toBe(0);
    expect(Date.now() - stopping).toBeLessThan(10_000);
    idle.close();
  });

  it('closes a session whose transaction ends during the drain once it is idle, not at the close timeout', { timeout: 60_000 }, async () => {
    const upstream = await startUpstream();
    const work = tempDir();
    const relay = await startRelay(rawTestConfig(upstream.port, join(work, 'data')), work);
    const talk = await beginTransaction(relay.port('plain'));
    const text = messageText('drain-then-idle');
    talk.send(text.slice(0, 50));
    await sleep(100);
    const stopping = Date.now();
    process.kill(pidOf(relay), 'SIGTERM');
    await until(
      () => relay.output().includes('"relay_stopping"'),
      10_000,
      () => `no relay_stopping in the log:\n${relay.output()}`,
    );
    await talk.send(`${text.slice(50)}.\r\n`).expect(/^250 2\.0\.0 Ok: queued as /);
    // The client says nothing more and keeps the connection: the relay tells it 421 and closes.
    expect(await talk.reply(5_000)).toMatch(/^421 4\.4\.2 /);
    expect(await withTimeout(relay.exited, 10_000, 'relay waited for the idle session')).toBe(0);
    expect(Date.now() - stopping).toBeLessThan(10_000);
    talk.close();
    const [message] = await upstream.waitFor(1, 5_000);
    expect(subjectOf(message!)).toBe('drain-then-idle');
  });

  it('answers 451 4.3.0 when the store cannot take a message, and keeps nothing of it (in the database or as a file)', { timeout: 120_000 }, async () => {
    // The store fails for real: this process holds the database's write lock longer than the
    // relay waits for it (5 s), as a stuck tool would. The relay waits off its event loop, so it
    // serves everyone else meanwhile.
    const upstream = await startUpstream();
    const work = tempDir();
    const dataDir = join(work, 'data');
    const relay = await startRelay(rawTestConfig(upstream.port, dataDir), work);
    const rows = () => {
      const db = new Database(join(dataDir, 'mouthguard.db'), { readonly: true, fileMustExist: true });
      try {
        return (db.prepare('SELECT COUNT(*) AS n FROM messages').get() as { n: number }).n;
      } finally {
        db.close();
      }
    };
    for (const [marker, size] of [
      ['LOCKED-SMALL', 2_000],
      ['LOCKED-LARGE', 600_000],
    ] as const) {
      const talk = await beginTransaction(relay.port('plain'));
      const line = `${marker} ${'x'.repeat(60)}\r\n`;
      const holder = new Database(join(dataDir, 'mouthguard.db'));
      holder.prepare('BEGIN IMMEDIATE').run();
      let reply: string;
      try {
        const replied = talk.send(`From: <${SENDER}>\r\nSubject: ${marker}\r\n\r\n${line.repeat(Math.ceil(size / line.length))}.\r\n`).reply(60_000);
        // While that commit waits for the lock, a new client is greeted and the admin listener
        // answers at once (SQLite's own 5 s wait would have stopped the whole event loop).
        await sleep(500);
        const started = Date.now();
        const other = await SmtpTalk.open(relay.port('plain'));
        expect(await other.reply(3_000)).toMatch(/^220 /);
        expect(await other.line('EHLO other.test').reply(3_000)).toMatch(/^250[ -]/);
        other.close();
        expect((await fetch(`http://127.0.0.1:${relay.adminPort}/healthz`, { signal: AbortSignal.timeout(3_000) })).status).toBe(200);
        expect(Date.now() - started, `${marker}: replies while the store waited for the lock`).toBeLessThan(3_000);
        reply = await replied;
      } finally {
        holder.prepare('ROLLBACK').run();
        holder.close();
      }
      expect(reply, marker).toMatch(/^451 4\.3\.0 /);
      talk.close();
      expect(rows(), marker).toBe(0);
      expect(filesHolding(dataDir, marker), marker).toEqual([]);
    }
    // With the lock gone the store takes mail again, and nothing of the refused ones went upstream.
    const talk = await beginTransaction(relay.port('plain'));
    expect(await talk.send(messageText('after-the-lock') + '.\r\n').reply(30_000)).toMatch(/^250 2\.0\.0 /);
    const [message] = await upstream.waitFor(1, 15_000);
    expect(subjectOf(message!)).toBe('after-the-lock');
    expect(upstream.messages).toHaveLength(1);
  });

  it('a second SIGTERM exits at once with code 1 while a client holds a transaction open', { timeout: 60_000 }, async () => {
    const upstream = await startUpstream();
    const work = tempDir();
    const relay = await startRelay(rawTestConfig(upstream.port, join(work, 'data')), work);

    const talk = await beginTransaction(relay.port('plain'));
    talk.send(messageText('never-finished').slice(0, 40));
    await sleep(100);

    process.kill(pidOf(relay), 'SIGTERM');
    await until(
      () => relay.output().includes('"relay_stopping"'),
      10_000,
      () => `no relay_stopping in the log:\n${relay.output()}`,
    );
    // Draining: the open transaction keeps the relay alive (its grace period is 30 s).
    await sleep(300);
    expect(relay.child.exitCode).toBeNull();

    process.kill(pidOf(relay), 'SIGTERM');
    expect(await withTimeout(relay.exited, 15_000, 'relay did not exit on the second SIGTERM')).toBe(1);
    expect(relay.output()).toContain('SIGTERM again');
    expect(relay.output()).toContain('"event":"relay_exit_now"');
    await talk.waitClosed(5_000);
    expect(upstream.messages).toHaveLength(0);
  });

  it('after a stop and a restart on the same data directory, /readyz answers 200', { timeout: 60_000 }, async () => {
    const upstream = await startUpstream();
    const work = tempDir();
    const raw = rawTestConfig(upstream.port, join(work, 'data'));
    const first = await startRelay(raw, work);
    expect((await readyz(first.adminPort)).status).toBe(200);
    process.kill(pidOf(first), 'SIGTERM');
    expect(await withTimeout(first.exited, 30_000, 'relay did not stop on SIGTERM')).toBe(0);

    const second = await startRelay(raw, work);
    const ready = await readyz(second.adminPort);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ ready: true, checks: { store: 'ok', smtp: 'ok' } });

    // And it still relays.
    const talk = await beginTransaction(second.port('plain'));
    await talk.send(`${messageText('after-restart')}.\r\n`).expect(/^250 /);
    talk.close();
    const [message] = await upstream.waitFor(1, 15_000);
    expect(subjectOf(message!)).toBe('after-restart');
  });
});
