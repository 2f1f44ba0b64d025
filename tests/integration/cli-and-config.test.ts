import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { RecordingUpstream } from '../helpers/recording-upstream.js';
import { CLI, runCli, startRelayProcess, type RelayProcess, stopRelayProcess } from '../helpers/relay-process.js';
import { SmtpTalk } from '../helpers/smtp-talk.js';
import { PRACTICE_DOMAIN, rawTestConfig, tempDir } from '../helpers/test-config.js';

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI with extra environment variables (inherited MOUTHGUARD_* ones are
 * dropped so that only the test's own apply), in a temp working directory; killed by PID
 * if it runs longer than `timeoutMs`.
 */
function runCliEnv(args: string[], env: Record<string, string>, stdin = '', timeoutMs = 30_000): Promise<CliResult> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MOUTHGUARD_')));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...base, ...env }, cwd: tempDir() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end(stdin);
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      reject(new Error(`mouthguard ${args.join(' ')} did not finish in ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

function writeYaml(dir: string, name: string, raw: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof raw === 'string' ? raw : stringify(raw));
  return path;
}

/** The stderr line (one problem per line) that names `key`. */
function problemLine(stderr: string, key: string): string {
  const line = stderr.split('\n').find((l) => l.includes(key));
  if (!line) throw new Error(`stderr does not name ${key}:\n${stderr}`);
  return line;
}

const UPSTREAM_PASS = 'Upstream-S3cret-9f2c';

function validRaw(dataDir: string): Record<string, unknown> {
  return {
    practice: { name: 'Smile Dental', domains: [PRACTICE_DOMAIN] },
    dataDir,
    smtp: {
      hostname: 'relay.test',
      listeners: [
        { name: 'submission', host: '127.0.0.1', port: 0, mode: 'starttls' },
        { name: 'plain', host: '127.0.0.1', port: 0, mode: 'plain' },
      ],
      trustedNetworks: ['127.0.0.1/32'],
    },
    upstream: {
      type: 'smtp',
      host: 'smtp.provider.example',
      port: 587,
      secure: 'starttls',
      auth: { user: `relay@${PRACTICE_DOMAIN}`, pass: UPSTREAM_PASS },
    },
    admin: { host: '127.0.0.1', port: 0 },
  };
}

describe('check-config', () => {
  it('names every bad key with its bad value, and exits non-zero', { timeout: 30_000 }, async () => {
    const dir = tempDir();
    const path = writeYaml(
      dir,
      'broken.yaml',
      [
        `dataDir: ${join(dir, 'data')}`,
        'colour: blue',
        'practice:',
        '  name: Smile Dental',
        'smtp:',
        '  trustedNetworks: ["172.16.0.0/12", "10.0.0.0/33"]',
        '  limits:',
        '    maxRecipientz: 5',
        '    maxRecipients: "many"',
        'upstream:',
        '  type: smtp',
        '  host: 127.0.0.1',
        '  secure: maybe',
        'delivery:',
        '  retry:',
        '    maxAge: soon',
        '',
      ].join('\n'),
    );
    const result = await runCli(['check-config', '--config', path]);
    expect(result.code).not.toBe(0);
    expect(result.stdout).not.toContain('configuration OK');
    const { stderr } = result;
    expect(problemLine(stderr, 'colour')).toMatch(/unknown key/);
    expect(problemLine(stderr, 'smtp.limits.maxRecipientz')).toMatch(/unknown key/);
    expect(problemLine(stderr, 'smtp.limits.maxRecipients:')).toContain('"many"');
    expect(problemLine(stderr, 'upstream.secure')).toContain('"maybe"');
    expect(problemLine(stderr, 'smtp.trustedNetworks')).toContain('"10.0.0.0/33"');
    expect(stderr).not.toContain('"172.16.0.0/12"'); // the good entry is not blamed
    expect(problemLine(stderr, 'delivery.retry.maxAge')).toContain('"soon"');
    expect(problemLine(stderr, 'practice.domains')).toMatch(/missing/);
    // No stack trace for a configuration mistake.
    expect(stderr).not.toMatch(/\n\s+at /);

    // start reads its configuration in a thread of its own (config/load-in-thread.ts): the same
    // problems, the same exit code, and nothing started.
    const start = await runCli(['start', '--config', path]);
    expect(start.code).toBe(result.code);
    expect(start.stderr).toBe(stderr);
    expect(start.stdout).not.toContain('relay_started');
  });

  it('with no configuration file anywhere, says how to give one', { timeout: 30_000 }, async () => {
    // runCliEnv runs in an empty directory with no MOUTHGUARD_* variables.
    for (const command of ['check-config', 'start']) {
      const result = await runCliEnv([command], {});
      expect(result.code, command).not.toBe(0);
      expect(result.stderr, command).toContain('no configuration file: give one with --config FILE or MOUTHGUARD_CONFIG, or put mouthguard.yaml in the working directory');
    }
  });

  it('start names a configuration file it cannot read', { timeout: 30_000 }, async () => {
    const missing = join(tempDir(), 'nowhere.yaml');
    const start = await runCli(['start', '--config', missing]);
    const check = await runCli(['check-config', '--config', missing]);
    expect(start.code).not.toBe(0);
    expect(start.stderr).toContain(missing);
    expect(start.stderr).toBe(check.stderr);
  });

  it('refuses a plaintext upstream that is not loopback, naming upstream.secure and the fix', { timeout: 30_000 }, async () => {
    const dir = tempDir();
    const path = writeYaml(dir, 'plaintext.yaml', {
      practice: { domains: [PRACTICE_DOMAIN] },
      dataDir: join(dir, 'data'),
      upstream: { type: 'smtp', host: 'mail.example.com', secure: 'none', auth: { user: 'relay', pass: UPSTREAM_PASS } },
    });
    const result = await runCli(['check-config', '--config', path]);
    expect(result.code).not.toBe(0);
    const line = problemLine(result.stderr, 'upstream.secure');
    expect(line).toContain('allowPlaintext');
    expect(line).toContain('mail.example.com');
    // The reported value is the bad value, not the whole configuration (which holds secrets).
    expect(line).toMatch(/upstream\.secure: got "none";/);
    expect(result.stderr).not.toContain(UPSTREAM_PASS);

    // The documented fix makes it acceptable.
    const fixed = writeYaml(dir, 'plaintext-allowed.yaml', {
      practice: { domains: [PRACTICE_DOMAIN] },
      dataDir: join(dir, 'data'),
      upstream: { type: 'smtp', host: 'mail.example.com', secure: 'none', allowPlaintext: true },
    });
    expect((await runCli(['check-config', '--config', fixed])).code).toBe(0);
  });

  it.each([
    ['a password of the wrong type', { pass: [UPSTREAM_PASS] }, 'upstream.auth.pass'],
    ['a password that YAML reads as a number', { pass: 987654321987 }, 'upstream.auth.pass'],
    ['credentials written as one string', `relay:${UPSTREAM_PASS}`, 'upstream.auth'],
  ])('never echoes %s in its error, but still names the key', { timeout: 30_000 }, async (_name, auth, key) => {
    const dir = tempDir();
    const raw = validRaw(join(dir, 'data'));
    const upstream = { ...(raw.upstream as Record<string, unknown>) };
    upstream.auth = typeof auth === 'string' ? auth : { user: `relay@${PRACTICE_DOMAIN}`, ...auth };
    const result = await runCliEnv(['check-config', '--config', writeYaml(dir, 'secret.yaml', { ...raw, upstream })], {});
    expect(result.code).not.toBe(0);
    expect(problemLine(result.stderr, `${key}:`)).toContain('not shown');
    expect(result.stderr + result.stdout).not.toContain(UPSTREAM_PASS);
    expect(result.stderr + result.stdout).not.toContain('987654321987');
  });

  it('refuses a trusted network that holds every address (an open relay), IPv4 or IPv6', { timeout: 30_000 }, async () => {
    const dir = tempDir();
    const raw = validRaw(join(dir, 'data'));
    const smtp = { ...(raw.smtp as Record<string, unknown>), trustedNetworks: ['127.0.0.1/32', '0.0.0.0/0', '::/0', '0.0.0.0/1', '::ffff:0.0.0.0/96', '10.0.0.0/8', 'fc00::/7'] };
    const result = await runCliEnv(['check-config', '--config', writeYaml(dir, 'open.yaml', { ...raw, smtp })], {});
    expect(result.code).not.toBe(0);
    expect(problemLine(result.stderr, 'smtp.trustedNetworks.1')).toContain('open relay');
    expect(problemLine(result.stderr, 'smtp.trustedNetworks.2')).toContain('open relay');
    expect(problemLine(result.stderr, 'smtp.trustedNetworks.3')).toContain('open relay');
    expect(problemLine(result.stderr, 'smtp.trustedNetworks.4')).toContain('open relay');
    for (const fine of [0, 5, 6]) expect(result.stderr).not.toContain(`smtp.trustedNetworks.${fine}`);
  });

  it('opens the files the configuration names: a missing certificate or a key that is not one is refused', { timeout: 30_000 }, async () => {
    const dir = tempDir();
    const raw = validRaw(join(dir, 'data'));
    const missing = { ...raw, smtp: { ...(raw.smtp as object), tls: { cert: join(dir, 'nowhere.pem'), key: join(dir, 'nowhere-key.pem') } } };
    const result = await runCliEnv(['check-config', '--config', writeYaml(dir, 'missing.yaml', missing)], {});
    expect(result.code).not.toBe(0);
    expect(problemLine(result.stderr, 'smtp.tls.cert:')).toContain('ENOENT');
    expect(problemLine(result.stderr, 'smtp.tls.key:')).toContain('ENOENT');

    writeFileSync(join(dir, 'junk.pem'), 'not a certificate\n');
    const junk = { ...raw, smtp: { ...(raw.smtp as object), tls: { cert: join(dir, 'junk.pem'), key: join(dir, 'junk.pem') } } };
    const paired = await runCliEnv(['check-config', '--config', writeYaml(dir, 'junk.yaml', junk)], {});
    expect(paired.code).not.toBe(0);
    expect(problemLine(paired.stderr, 'smtp.tls:')).toContain('do not make a pair');
  });

  it('accepts a valid config; start --print-config redacts the upstream password', { timeout: 30_000 }, async () => {
    const dir = tempDir();
    const path = writeYaml(dir, 'mouthguard.yaml', validRaw(join(dir, 'data')));
    const check = await runCli(['check-config', '--config', path]);
    expect(check.stderr).toBe('');
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('configuration OK');

    const printed = await runCli(['start', '--print-config', '--config', path]);
    expect(printed.code).toBe(0);
    expect(printed.stdout).not.toContain(UPSTREAM_PASS);
    expect(printed.stderr).not.toContain(UPSTREAM_PASS);
    const config = JSON.parse(printed.stdout) as { upstream: { host: string; auth: { user: string; pass: string } } };
    expect(config.upstream.auth).toEqual({ user: `relay@${PRACTICE_DOMAIN}`, pass: '[redacted]' });
    expect(config.upstream.host).toBe('smtp.provider.example');
    // --print-config only prints: it does not start a relay or touch the data directory.
    expect(existsSync(join(dir, 'data'))).toBe(false);
  });
});

/** A port on 127.0.0.1 that nothing listens on (bound once, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('a relay that cannot open a listener', () => {
  let busy: Server;
  let busyPort: number;
  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    busyPort = (busy.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));

  it.each([
    ['its second SMTP listener', (free: number, taken: number) => ({ listeners: [free, taken], admin: 0 })],
    ['its admin listener', (free: number, taken: number) => ({ listeners: [free], admin: taken })],
  ])('exits non-zero when %s is in use, and leaves no listener taking mail', { timeout: 30_000 }, async (_name, ports) => {
    const dir = tempDir();
    const free = await freePort();
    const plan = ports(free, busyPort);
    const raw = validRaw(join(dir, 'data'));
    const config = {
      ...raw,
      upstream: { type: 'capture' },
      smtp: { ...(raw.smtp as object), listeners: plan.listeners.map((port, i) => ({ name: `l${i}`, host: '127.0.0.1', port, mode: 'plain' })) },
      admin: { host: '127.0.0.1', port: plan.admin },
    };
    const result = await runCliEnv(['start', '--config', writeYaml(dir, 'busy.yaml', config)], {});
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`EADDRINUSE`);
    expect(result.stderr).toContain(String(busyPort));
    expect(await accepting(free)).toBe(false);
  });

  it('check-config refuses two listeners on one port, and the admin listener on a listener\'s port', { timeout: 30_000 }, async () => {
    const dir = tempDir();
    const raw = validRaw(join(dir, 'data'));
    const config = {
      ...raw,
      smtp: {
        ...(raw.smtp as object),
        listeners: [
          { name: 'a', host: '127.0.0.1', port: 2525, mode: 'plain' },
          { name: 'b', host: '0.0.0.0', port: 2525, mode: 'plain' },
        ],
      },
      admin: { host: '127.0.0.1', port: 2525 },
    };
    const result = await runCliEnv(['check-config', '--config', writeYaml(dir, 'dup.yaml', config)], {});
    expect(result.code).not.toBe(0);
    expect(problemLine(result.stderr, 'smtp.listeners.1.port')).toContain('smtp.listeners[0] already listens on this port');
    expect(problemLine(result.stderr, 'admin.port')).toContain('give the admin listener its own');
  });
});

describe('environment overrides', () => {
  it('show up in start --print-config', { timeout: 30_000 }, async () => {
    const dir = tempDir();
    const path = writeYaml(dir, 'mouthguard.yaml', validRaw(join(dir, 'data')));
    const envDataDir = join(dir, 'from-env');
    const result = await runCliEnv(['start', '--print-config', '--config', path], {
      MOUTHGUARD_SMTP_PORT: '2587',
      MOUTHGUARD_UPSTREAM_HOST: 'smtp.other-provider.example',
      MOUTHGUARD_PRACTICE_DOMAINS: 'smile-dental.co.uk, smile-dental.com',
      MOUTHGUARD_TRUSTED_NETWORKS: '10.1.0.0/16,127.0.0.1',
      MOUTHGUARD_DATA_DIR: envDataDir,
      MOUTHGUARD_ADMIN_PORT: '9125',
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const config = JSON.parse(result.stdout) as {
      dataDir: string;
      practice: { domains: string[] };
      smtp: { listeners: { name: string; port: number; mode: string }[]; trustedNetworks: string[] };
      upstream: { host: string; auth?: { pass: string } };
      admin: { port: number };
    };
    // MOUTHGUARD_SMTP_PORT moves the STARTTLS submission listener; the others stay.
    expect(config.smtp.listeners).toEqual([
      expect.objectContaining({ name: 'submission', mode: 'starttls', port: 2587 }),
      expect.objectContaining({ name: 'plain', mode: 'plain', port: 0 }),
    ]);
    expect(config.upstream.host).toBe('smtp.other-provider.example');
    expect(config.practice.domains).toEqual(['smile-dental.co.uk', 'smile-dental.com']);
    expect(config.smtp.trustedNetworks).toEqual(['10.1.0.0/16', '127.0.0.1']);
    expect(config.dataDir).toBe(envDataDir);
    expect(config.admin.port).toBe(9125);
    expect(result.stdout).not.toContain(UPSTREAM_PASS);
  });

  it('a bad MOUTHGUARD_SMTP_PORT is refused, naming the variable and its value', { timeout: 30_000 }, async () => {
    const dir = tempDir();
    const path = writeYaml(dir, 'mouthguard.yaml', validRaw(join(dir, 'data')));
    const result = await runCliEnv(['check-config', '--config', path], { MOUTHGUARD_SMTP_PORT: 'abc' });
    expect(result.code).not.toBe(0);
    const line = problemLine(result.stderr, 'MOUTHGUARD_SMTP_PORT');
    expect(line).toContain('"abc"');
    expect(result.stdout).not.toContain('configuration OK');
  });
});

describe('users', () => {
  it('add, list, duplicate add, passwd, remove, remove again, too-short password', { timeout: 60_000 }, async () => {
    const dir = tempDir();
    const config = writeYaml(dir, 'mouthguard.yaml', validRaw(join(dir, 'data')));
    const c = ['--config', config];

    const added = await runCli(['users', 'add', 'alice', '--password-stdin', '--sender', '@practice.test', ...c], 'a long password\n');
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('alice');
    expect(added.stdout).not.toContain('a long password');

    const listed = await runCli(['users', 'list', ...c]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^alice\t@practice\.test\t/m);

    const again = await runCli(['users', 'add', 'alice', '--password-stdin', ...c], 'another long password\n');
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/alice/);
    expect(again.stderr).toMatch(/exists/);
    expect(again.stderr).not.toMatch(/\n\s+at /);

    const passwd = await runCli(['users', 'passwd', 'alice', '--password-stdin', ...c], 'a new long password\n');
    expect(passwd.code).toBe(0);
    expect(passwd.stdout).toContain('alice');

    const short = await runCli(['users', 'add', 'bob', '--password-stdin', ...c], 'short\n');
    expect(short.code).not.toBe(0);
    expect(short.stderr).toMatch(/at least 10 characters/);
    const shortPasswd = await runCli(['users', 'passwd', 'alice', '--password-stdin', ...c], 'short\n');
    expect(shortPasswd.code).not.toBe(0);

    const removed = await runCli(['users', 'remove', 'alice', ...c]);
    expect(removed.code).toBe(0);
    const removedAgain = await runCli(['users', 'remove', 'alice', ...c]);
    expect(removedAgain.code).toBe(2);
    expect(removedAgain.stderr).toMatch(/no account named alice/);

    const empty = await runCli(['users', 'list', ...c]);
    expect(empty.code).toBe(0);
    expect(empty.stdout).not.toMatch(/alice|bob/);
    expect(empty.stdout).toMatch(/^\(no accounts: add one with "mouthguard users add NAME --password-stdin"\)$/m);
  });

  it('--password-stdin takes one line and refuses more; names with spaces or control characters are refused', { timeout: 60_000 }, async () => {
    const dir = tempDir();
    const c = ['--config', writeYaml(dir, 'mouthguard.yaml', validRaw(join(dir, 'data')))];
    const twoLines = await runCli(['users', 'add', 'carol', '--password-stdin', ...c], 'first-line-pw1\nsecond\n');
    expect(twoLines.code).toBe(2);
    expect(twoLines.stderr).toMatch(/reads one line/);
    const crlf = await runCli(['users', 'add', 'carol', '--password-stdin', ...c], 'a long password\r\n');
    expect(crlf.code).toBe(0);
    for (const name of ['tab\there', 'new\nline', 'with space', '']) {
      const bad = await runCli(['users', 'add', name, '--generate-password', ...c]);
      expect(bad.code).toBe(2);
    }
    const both = await runCli(['users', 'add', 'dave', '--password-stdin', '--generate-password', ...c], 'a long password\n');
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/not both/);
    const listed = await runCli(['users', 'list', ...c]);
    expect(listed.stdout.trim().split('\n')).toHaveLength(1);
  });
});

describe('a relay process with accounts made by the CLI', () => {
  let upstream: RecordingUpstream;
  let relay: RelayProcess;
  let dataDir: string;

  beforeAll(async () => {
    upstream = await new RecordingUpstream().start();
    const work = tempDir();
    dataDir = join(work, 'data');
    // No smtp.tls: the relay generates a self-signed certificate on first start.
    relay = await startRelayProcess(rawTestConfig(upstream.port, dataDir), work);
  }, 30_000);

  afterAll(async () => {
    await stopRelayProcess(relay);
    await upstream.stop();
  }, 30_000);

  it('generates a self-signed certificate into <dataDir>/tls and warns about it', async () => {
    const certPath = join(dataDir, 'tls', 'selfsigned-cert.pem');
    expect(existsSync(certPath)).toBe(true);
    expect(existsSync(join(dataDir, 'tls', 'selfsigned-key.pem'))).toBe(true);
    const warning = relay
      .output()
      .split('\n')
      .find((l) => l.includes('"tls_self_signed"'));
    expect(warning, relay.output()).toBeDefined();
    expect(JSON.parse(warning!)).toMatchObject({ level: 40, event: 'tls_self_signed' });
    // And it is the certificate the submission listener presents after STARTTLS.
    const served = await certificateAfterStartTls(relay.port('submission'));
    expect(served.fingerprint256).toBe(new X509Certificate(readFileSync(certPath)).fingerprint256);
    expect(served.subject).toContain('CN=relay.test');
  });

  it('a login created and changed with the CLI works over STARTTLS; the old password does not', { timeout: 60_000 }, async () => {
    const c = ['--config', relay.configPath];
    const add = await runCli(['users', 'add', 'frontdesk', '--password-stdin', '--sender', '@practice.test', ...c], 'first long password\n');
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    const passwd = await runCli(['users', 'passwd', 'frontdesk', '--password-stdin', ...c], 'second long password\n');
    expect(passwd.code).toBe(0);

    const raw = Buffer.from(
      [
        `From: Front Desk <frontdesk@${PRACTICE_DOMAIN}>`,
        'To: Lab <orders@lab.example>',
        'Subject: CLI account',
        `Message-ID: <cli-account@${PRACTICE_DOMAIN}>`,
        '',
        'Sent with an account made by mouthguard users add.',
        '',
      ].join('\r\n'),
    );
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: relay.port('submission'),
      secure: false,
      requireTLS: true,
      tls: { rejectUnauthorized: false },
      auth: { user: 'frontdesk', pass: 'second long password' },
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 15_000,
    });
    try {
      const info = await transport.sendMail({ envelope: { from: `frontdesk@${PRACTICE_DOMAIN}`, to: ['orders@lab.example'] }, raw });
      expect(info.response).toMatch(/^250 2\.0\.0 Ok: queued as /);
    } finally {
      transport.close();
    }
    const [message] = await upstream.waitFor(1, 20_000);
    expect(message!.mailFrom).toBe(`frontdesk@${PRACTICE_DOMAIN}`);
    expect(message!.raw.toString('latin1')).toMatch(/with ESMTPSA id /);

    // The password replaced by `users passwd` no longer logs in.
    const talk = await SmtpTalk.open(relay.port('submission'));
    try {
      await talk.expect(/^220 /);
      await talk.line('EHLO client.test').expect(/^250[ -]/);
      await talk.startTls();
      await talk.line('EHLO client.test').expect(/^250[ -]/);
      await talk.line('AUTH PLAIN ' + Buffer.from('\0frontdesk\0first long password').toString('base64')).expect(/^535 5\.7\.8 /);
    } finally {
      talk.close();
    }
  });
});

/** Speaks SMTP up to STARTTLS on a raw socket and returns the certificate the server presents. */
async function certificateAfterStartTls(port: number): Promise<X509Certificate> {
  const socket = connect({ port, host: '127.0.0.1' });
  try {
    let buffer = '';
    const onData = (d: Buffer) => (buffer += d.toString('latin1'));
    socket.on('data', onData);
    const replyMatching = async (pattern: RegExp) => {
      const deadline = Date.now() + 10_000;
      while (!pattern.test(buffer)) {
        if (Date.now() > deadline) throw new Error(`expected ${String(pattern)}; got ${JSON.stringify(buffer)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      buffer = '';
    };
    await replyMatching(/^220 .*\r\n/m);
    socket.write('EHLO client.test\r\n');
    await replyMatching(/^250 .*\r\n/m);
    socket.write('STARTTLS\r\n');
    await replyMatching(/^220 .*\r\n/m);
    socket.off('data', onData);
    const secure = tlsConnect({ socket, rejectUnauthorized: false, servername: 'relay.test' });
    await new Promise<void>((resolve, reject) => secure.once('secureConnect', resolve).once('error', reject));
    const cert = secure.getPeerX509Certificate();
    secure.destroy();
    if (!cert) throw new Error('no peer certificate');
    return cert;
  } finally {
    socket.destroy();
  }
}
