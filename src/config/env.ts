import { ConfigError } from './config-error.js';

type Raw = Record<string, unknown>;

function obj(parent: Raw, key: string): Raw {
  const current = parent[key];
  if (current && typeof current === 'object' && !Array.isArray(current)) return current as Raw;
  const fresh: Raw = {};
  parent[key] = fresh;
  return fresh;
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function portNumber(name: string, value: string, lowest: 0 | 1): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < lowest || n > 65535) {
    throw new ConfigError('environment', [`${name}: got ${JSON.stringify(value)}; expected a port number ${lowest}-65535`]);
  }
  return n;
}

/** Which configuration keys an environment variable set, by key path ("upstream.secure"). */
export type EnvOrigins = Map<string, string>;

/**
 * Container-friendly overrides of the essentials (README lists them). They are applied to
 * the raw YAML before validation, so a bad value is reported like any other key; `origins`
 * (if given) learns which keys they set, so that the report can name the variable instead.
 */
export function applyEnvOverrides(raw: unknown, env: NodeJS.ProcessEnv, source: string, origins: EnvOrigins = new Map()): unknown {
  if (raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw new ConfigError(source, ['(top level): expected a mapping of keys such as practice, smtp, upstream']);
  }
  const root: Raw = structuredClone((raw ?? {}) as Raw);
  const e = (name: string) => {
    const v = env[name];
    return v === undefined || v === '' ? undefined : v;
  };
  const dataDir = e('MOUTHGUARD_DATA_DIR');
  if (dataDir) root.dataDir = dataDir;
  if (dataDir) origins.set('dataDir', 'MOUTHGUARD_DATA_DIR');
  const domains = e('MOUTHGUARD_PRACTICE_DOMAINS');
  if (domains) obj(root, 'practice').domains = list(domains);
  if (domains) origins.set('practice.domains', 'MOUTHGUARD_PRACTICE_DOMAINS');
  const smtpPort = e('MOUTHGUARD_SMTP_PORT');
  if (smtpPort) {
    const index = setSubmissionPort(obj(root, 'smtp'), portNumber('MOUTHGUARD_SMTP_PORT', smtpPort, 0));
    origins.set(`smtp.listeners.${index}.port`, 'MOUTHGUARD_SMTP_PORT');
  }
  const trusted = e('MOUTHGUARD_TRUSTED_NETWORKS');
  if (trusted) obj(root, 'smtp').trustedNetworks = list(trusted);
  if (trusted) origins.set('smtp.trustedNetworks', 'MOUTHGUARD_TRUSTED_NETWORKS');
  const adminPort = e('MOUTHGUARD_ADMIN_PORT');
  if (adminPort) obj(root, 'admin').port = portNumber('MOUTHGUARD_ADMIN_PORT', adminPort, 0);
  if (adminPort) origins.set('admin.port', 'MOUTHGUARD_ADMIN_PORT');
  applyUpstream(root, e, origins);
  return root;
}

/** MOUTHGUARD_SMTP_PORT moves the STARTTLS submission listener (created if absent); its index. */
function setSubmissionPort(smtp: Raw, port: number): number {
  const listeners = Array.isArray(smtp.listeners) ? (smtp.listeners as Raw[]) : [];
  let index = listeners.findIndex((l) => l && l.mode === 'starttls');
  if (index >= 0) listeners[index]!.port = port;
  else {
    listeners.unshift({ name: 'submission', port, mode: 'starttls' });
    index = 0;
  }
  smtp.listeners = listeners;
  return index;
}

function applyUpstream(root: Raw, e: (name: string) => string | undefined, origins: EnvOrigins): void {
  const host = e('MOUTHGUARD_UPSTREAM_HOST');
  const port = e('MOUTHGUARD_UPSTREAM_PORT');
  const secure = e('MOUTHGUARD_UPSTREAM_SECURE');
  const user = e('MOUTHGUARD_UPSTREAM_USER');
  const pass = e('MOUTHGUARD_UPSTREAM_PASS');
  if (!host && !port && !secure && !user && !pass) return;
  const upstream = obj(root, 'upstream');
  if (host) {
    // Naming a host means an SMTP upstream, even over a demo capture config.
    if (upstream.type !== 'smtp') {
      for (const key of Object.keys(upstream)) delete upstream[key];
    }
    upstream.type = 'smtp';
    upstream.host = host;
  }
  if (host) origins.set('upstream.host', 'MOUTHGUARD_UPSTREAM_HOST');
  if (port) upstream.port = portNumber('MOUTHGUARD_UPSTREAM_PORT', port, 1);
  if (port) origins.set('upstream.port', 'MOUTHGUARD_UPSTREAM_PORT');
  if (secure) upstream.secure = secure;
  if (secure) origins.set('upstream.secure', 'MOUTHGUARD_UPSTREAM_SECURE');
  if (user || pass) upstream.auth = { ...(upstream.auth as Raw | undefined), ...(user ? { user } : {}), ...(pass ? { pass } : {}) };
  if (user) origins.set('upstream.auth.user', 'MOUTHGUARD_UPSTREAM_USER');
  if (pass) origins.set('upstream.auth.pass', 'MOUTHGUARD_UPSTREAM_PASS');
  // The mapping itself (a key the upstream type does not take) is owed to whichever set it.
  if (user || pass) origins.set('upstream.auth', [user && 'MOUTHGUARD_UPSTREAM_USER', pass && 'MOUTHGUARD_UPSTREAM_PASS'].filter(Boolean).join(' and '));
}
