import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { generate } from 'selfsigned';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load.js';
import { SmtpUpstream } from '../../src/delivery/smtp-upstream.js';
import { tempDir } from '../helpers/test-config.js';

/**
 * The relay's SMTP client against a real smtp-server on 127.0.0.1: TLS (implicit and
 * STARTTLS, verified against a CA file), AUTH, per-recipient results, and the connection pool
 * (reuse, its bound, a connection the server dropped while idle).
 */

const HOST_NAME = 'upstream.test';
const USER = 'relay@practice.test';
const PASS = 'correct horse battery staple';

interface Seen {
  readonly mailFrom: string;
  readonly mailParams: Record<string, unknown>;
  readonly rcptTo: string[];
  readonly raw: Buffer;
  readonly secure: boolean;
  readonly user: string | undefined;
}

let certDir: string;
let cert: string;
let key: string;

beforeAll(async () => {
  certDir = tempDir('mouthguard-upstream-tls-');
  const pems = await generate([{ name: 'commonName', value: HOST_NAME }], {
    keyType: 'ec',
    curve: 'P-256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: HOST_NAME }] }],
  });
  cert = pems.cert;
  key = pems.private;
  writeFileSync(join(certDir, 'ca.pem'), cert);
});

/** An upstream provider: smtp-server with the given options, recording what it accepts. */
class Provider {
  readonly seen: Seen[] = [];
  readonly sockets = new Set<Socket>();
  connections = 0;
  open = 0;
  /** Sessions the client ended with QUIT (smtp-server answers 221 and closes). */
  quits = 0;
  maxOpen = 0;
  rcptReply: (address: string) => string | null = () => null;
  /** Sessions open now; and those told "421" at their next MAIL FROM (a provider going away). */
  readonly sessions = new Set<string>();
  readonly closing = new Set<string>();
  readonly server: SMTPServer;
  port = 0;

  constructor(options: Partial<SMTPServerOptions>) {
    this.server = new SMTPServer({
      disableReverseLookup: true,
      logger: false,
      key,
      cert,
      authMethods: ['PLAIN', 'LOGIN'],
      onAuth: (auth, _session, cb) => {
        if (auth.username === USER && auth.password === PASS) cb(null, { user: auth.username });
        else cb(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
      },
      onConnect: (session, cb) => {
        this.sessions.add(session.id);
        cb();
      },
      onClose: (session) => {
        this.sessions.delete(session.id);
      },
      onMailFrom: (_address, session, cb) => {
        cb(this.closing.has(session.id) ? Object.assign(new Error('4.3.2 Service shutting down'), { responseCode: 421 }) : undefined);
      },
      onRcptTo: (address, _session, cb) => {
        const reply = this.rcptReply(address.address);
        cb(reply ? Object.assign(new Error(reply.slice(4)), { responseCode: Number(reply.slice(0, 3)) }) : undefined);
      },
      onData: (stream, session: SMTPServerSession, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const from = session.envelope.mailFrom;
          this.seen.push({
            mailFrom: from ? from.address : '',
            mailParams: (from ? from.args : false) || {},
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks),
            secure: session.secure,
            user: session.user as string | undefined,
          });
          cb(null, 'accepted by the provider');
        });
      },
      ...options,
    });
    this.server.server.on('connection', (socket: Socket) => {
      this.connections++;
      this.open++;
      this.maxOpen = Math.max(this.maxOpen, this.open);
      this.sockets.add(socket);
      // The raw bytes (plain sessions only): a QUIT line is the client ending the session itself.
      socket.on('data', (d: Buffer) => {
        if (/(?:^|\r\n)QUIT\r\n/.test(d.toString('latin1'))) this.quits++;
      });
      socket.once('close', () => {
        this.open--;
        this.sockets.delete(socket);
      });
    });
  }

  async start(): Promise<this> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server.server, 'listening');
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  /** Drops every connection from the provider's side, as an idle timeout there would. */
  dropAll(): void {
    for (const s of this.sockets) s.destroy();
  }

  stop(): Promise<void> {
    this.dropAll();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function upstreamFor(port: number, upstream: Record<string, unknown>): SmtpUpstream {
  const config = validateConfig(
    {
      practice: { domains: ['practice.test'] },
      upstream: {
        type: 'smtp',
        host: '127.0.0.1',
        port,
        tls: { ca: join(certDir, 'ca.pem'), servername: HOST_NAME },
        connectionTimeout: '5s',
        socketTimeout: '10s',
        ...upstream,
      },
    },
    'test',
  );
  if (config.upstream.type !== 'smtp') throw new Error('not smtp');
  return new SmtpUpstream(config.upstream, 'relay.practice.test');
}

const message = (subject: string) =>
  Buffer.from(`From: <reception@practice.test>\r\nTo: <lab@lab.example>\r\nSubject: ${subject}\r\n\r\nCaf\xe9 au lait, 8-bit as sent.\r\n`, 'latin1');

describe('SmtpUpstream: TLS and authentication', () => {
  const started: { provider: Provider; upstream: SmtpUpstream }[] = [];
  afterEach(async () => {
    for (const { provider, upstream } of started.splice(0)) {
      await upstream.close();
      await provider.stop();
    }
  });

  async function pair(serverOptions: Partial<SMTPServerOptions>, upstream: Record<string, unknown>) {
    const provider = await new Provider(serverOptions).start();
    const up = upstreamFor(provider.port, upstream);
    started.push({ provider, upstream: up });
    return { provider, up };
  }

  it('STARTTLS (certificate verified against the configured CA), AUTH, BODY=8BITMIME: delivered byte for byte', async () => {
    const { provider, up } = await pair({}, { secure: 'starttls', auth: { user: USER, pass: PASS } });
    const raw = message('Over STARTTLS');
    const outcome = await up.send('reception@practice.test', ['lab@lab.example'], Readable.from([raw]));
    expect(outcome).toEqual([{ address: 'lab@lab.example', status: 'delivered', reply: expect.stringMatching(/^250 /) as string }]);
    expect(provider.seen).toHaveLength(1);
    const [seen] = provider.seen;
    expect(seen!.raw.equals(raw)).toBe(true);
    expect(seen!.secure).toBe(true);
    expect(seen!.user).toBe(USER);
    expect(seen!.mailFrom).toBe('reception@practice.test');
    expect(seen!.mailParams).toMatchObject({ BODY: '8BITMIME' });
  });

  it('implicit TLS (secure: tls)', async () => {
    const { provider, up } = await pair({ secure: true }, { secure: 'tls', auth: { user: USER, pass: PASS } });
    const outcome = await up.send('reception@practice.test', ['lab@lab.example'], Readable.from([message('Over TLS')]));
    expect(outcome[0]!.status).toBe('delivered');
    expect(provider.seen[0]!.secure).toBe(true);
  });

  it('a certificate the CA did not sign is refused: deferred, nothing sent', async () => {
    const { provider, up } = await pair({}, { secure: 'starttls', tls: { servername: HOST_NAME } });
    const outcome = await up.send('reception@practice.test', ['lab@lab.example'], Readable.from([message('Untrusted')]));
    expect(outcome[0]!.status).toBe('deferred');
    expect(provider.seen).toHaveLength(0);
  });

  it('a wrong upstream password defers the message (the queue waits for the fix) rather than bouncing it', async () => {
    const { provider, up } = await pair({}, { secure: 'starttls', auth: { user: USER, pass: 'wrong' } });
    const outcome = await up.send('reception@practice.test', ['lab@lab.example'], Readable.from([message('Bad login')]));
    expect(outcome[0]).toMatchObject({ status: 'deferred', reply: expect.stringMatching(/535/) as string });
    expect(provider.seen).toHaveLength(0);
  });

  it('secure: starttls to a provider that does not offer STARTTLS: deferred, never sent in the clear', async () => {
    const { provider, up } = await pair({ hideSTARTTLS: true, disabledCommands: ['STARTTLS'], authOptional: true }, { secure: 'starttls' });
    const outcome = await up.send('reception@practice.test', ['lab@lab.example'], Readable.from([message('Clear?')]));
    expect(outcome[0]!.status).toBe('deferred');
    expect(provider.seen).toHaveLength(0);
  });
});

describe('SmtpUpstream: recipients and the connection pool', () => {
  let provider: Provider;

  beforeAll(async () => {
    provider = await new Provider({ hideSTARTTLS: true, authOptional: true }).start();
  });

  afterAll(async () => {
    await provider.stop();
  });

  afterEach(() => {
    provider.seen.length = 0;
    provider.rcptReply = () => null;
    provider.dropAll();
  });

  const plain = (extra: Record<string, unknown> = {}) => upstreamFor(provider.port, { secure: 'none', ...extra });

  it('per-recipient results: a 550 fails that recipient, a 451 defers it, the others are delivered', async () => {
    const up = plain();
    provider.rcptReply = (a) => (a.startsWith('gone@') ? '550 5.1.1 no such user' : a.startsWith('busy@') ? '451 4.2.1 try later' : null);
    const outcome = await up.send('reception@practice.test', ['gone@lab.example', 'ok@lab.example', 'busy@lab.example'], Readable.from([message('Mixed')]));
    await up.close();
    expect(outcome.map((o) => [o.address, o.status])).toEqual([
      ['gone@lab.example', 'failed'],
      ['ok@lab.example', 'delivered'],
      ['busy@lab.example', 'deferred'],
    ]);
    expect(outcome[0]!.reply).toMatch(/^550 /);
    expect(provider.seen.map((s) => s.rcptTo)).toEqual([['ok@lab.example']]);
  });

  it('every recipient refused: each gets its own reply and nothing is sent', async () => {
    const up = plain();
    provider.rcptReply = () => '550 5.7.1 relaying denied';
    const outcome = await up.send('reception@practice.test', ['a@lab.example', 'b@lab.example'], Readable.from([message('None')]));
    // The session survived the refusal: the next message goes over the same connection.
    provider.rcptReply = () => null;
    const next = await up.send('reception@practice.test', ['a@lab.example'], Readable.from([message('After')]));
    await up.close();
    expect(outcome.map((o) => o.status)).toEqual(['failed', 'failed']);
    expect(next[0]!.status).toBe('delivered');
    expect(provider.seen).toHaveLength(1);
  });

  it('the null sender goes out as MAIL FROM:<>', async () => {
    const up = plain();
    const outcome = await up.send('', ['reception@practice.test'], Readable.from([message('A bounce')]));
    await up.close();
    expect(outcome[0]!.status).toBe('delivered');
    expect(provider.seen[0]!.mailFrom).toBe('');
  });

  it('reuses connections, never opens more than maxConnections, and delivers everything', async () => {
    const up = plain({ maxConnections: 3 });
    const before = provider.connections;
    const sends = Array.from({ length: 30 }, (_, i) =>
      up.send('reception@practice.test', ['lab@lab.example'], Readable.from([message(`Burst ${i}`)])),
    );
    const outcomes = await Promise.all(sends);
    for (let i = 0; i < 10; i++) await up.send('reception@practice.test', ['lab@lab.example'], Readable.from([message(`Serial ${i}`)]));
    await up.close();
    expect(outcomes.every((o) => o[0]!.status === 'delivered')).toBe(true);
    expect(provider.seen).toHaveLength(40);
    expect(provider.connections - before).toBeLessThanOrEqual(3);
    expect(provider.maxOpen).toBeLessThanOrEqual(3);
  });

  it.each([
    ['noticed before the next send', true],
    ['at the moment of the next send', false],
  ])('a connection the provider dropped while idle (%s) is replaced, and the message still goes at once', async (_, settle) => {
    const up = plain({ maxConnections: 1 });
    expect((await up.send('reception@practice.test', ['lab@lab.example'], Readable.from([message('First')])))[0]!.status).toBe('delivered');
    const before = provider.connections;
    provider.dropAll();
    if (settle) while (provider.open > 0) await new Promise((r) => setTimeout(r, 10));
    const outcome = await up.send('reception@practice.test', ['lab@lab.example'], Readable.from([message('Second')]));
    await up.close();
    expect(outcome[0]!.status).toBe('delivered');
    expect(provider.connections - before).toBe(1);
    expect(provider.seen.map((s) => s.raw.toString('latin1').match(/Subject: (\w+)/)?.[1])).toEqual(['First', 'Second']);
  });

  it('a reused connection answered "421" (the provider closing the session) is replaced, and the message still goes at once', async () => {
    const up = plain({ maxConnections: 1 });
    expect((await up.send('reception@practice.test', ['lab@lab.example'], Readable.from([message('Before')])))[0]!.status).toBe('delivered');
    const before = provider.connections;
    for (const id of provider.sessions) provider.closing.add(id);
    const outcome = await up.send('reception@practice.test', ['lab@lab.example'], Readable.from([message('After')]));
    await up.close();
    provider.closing.clear();
    expect(outcome[0]!.status, outcome[0]!.reply).toBe('delivered');
    expect(provider.connections - before).toBe(1);
  });

  it('a connection is closed with QUIT after maxMessagesPerConnection messages, and after idleTimeout idle', async () => {
    const up = plain({ maxConnections: 1, maxMessagesPerConnection: 3, idleTimeout: '200ms' });
    const before = provider.connections;
    for (let i = 0; i < 7; i++) {
      expect((await up.send('reception@practice.test', ['lab@lab.example'], Readable.from([message(`Batch ${i}`)])))[0]!.status).toBe('delivered');
    }
    // Three, three and one: a fresh connection after every third message.
    expect(provider.connections - before).toBe(3);
    // The last one, idle, is closed by the relay without any further send.
    const deadline = Date.now() + 5000;
    while (provider.open > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(provider.open).toBe(0);
    expect(provider.quits).toBeGreaterThanOrEqual(3);
    await up.close();
  });

  it('after close, a send is deferred, not lost', async () => {
    const up = plain();
    await up.close();
    const outcome = await up.send('reception@practice.test', ['lab@lab.example'], Readable.from([message('Late')]));
    expect(outcome[0]!.status).toBe('deferred');
  });
});
