import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ConfigError } from '../../src/config/config-error.js';
import { loadConfig, validateConfig } from '../../src/config/load.js';
import { applyEnvOverrides } from '../../src/config/env.js';
import { printableConfig } from '../../src/config/print.js';
import { configSchema, isLoopbackHost } from '../../src/config/schema.js';
import { parseDuration, parseSize } from '../../src/config/units.js';
import { tempDir } from '../helpers/test-config.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function freshDir(): string {
  const d = tempDir('mouthguard-config-');
  dirs.push(d);
  return d;
}

/** Writes `raw` as YAML (or a literal string) into a fresh directory; returns the file's path. */
function yamlFile(raw: unknown, name = 'mouthguard.yaml', sub?: string): string {
  const dir = sub ? join(freshDir(), sub) : freshDir();
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, typeof raw === 'string' ? raw : stringify(raw));
  return path;
}

const minimal = () => ({
  practice: { domains: ['practice.test'] },
  upstream: { type: 'smtp', host: 'smtp.provider.example' },
});

/** The problems of a configuration that must be refused. */
function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

function problemsOfRaw(raw: unknown): readonly string[] {
  return problemsOf(() => validateConfig(raw, 'test.yaml'));
}

describe('defaults', () => {
  const config = validateConfig(minimal(), 'test');

  it('one STARTTLS submission listener on 587', () => {
    expect(config.smtp.listeners).toEqual([{ name: 'submission', host: '0.0.0.0', port: 587, mode: 'starttls' }]);
    expect(config.smtp.allowInsecureAuth).toBe(false);
    expect(config.smtp.trustedNetworks).toEqual([]);
  });

  it('limits: 35 MB messages, 100 recipients, 998-octet lines', () => {
    expect(config.smtp.limits.maxMessageSize).toBe(35_000_000);
    expect(config.smtp.limits.maxRecipients).toBe(100);
    expect(config.smtp.limits.maxLineLength).toBe(998);
    expect(config.smtp.limits.maxHeaderSize).toBe(256 * 1024);
    expect(config.smtp.limits.authFailures).toEqual({ max: 5, window: 15 * 60_000, coolDown: 15 * 60_000 });
  });

  it('retries: 30 s first, doubling, at most 1 h apart, for 5 days', () => {
    expect(config.delivery.retry).toEqual({ initialDelay: 30_000, maxDelay: 3_600_000, factor: 2, maxAge: 5 * 86_400_000 });
  });

  it('upstream: port 587 with STARTTLS, certificates verified', () => {
    expect(config.upstream).toMatchObject({ type: 'smtp', port: 587, secure: 'starttls', allowPlaintext: false });
    if (config.upstream.type !== 'smtp') throw new Error('expected smtp');
    expect(config.upstream.tls.rejectUnauthorized).toBe(true);
  });

  it('store sqlite, admin on loopback, data in ./data', () => {
    expect(config.store.engine).toBe('sqlite');
    expect(config.admin).toEqual({ host: '127.0.0.1', port: 8025 });
    expect(config.dataDir).toBe('./data');
    expect(config.log.level).toBe('info');
  });

  it('practice domains are lower-cased', () => {
    const c = validateConfig({ ...minimal(), practice: { domains: ['Example-Dental.CO.UK'] } }, 'test');
    expect(c.practice.domains).toEqual(['example-dental.co.uk']);
  });

  it('durations and sizes accept units and bare numbers', () => {
    const c = validateConfig(
      {
        ...minimal(),
        smtp: { limits: { maxMessageSize: '10MiB', maxHeaderSize: 4096, idleTimeout: '90s' } },
        delivery: { pollInterval: 250, retry: { initialDelay: '1m', maxDelay: '2h', maxAge: '1d' } },
      },
      'test',
    );
    expect(c.smtp.limits.maxMessageSize).toBe(10 * 1024 * 1024);
    expect(c.smtp.limits.maxHeaderSize).toBe(4096);
    expect(c.smtp.limits.idleTimeout).toBe(90_000);
    expect(c.delivery.pollInterval).toBe(250);
    expect(c.delivery.retry).toMatchObject({ initialDelay: 60_000, maxDelay: 7_200_000, maxAge: 86_400_000 });
  });
});

describe('error messages name the dotted key and the bad value', () => {
  const cases: [string, (raw: Record<string, unknown>) => void, string, string][] = [
    ['a bad domain', (r) => (r.practice = { domains: ['not a domain'] }), 'practice.domains.0', '"not a domain"'],
    ['an empty domain list', (r) => (r.practice = { domains: [] }), 'practice.domains', '[]'],
    ['a listener port out of range', (r) => (r.smtp = { listeners: [{ port: 70000, mode: 'starttls' }] }), 'smtp.listeners.0.port', '70000'],
    ['a bad listener mode', (r) => (r.smtp = { listeners: [{ port: 25, mode: 'ssl' }] }), 'smtp.listeners.0.mode', '"ssl"'],
    ['a bad size', (r) => (r.smtp = { limits: { maxMessageSize: 'lots' } }), 'smtp.limits.maxMessageSize', '"lots"'],
    ['a zero size', (r) => (r.smtp = { limits: { maxHeaderSize: 0 } }), 'smtp.limits.maxHeaderSize', '0'],
    ['too few recipients', (r) => (r.smtp = { limits: { maxRecipients: 0 } }), 'smtp.limits.maxRecipients', '0'],
    ['a bad nested duration', (r) => (r.smtp = { limits: { authFailures: { window: 'ages' } } }), 'smtp.limits.authFailures.window', '"ages"'],
    ['a bad trusted network', (r) => (r.smtp = { trustedNetworks: ['10.0.0.0/99'] }), 'smtp.trustedNetworks.0', '"10.0.0.0/99"'],
    ['a trusted network that is a name', (r) => (r.smtp = { trustedNetworks: ['office.lan'] }), 'smtp.trustedNetworks.0', '"office.lan"'],
    ['a string for a boolean', (r) => (r.smtp = { allowInsecureAuth: 'yes' }), 'smtp.allowInsecureAuth', '"yes"'],
    ['a bad retry duration', (r) => (r.delivery = { retry: { initialDelay: 'soon' } }), 'delivery.retry.initialDelay', '"soon"'],
    ['a retry factor too big', (r) => (r.delivery = { retry: { factor: 20 } }), 'delivery.retry.factor', '20'],
    ['a bad upstream port', (r) => (r.upstream = { type: 'smtp', host: 'h.example', port: 'x' }), 'upstream.port', '"x"'],
    ['upstream port 0 (no upstream listens on "any port")', (r) => (r.upstream = { type: 'smtp', host: 'h.example', port: 0 }), 'upstream.port', '0'],
    ['a bad upstream secure', (r) => (r.upstream = { type: 'smtp', host: 'h.example', secure: 'ssl' }), 'upstream.secure', '"ssl"'],
    ['a bad upstream type', (r) => (r.upstream = { type: 'smpt', host: 'h.example' }), 'upstream.type', '"smpt"'],
    ['a bad log level', (r) => (r.log = { level: 'loud' }), 'log.level', '"loud"'],
    ['a bad store engine', (r) => (r.store = { engine: 'mysql' }), 'store.engine', '"mysql"'],
    ['a bad admin port', (r) => (r.admin = { port: -1 }), 'admin.port', '-1'],
  ];

  it.each(cases)('%s', (_name, mutate, key, value) => {
    const raw: Record<string, unknown> = minimal();
    mutate(raw);
    const problems = problemsOfRaw(raw);
    const mine = problems.filter((p) => p.startsWith(`${key}:`));
    expect(mine, problems.join('\n')).toHaveLength(1);
    expect(mine[0]).toContain(value);
    // Something after the value says what is expected.
    expect(mine[0]!.length).toBeGreaterThan(`${key}: got ${value}; `.length);
  });

  it('a missing required key is reported as missing', () => {
    const problems = problemsOfRaw({ upstream: { type: 'smtp' } });
    expect(problems.find((p) => p.startsWith('practice:'))).toMatch(/missing/);
    expect(problems.find((p) => p.startsWith('upstream.host:'))).toMatch(/missing/);
  });

  it('every problem is reported at once, and the message names the source', () => {
    let error: ConfigError | undefined;
    try {
      validateConfig({ ...minimal(), log: { level: 'loud' }, admin: { port: 'x' } }, 'my.yaml');
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error?.problems).toHaveLength(2);
    expect(error?.message).toContain('my.yaml');
    expect(error?.message).toContain('log.level');
    expect(error?.message).toContain('admin.port');
  });
});

describe('limits are worded for what they bound', () => {
  it("keeps the schema's own words, and says an empty string must not be empty", () => {
    expect(problemsOfRaw({ ...minimal(), upstream: { type: 'smtp', host: 'h.example', port: 0 } })).toEqual([
      expect.stringMatching(/^upstream\.port: got 0; expected a port number 1-65535/),
    ]);
    expect(problemsOfRaw({ ...minimal(), upstream: { type: 'smtp', host: 'h.example', auth: { user: 'u', pass: '' } } })).toEqual([
      'upstream.auth.pass: got a string (not shown: it may be a secret); must not be empty',
    ]);
  });
});

describe('unknown keys are refused at any depth', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['top level', { ...minimal(), smpt: {} }, 'smpt'],
    ['practice', { ...minimal(), practice: { domains: ['practice.test'], domain: 'x.test' } }, 'practice.domain'],
    ['smtp', { ...minimal(), smtp: { trustedNetwork: [] } }, 'smtp.trustedNetwork'],
    ['a listener in a list', { ...minimal(), smtp: { listeners: [{ port: 25, mode: 'plain', tls: true }] } }, 'smtp.listeners.0.tls'],
    ['smtp.limits', { ...minimal(), smtp: { limits: { maxSize: 5 } } }, 'smtp.limits.maxSize'],
    ['smtp.limits.authFailures', { ...minimal(), smtp: { limits: { authFailures: { maximum: 3 } } } }, 'smtp.limits.authFailures.maximum'],
    ['smtp.tls', { ...minimal(), smtp: { tls: { cert: 'c', key: 'k', chain: 'x' } } }, 'smtp.tls.chain'],
    ['upstream', { ...minimal(), upstream: { type: 'smtp', host: 'h.example', username: 'u' } }, 'upstream.username'],
    ['upstream.auth', { ...minimal(), upstream: { type: 'smtp', host: 'h.example', auth: { user: 'u', pass: 'p', method: 'x' } } }, 'upstream.auth.method'],
    ['upstream.tls', { ...minimal(), upstream: { type: 'smtp', host: 'h.example', tls: { verify: false } } }, 'upstream.tls.verify'],
    ['capture upstream', { ...minimal(), upstream: { type: 'capture', host: 'h.example' } }, 'upstream.host'],
    ['delivery.retry', { ...minimal(), delivery: { retry: { attempts: 3 } } }, 'delivery.retry.attempts'],
    ['store', { ...minimal(), store: { path: '/x' } }, 'store.path'],
    ['admin', { ...minimal(), admin: { password: 'x' } }, 'admin.password'],
    ['log', { ...minimal(), log: { format: 'json' } }, 'log.format'],
  ];

  it.each(cases)('%s', (_name, raw, dotted) => {
    const problems = problemsOfRaw(raw);
    expect(problems, problems.join('\n')).toContainEqual(expect.stringMatching(new RegExp(`^unknown key ${dotted.replace(/\./g, '\\.')}:`)));
  });

  it('several unknown keys in one mapping are each named', () => {
    const problems = problemsOfRaw({ ...minimal(), foo: 1, bar: 2 });
    expect(problems.join('\n')).toMatch(/unknown key foo:/);
    expect(problems.join('\n')).toMatch(/unknown key bar:/);
  });
});

describe('unknown keys: the key probably meant', () => {
  const cases: [string, Record<string, unknown>, string, string | null][] = [
    ['a slip of a letter', { ...minimal(), practice: { domains: ['practice.test'], nmae: 'x' } }, 'practice.nmae', 'practice.name'],
    ['letters swapped, one left out', { ...minimal(), smtp: { limits: { maxRecipents: 5 } } }, 'smtp.limits.maxRecipents', 'smtp.limits.maxRecipients'],
    ['another case', { ...minimal(), smtp: { reverseDNSLookup: false } }, 'smtp.reverseDNSLookup', 'smtp.reverseDnsLookup'],
    ['snake case', { ...minimal(), smtp: { limits: { max_message_size: '1MB' } } }, 'smtp.limits.max_message_size', 'smtp.limits.maxMessageSize'],
    ['in a list item', { ...minimal(), smtp: { listeners: [{ port: 25, mode: 'plain', hots: '127.0.0.1' }] } }, 'smtp.listeners.0.hots', 'smtp.listeners.0.host'],
    ['the right key in the wrong mapping', { ...minimal(), smtp: { maxRecipients: 5 } }, 'smtp.maxRecipients', 'smtp.limits.maxRecipients'],
    ['nothing close', { ...minimal(), delivery: { colour: 'blue' } }, 'delivery.colour', null],
    ['a key of another form of the mapping', { ...minimal(), upstream: { type: 'capture', host: 'h.example' } }, 'upstream.host', null],
  ];

  it.each(cases)('%s', (_name, raw, dotted, meant) => {
    const line = problemsOfRaw(raw).find((p) => p.startsWith(`unknown key ${dotted}:`));
    expect(line).toBeDefined();
    expect(line).toContain(meant ? `(did you mean ${meant}?)` : '(see mouthguard.example.yaml)');
  });

  it('a key of a map that must be a domain says so', () => {
    const problems = problemsOfRaw({ ...minimal(), disclaimers: { practices: { leeds: { name: 'Leeds' } } } });
    expect(problems).toContain('disclaimers.practices.leeds: got "leeds"; expected a domain name such as "example-dental.co.uk" as a key of disclaimers.practices');
  });
});

describe('plaintext upstream', () => {
  const up = (extra: Record<string, unknown>) => ({ ...minimal(), upstream: { type: 'smtp', secure: 'none', ...extra } });

  it('is refused to a host that is not loopback, naming upstream.secure and the host', () => {
    for (const host of ['smtp.provider.example', '10.0.0.5', '2001:db8::1']) {
      const problems = problemsOfRaw(up({ host }));
      const mine = problems.filter((p) => p.startsWith('upstream.secure:'));
      expect(mine, problems.join('\n')).toHaveLength(1);
      expect(mine[0]).toContain(host);
      expect(mine[0]).toContain('"none"');
      expect(mine[0]).toMatch(/allowPlaintext/);
    }
  });

  it('is allowed to loopback', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1']) {
      expect(validateConfig(up({ host }), 'test').upstream).toMatchObject({ secure: 'none', host });
    }
  });

  it('is allowed anywhere with allowPlaintext: true', () => {
    expect(validateConfig(up({ host: 'smtp.provider.example', allowPlaintext: true }), 'test').upstream).toMatchObject({
      secure: 'none',
      allowPlaintext: true,
    });
  });

  it('isLoopbackHost', () => {
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopbackHost('10.0.0.1')).toBe(false);
    expect(isLoopbackHost('localhost.example')).toBe(false);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
  });
});

describe('error messages never reveal secrets', () => {
  const SECRET = 'hunter2-very-secret';

  it('when the plaintext rule refuses an upstream with a password', () => {
    const raw = { ...minimal(), upstream: { type: 'smtp', host: 'smtp.provider.example', secure: 'none', auth: { user: 'u', pass: SECRET } } };
    const message = problemsOfRaw(raw).join('\n');
    expect(message).toContain('upstream.secure');
    expect(message).not.toContain(SECRET);
  });

  it('when the upstream type is misspelt', () => {
    const raw = { ...minimal(), upstream: { type: 'smpt', host: 'smtp.provider.example', auth: { user: 'u', pass: SECRET } } };
    const message = problemsOfRaw(raw).join('\n');
    expect(message).toContain('upstream.type');
    expect(message).not.toContain(SECRET);
  });

  it('when another key is wrong beside the password', () => {
    const raw = { ...minimal(), upstream: { type: 'smtp', host: 'smtp.provider.example', port: 'x', auth: { user: 'u', pass: SECRET } } };
    expect(problemsOfRaw(raw).join('\n')).not.toContain(SECRET);
  });
});

describe('loadConfig', () => {
  it('reads the YAML file named by path', () => {
    const path = yamlFile({ ...minimal(), practice: { name: 'Smile', domains: ['smile.test'] } });
    const config = loadConfig({ path, env: {} });
    expect(config.practice).toMatchObject({ name: 'Smile', domains: ['smile.test'] });
  });

  it('reads the file named by MOUTHGUARD_CONFIG when no path is given', () => {
    const path = yamlFile(minimal());
    expect(loadConfig({ env: { MOUTHGUARD_CONFIG: path } }).upstream).toMatchObject({ host: 'smtp.provider.example' });
  });

  it('a missing file names the path and the error code', () => {
    const path = join(freshDir(), 'nope.yaml');
    let err: ConfigError | undefined;
    try {
      loadConfig({ path, env: {} });
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.source).toBe(path);
    expect(err!.problems.join('\n')).toContain('ENOENT');
  });

  it('invalid YAML is refused as such', () => {
    const path = yamlFile('practice: [unclosed\n  domains: x: y\n');
    expect(problemsOf(() => loadConfig({ path, env: {} })).join('\n')).toMatch(/not valid YAML/);
    // Line and column, never the line itself: it could hold a password.
    const secretLine = yamlFile('practice: { domains: [p.test] }\nupstream:\n  auth: { user: u, pass: "Sup3r"Secret" }\n');
    const problems = problemsOf(() => loadConfig({ path: secretLine, env: {} })).join('\n');
    expect(problems).toMatch(/not valid YAML: .*line 3, column \d+$/);
    expect(problems).not.toContain('Sup3r');
  });

  it('a YAML document that is not a mapping is refused', () => {
    const path = yamlFile('- a\n- b\n');
    expect(problemsOf(() => loadConfig({ path, env: {} })).join('\n')).toMatch(/top level/);
  });

  it('an empty file is reported as missing the required keys', () => {
    const path = yamlFile('');
    const problems = problemsOf(() => loadConfig({ path, env: {} }));
    expect(problems.join('\n')).toMatch(/^practice: missing/m);
    expect(problems.join('\n')).toMatch(/^upstream/m);
  });

  it('unknown keys in the file are refused', () => {
    const path = yamlFile({ ...minimal(), delivery: { retries: 3 } });
    expect(problemsOf(() => loadConfig({ path, env: {} }))).toContainEqual(expect.stringMatching(/^unknown key delivery\.retries:/));
  });

  it('resolves relative paths against the config file directory, and keeps absolute ones', () => {
    const path = yamlFile(
      {
        ...minimal(),
        dataDir: 'var/data',
        smtp: { tls: { cert: 'tls/cert.pem', key: '/etc/mouthguard/key.pem' } },
        upstream: { type: 'smtp', host: 'smtp.provider.example', tls: { ca: '../ca.pem' } },
      },
      'mouthguard.yaml',
      'etc/conf',
    );
    const dir = resolve(path, '..');
    const config = loadConfig({ path, env: {} });
    expect(config.dataDir).toBe(join(dir, 'var/data'));
    expect(config.smtp.tls).toEqual({ cert: join(dir, 'tls/cert.pem'), key: '/etc/mouthguard/key.pem' });
    if (config.upstream.type !== 'smtp') throw new Error('expected smtp');
    expect(config.upstream.tls.ca).toBe(resolve(dir, '../ca.pem'));
  });

  it('resolves the default data directory and capture directory against the config file directory', () => {
    const path = yamlFile({ practice: { domains: ['practice.test'] }, upstream: { type: 'capture' } });
    const dir = resolve(path, '..');
    const config = loadConfig({ path, env: {} });
    expect(config.dataDir).toBe(join(dir, 'data'));
    expect(config.upstream).toEqual({ type: 'capture', dir: join(dir, 'data', 'outbox') });
    const otherPath = yamlFile({ ...minimal(), upstream: { type: 'capture', dir: 'out' } });
    expect(loadConfig({ path: otherPath, env: {} }).upstream).toEqual({ type: 'capture', dir: join(resolve(otherPath, '..'), 'out') });
  });

  it('returns a deeply frozen configuration', () => {
    const config = loadConfig({ path: yamlFile(minimal()), env: {} });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.smtp)).toBe(true);
    expect(Object.isFrozen(config.smtp.limits)).toBe(true);
    expect(Object.isFrozen(config.smtp.limits.authFailures)).toBe(true);
    expect(Object.isFrozen(config.smtp.listeners)).toBe(true);
    expect(Object.isFrozen(config.smtp.listeners[0])).toBe(true);
    expect(Object.isFrozen(config.practice.domains)).toBe(true);
    expect(Object.isFrozen(config.upstream)).toBe(true);
    expect(Object.isFrozen(config.delivery.retry)).toBe(true);
    expect(() => {
      (config.smtp.limits as { maxRecipients: number }).maxRecipients = 1;
    }).toThrow(TypeError);
    expect(() => config.practice.domains.push('evil.test')).toThrow(TypeError);
  });
});

describe('environment overrides', () => {
  const load = (raw: unknown, env: NodeJS.ProcessEnv) => loadConfig({ path: yamlFile(raw), env });

  it('MOUTHGUARD_DATA_DIR, MOUTHGUARD_PRACTICE_DOMAINS, MOUTHGUARD_TRUSTED_NETWORKS, MOUTHGUARD_ADMIN_PORT', () => {
    const dataDir = join(freshDir(), 'elsewhere');
    const config = load(
      { ...minimal(), dataDir: '/should/not/be/used', smtp: { trustedNetworks: ['192.168.0.0/16'] } },
      {
        MOUTHGUARD_DATA_DIR: dataDir,
        MOUTHGUARD_PRACTICE_DOMAINS: 'one.test, Two.Test ,',
        MOUTHGUARD_TRUSTED_NETWORKS: '10.0.0.0/8,127.0.0.1',
        MOUTHGUARD_ADMIN_PORT: '9100',
      },
    );
    expect(config.dataDir).toBe(dataDir);
    expect(config.practice.domains).toEqual(['one.test', 'two.test']);
    expect(config.smtp.trustedNetworks).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(config.admin.port).toBe(9100);
  });

  it('a bad value from a variable is reported against the variable, not the file', () => {
    const capture = { practice: { domains: ['practice.test'] }, upstream: { type: 'capture' } };
    const secure = problemsOf(() => load(capture, { MOUTHGUARD_UPSTREAM_HOST: 'h.example', MOUTHGUARD_UPSTREAM_SECURE: 'maybe' }));
    expect(secure).toEqual([expect.stringMatching(/^upstream\.secure: got "maybe".*\(set by MOUTHGUARD_UPSTREAM_SECURE: correct or unset it\)$/)]);
    const networks = problemsOf(() => load(capture, { MOUTHGUARD_TRUSTED_NETWORKS: '10.0.0.0/33' }));
    expect(networks).toEqual([expect.stringMatching(/^smtp\.trustedNetworks\.0: .*\(set by MOUTHGUARD_TRUSTED_NETWORKS/)]);
    // Credentials for a capture upstream: not a spelling mistake in the file.
    const auth = problemsOf(() => load(capture, { MOUTHGUARD_UPSTREAM_USER: 'u' }));
    expect(auth).toEqual([
      'unknown key upstream.auth: not used by the capture upstream (set by MOUTHGUARD_UPSTREAM_USER: unset it, or set MOUTHGUARD_UPSTREAM_HOST for an SMTP upstream)',
    ]);
    // A password from the file is not blamed on the user name from the environment.
    const filePass = problemsOf(() =>
      load({ ...capture, upstream: { type: 'smtp', host: 'h.example', auth: { pass: 12 } } }, { MOUTHGUARD_UPSTREAM_USER: 'u' }),
    );
    expect(filePass.find((p) => p.startsWith('upstream.auth.pass'))).not.toMatch(/set by/);
    const envPass = problemsOf(() => load({ ...capture, upstream: { type: 'capture' } }, { MOUTHGUARD_UPSTREAM_PASS: 'p' }));
    expect(envPass).toEqual([
      'unknown key upstream.auth: not used by the capture upstream (set by MOUTHGUARD_UPSTREAM_PASS: unset it, or set MOUTHGUARD_UPSTREAM_HOST for an SMTP upstream)',
    ]);
    // A mistake in the file itself is still the file's.
    const fileMistake = problemsOf(() => load({ ...capture, admin: { port: 'x' } }, { MOUTHGUARD_UPSTREAM_USER: 'u', MOUTHGUARD_UPSTREAM_HOST: 'h.example' }));
    expect(fileMistake.find((p) => p.startsWith('admin.port'))).not.toMatch(/set by/);
  });

  it('names the variable when its value clashes with a key from the file, or made a mapping that lacks a key', () => {
    const base = { ...minimal(), smtp: { listeners: [{ port: 2587, mode: 'starttls', host: '127.0.0.1' }] }, admin: { host: '127.0.0.1', port: 8025 } };
    // The variable's port is the other side of the clash: the problem is reported at admin.port.
    expect(problemsOf(() => load(base, { MOUTHGUARD_SMTP_PORT: '8025' }))).toEqual([
      expect.stringMatching(/^admin\.port: .*smtp\.listeners\[0\] listens on this port.*\(smtp\.listeners\[0\]\.port is set by MOUTHGUARD_SMTP_PORT\)$/),
    ]);
    expect(problemsOf(() => load(base, { MOUTHGUARD_ADMIN_PORT: '2587' }))).toEqual([
      expect.stringMatching(/^admin\.port: .*\(set by MOUTHGUARD_ADMIN_PORT: correct or unset it\)$/),
    ]);
    const passOnly = problemsOf(() => load(base, { MOUTHGUARD_UPSTREAM_HOST: 'h.example', MOUTHGUARD_UPSTREAM_PASS: 'secret-pass' }));
    expect(passOnly).toEqual([
      expect.stringMatching(/^upstream\.auth\.user: .*\(upstream\.auth was made by MOUTHGUARD_UPSTREAM_PASS: set this too, or unset MOUTHGUARD_UPSTREAM_PASS\)$/),
    ]);
    expect(passOnly.join('\n')).not.toContain('secret-pass');
    // Two unknown keys from two variables: a line each, each naming its own variable.
    const two = problemsOf(() => load({ ...minimal(), upstream: { type: 'capture' } }, { MOUTHGUARD_UPSTREAM_SECURE: 'tls', MOUTHGUARD_UPSTREAM_USER: 'u' }));
    expect(two).toEqual([
      expect.stringMatching(/^unknown key upstream\.secure: not used by the capture upstream \(set by MOUTHGUARD_UPSTREAM_SECURE: /),
      expect.stringMatching(/^unknown key upstream\.auth: not used by the capture upstream \(set by MOUTHGUARD_UPSTREAM_USER: /),
    ]);
    const secureOverCapture = problemsOf(() => load({ ...minimal(), upstream: { type: 'capture' } }, { MOUTHGUARD_UPSTREAM_SECURE: 'tls' }));
    expect(secureOverCapture).toEqual([expect.stringMatching(/^unknown key upstream\.secure: not used by the capture upstream \(set by MOUTHGUARD_UPSTREAM_SECURE: unset it, or set MOUTHGUARD_UPSTREAM_HOST/)]);
  });

  it('MOUTHGUARD_SMTP_PORT moves the STARTTLS listener, leaving the others', () => {
    const config = load(
      {
        ...minimal(),
        smtp: {
          listeners: [
            { name: 'plain', port: 2526, mode: 'plain' },
            { name: 'sub', port: 587, mode: 'starttls' },
          ],
        },
      },
      { MOUTHGUARD_SMTP_PORT: '2525' },
    );
    expect(config.smtp.listeners.map((l) => [l.name, l.port, l.mode])).toEqual([
      ['plain', 2526, 'plain'],
      ['sub', 2525, 'starttls'],
    ]);
  });

  it('MOUTHGUARD_SMTP_PORT adds a submission listener when there is none', () => {
    const config = load({ ...minimal(), smtp: { listeners: [{ name: 'plain', port: 2526, mode: 'plain' }] } }, { MOUTHGUARD_SMTP_PORT: '2525' });
    expect(config.smtp.listeners.map((l) => [l.port, l.mode])).toEqual([
      [2525, 'starttls'],
      [2526, 'plain'],
    ]);
    expect(load(minimal(), { MOUTHGUARD_SMTP_PORT: '2525' }).smtp.listeners.map((l) => [l.port, l.mode])).toEqual([[2525, 'starttls']]);
  });

  it('MOUTHGUARD_UPSTREAM_* override the upstream; a host turns a capture upstream into SMTP', () => {
    const config = load(
      { practice: { domains: ['practice.test'] }, upstream: { type: 'capture', dir: '/tmp/out' } },
      {
        MOUTHGUARD_UPSTREAM_HOST: 'smtp.env.example',
        MOUTHGUARD_UPSTREAM_PORT: '465',
        MOUTHGUARD_UPSTREAM_SECURE: 'tls',
        MOUTHGUARD_UPSTREAM_USER: 'env-user',
        MOUTHGUARD_UPSTREAM_PASS: 'env-pass',
      },
    );
    expect(config.upstream).toMatchObject({ type: 'smtp', host: 'smtp.env.example', port: 465, secure: 'tls', auth: { user: 'env-user', pass: 'env-pass' } });
    expect(config.upstream).not.toHaveProperty('dir');
  });

  it('MOUTHGUARD_UPSTREAM_PASS alone keeps the file user and the rest of the upstream', () => {
    const config = load(
      { ...minimal(), upstream: { type: 'smtp', host: 'smtp.file.example', port: 2587, auth: { user: 'file-user', pass: 'file-pass' } } },
      { MOUTHGUARD_UPSTREAM_PASS: 'env-pass' },
    );
    expect(config.upstream).toMatchObject({ host: 'smtp.file.example', port: 2587, auth: { user: 'file-user', pass: 'env-pass' } });
  });

  it('empty variables are ignored', () => {
    const config = load(minimal(), { MOUTHGUARD_SMTP_PORT: '', MOUTHGUARD_UPSTREAM_HOST: '', MOUTHGUARD_PRACTICE_DOMAINS: '' });
    expect(config.smtp.listeners[0]!.port).toBe(587);
    expect(config.upstream).toMatchObject({ host: 'smtp.provider.example' });
    expect(config.practice.domains).toEqual(['practice.test']);
  });

  it('work without a file', () => {
    const config = loadConfig({ env: { MOUTHGUARD_PRACTICE_DOMAINS: 'practice.test', MOUTHGUARD_UPSTREAM_HOST: 'smtp.env.example' } });
    expect(config.practice.domains).toEqual(['practice.test']);
    expect(config.upstream).toMatchObject({ type: 'smtp', host: 'smtp.env.example', secure: 'starttls' });
  });

  it('a bad port names the variable and the value', () => {
    for (const name of ['MOUTHGUARD_SMTP_PORT', 'MOUTHGUARD_ADMIN_PORT', 'MOUTHGUARD_UPSTREAM_PORT']) {
      const problems = problemsOf(() => load(minimal(), { [name]: 'abc' }));
      expect(problems.join('\n')).toContain(name);
      expect(problems.join('\n')).toContain('"abc"');
      expect(problemsOf(() => load(minimal(), { [name]: '70000' })).join('\n')).toContain('70000');
    }
    // Listeners may ask for any free port (0); the upstream needs a real one, and the message says which range.
    expect(problemsOf(() => load(minimal(), { MOUTHGUARD_UPSTREAM_PORT: '0' })).join('\n')).toContain('expected a port number 1-65535');
    expect(problemsOf(() => load(minimal(), { MOUTHGUARD_UPSTREAM_PORT: '-1' })).join('\n')).toContain('expected a port number 1-65535');
    expect(() => load(minimal(), { MOUTHGUARD_ADMIN_PORT: '0' })).not.toThrow();
  });

  it('bad values are validated like the file, naming the dotted key', () => {
    const secure = problemsOf(() => load(minimal(), { MOUTHGUARD_UPSTREAM_SECURE: 'ssl' }));
    expect(secure).toContainEqual(expect.stringMatching(/^upstream\.secure: got "ssl"/));
    const domains = problemsOf(() => load(minimal(), { MOUTHGUARD_PRACTICE_DOMAINS: 'good.test,bad domain' }));
    expect(domains).toContainEqual(expect.stringMatching(/^practice\.domains\.1: got "bad domain"/));
    const networks = problemsOf(() => load(minimal(), { MOUTHGUARD_TRUSTED_NETWORKS: '10.0.0.0/8,nonsense' }));
    expect(networks).toContainEqual(expect.stringMatching(/^smtp\.trustedNetworks\.1: got "nonsense"/));
  });

  it('an environment host still obeys the plaintext rule', () => {
    const raw = { ...minimal(), upstream: { type: 'smtp', host: '127.0.0.1', secure: 'none' } };
    expect(load(raw, {}).upstream).toMatchObject({ host: '127.0.0.1', secure: 'none' });
    expect(problemsOf(() => load(raw, { MOUTHGUARD_UPSTREAM_HOST: 'smtp.remote.example' }))).toContainEqual(
      expect.stringMatching(/^upstream\.secure:.*smtp\.remote\.example/),
    );
  });

  it('applyEnvOverrides does not modify the raw object it is given', () => {
    const raw = { ...minimal(), smtp: { listeners: [{ port: 587, mode: 'starttls' }] } };
    const before = structuredClone(raw);
    applyEnvOverrides(raw, { MOUTHGUARD_SMTP_PORT: '2525', MOUTHGUARD_UPSTREAM_HOST: 'x.example' }, 'test');
    expect(raw).toEqual(before);
  });
});

describe('printableConfig', () => {
  it('redacts the upstream password and nothing else that matters', () => {
    const config = validateConfig(
      { ...minimal(), upstream: { type: 'smtp', host: 'smtp.provider.example', auth: { user: 'practice-user', pass: 'p@ss-secret-123' } } },
      'test',
    );
    const text = printableConfig(config);
    expect(text).not.toContain('p@ss-secret-123');
    const printed = JSON.parse(text) as { upstream: { auth: { user: string; pass: string }; host: string }; smtp: { limits: unknown } };
    expect(printed.upstream.auth).toEqual({ user: 'practice-user', pass: '[redacted]' });
    expect(printed.upstream.host).toBe('smtp.provider.example');
    expect(printed.smtp.limits).toEqual(config.smtp.limits);
  });

  it('prints a config without secrets unchanged', () => {
    const config = validateConfig(minimal(), 'test');
    expect(JSON.parse(printableConfig(config))).toEqual(JSON.parse(JSON.stringify(config)));
  });
});

describe('units', () => {
  it('parseDuration', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('5d')).toBe(432_000_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration(' 10 S ')).toBe(10_000);
    expect(parseDuration(1234)).toBe(1234);
    expect(parseDuration(0)).toBe(0);
    for (const bad of ['', 'soon', '5', '5 weeks', '-5s', '5w', '1h30m']) expect(parseDuration(bad), bad).toBeNull();
    expect(parseDuration(-1)).toBeNull();
    expect(parseDuration(Number.NaN)).toBeNull();
    expect(parseDuration(Number.POSITIVE_INFINITY)).toBeNull();
  });

  it('parseSize', () => {
    expect(parseSize('35MB')).toBe(35_000_000);
    expect(parseSize('512KiB')).toBe(524_288);
    expect(parseSize('1GiB')).toBe(1024 ** 3);
    expect(parseSize('2kb')).toBe(2000);
    expect(parseSize('100')).toBe(100);
    expect(parseSize('100 B')).toBe(100);
    expect(parseSize('1.5MB')).toBe(1_500_000);
    expect(parseSize(4096)).toBe(4096);
    for (const bad of ['', 'lots', '-1MB', '5TB', '1 MiBs']) expect(parseSize(bad), bad).toBeNull();
    expect(parseSize(1.5)).toBeNull();
    expect(parseSize(-1)).toBeNull();
  });

  it('the schema rejects what the parsers reject', () => {
    const bad = configSchema.safeParse({ ...minimal(), delivery: { lease: '10 minutes' } });
    expect(bad.success).toBe(false);
  });
});
