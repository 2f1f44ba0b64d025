import { readFileSync } from 'node:fs';
import { isAbsolute, resolve, dirname } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { configSchema, type Config } from './schema.js';
import { applyEnvOverrides, type EnvOrigins } from './env.js';
import { isSecretPath } from './print.js';
import { suggestKey } from './key-suggestions.js';
import { ConfigError } from './config-error.js';
import { deepFreeze } from './deep-freeze.js';

export interface LoadOptions {
  /** Path of the YAML file; MOUTHGUARD_CONFIG when absent. */
  path?: string | undefined;
  env?: NodeJS.ProcessEnv;
}

/** Where a configuration came from when no file was named: the reader is told how to name one. */
const NO_FILE =
  'the environment alone (no configuration file: give one with --config FILE or MOUTHGUARD_CONFIG, or put mouthguard.yaml in the working directory)';

/** Reads the YAML file, applies environment overrides, validates, resolves paths; frozen result. */
export function loadConfig(options: LoadOptions = {}): Readonly<Config> {
  const env = options.env ?? process.env;
  const path = options.path ?? env.MOUTHGUARD_CONFIG;
  const raw = path ? readYaml(path) : {};
  const source = path ?? 'environment';
  const origins: EnvOrigins = new Map();
  const withEnv = applyEnvOverrides(raw, env, source, origins);
  const described = !path ? NO_FILE : origins.size > 0 ? `${path} and the environment` : path;
  const config = validateConfig(withEnv, described, origins);
  const base = path ? dirname(resolve(path)) : process.cwd();
  return deepFreeze(resolvePaths(config, base));
}

export function validateConfig(raw: unknown, source: string, origins: EnvOrigins = new Map()): Config {
  const result = configSchema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;
  throw new ConfigError(source, result.error.issues.flatMap((issue) => problemsOf(issue, origins)));
}

/** One line per problem: a mapping with several unknown keys gives a line for each, each with its own origin. */
function problemsOf(issue: z.core.$ZodIssue, origins: EnvOrigins): string[] {
  if (issue.code !== 'unrecognized_keys') return [withOrigin(issue, describeIssue(issue), origins)];
  return issue.keys.map((k) => {
    const one = { ...issue, keys: [k] };
    return withOrigin(one, describeIssue(one), origins);
  });
}

/**
 * A problem with a key an environment variable set is reported against the variable: the
 * value is not in the file, and the fix is to unset or correct the variable. So is a key
 * missing from a mapping a variable created (upstream.auth from MOUTHGUARD_UPSTREAM_PASS
 * alone), and a clash with a key a variable set that the problem names (another listener).
 */
function withOrigin(issue: z.core.$ZodIssue, problem: string, origins: EnvOrigins): string {
  // An unknown-key issue arrives here with one key (problemsOf).
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, ...issue.keys].join('.') : issue.path.join('.');
  for (const [key, variable] of origins) {
    // The key itself, or an item of a list it set (smtp.trustedNetworks.1).
    if (path === key || (path.startsWith(`${key}.`) && /^\d+$/.test(path.slice(key.length + 1)))) {
      return issue.code === 'unrecognized_keys' ? unusedKey(issue, problem, variable) : `${problem} (set by ${variable}: correct or unset it)`;
    }
    if (issue.input === undefined && path.slice(0, path.lastIndexOf('.')) === key) {
      return `${problem} (${key} was made by ${variable}: set this too, or unset ${variable})`;
    }
  }
  for (const [key, variable] of origins) {
    // "smtp.listeners[0] listens on this port": the port of smtp.listeners.0 came from a variable.
    const named = key.replace(/\.(\d+)(?=\.|$)/g, '[$1]');
    if (named === key) continue; // only list items are named this way (smtp.listeners[0])
    const owner = named.slice(0, named.lastIndexOf('.'));
    if (problem.includes(named) || (owner.endsWith(']') && problem.includes(owner))) return `${problem} (${named} is set by ${variable})`;
  }
  return problem;
}

/** A key a variable set that this configuration does not take (an SMTP setting over a capture upstream). */
function unusedKey(issue: z.core.$ZodIssue, problem: string, variable: string): string {
  const unused = problem.replace(/: remove it or fix its spelling.*$/, '');
  const type = issue.path.join('.') === 'upstream' ? (issue.input as { type?: unknown } | undefined)?.type : undefined;
  return type === 'capture'
    ? `${unused}: not used by the capture upstream (set by ${variable}: unset it, or set MOUTHGUARD_UPSTREAM_HOST for an SMTP upstream)`
    : `${unused}: not used with this configuration (set by ${variable}: correct or unset it)`;
}

function readYaml(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(path, [`cannot read the file (${code}): check the path given by --config or MOUTHGUARD_CONFIG`]);
  }
  try {
    const doc: unknown = parseYaml(text, { prettyErrors: true });
    return doc ?? {};
  } catch (err) {
    // The line and column only: the excerpt yaml adds could be a password's line.
    const message = err instanceof YAMLParseError ? err.message.split(':\n')[0]! : 'cannot be parsed';
    throw new ConfigError(path, [`not valid YAML: ${message}`]);
  }
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const key = issue.path.map(String).join('.') || '(top level)';
  if (issue.code === 'unrecognized_keys') {
    const where = issue.path.length ? `${key}.` : '';
    return issue.keys
      .map((k) => {
        const meant = suggestKey(configSchema, issue.path, k);
        return `unknown key ${where}${k}: remove it or fix its spelling (${meant ? `did you mean ${meant}?` : 'see mouthguard.example.yaml'})`;
      })
      .join('\n  - ');
  }
  if (issue.code === 'invalid_union' && issue.discriminator) {
    // Name only the discriminating field: the whole object may hold secrets (upstream.auth.pass).
    const value = (issue.input as Record<string, unknown> | undefined)?.[issue.discriminator];
    const options = 'options' in issue && Array.isArray(issue.options) ? (issue.options as unknown[]) : [];
    const where = issue.path[issue.path.length - 1] === issue.discriminator ? key : `${key}.${issue.discriminator}`;
    return `${where}: ${value === undefined ? 'missing' : `got ${JSON.stringify(value)}`}; expected one of ${options.map((o) => JSON.stringify(o)).join(', ')}`;
  }
  return `${key}: ${shownInput(issue)}; ${fixFor(issue)}`;
}

/** The bad value, unless it may be a secret, or is a mapping or a list of mappings (which may hold one). */
function shownInput(issue: z.core.$ZodIssue): string {
  const input = (issue as { input?: unknown }).input;
  if (input === undefined) return 'missing';
  if (isSecretPath(issue.path)) return `got a ${Array.isArray(input) ? 'list' : typeof input === 'object' ? 'mapping' : typeof input} (not shown: it may be a secret)`;
  const scalarList = Array.isArray(input) && input.length <= 20 && input.every((v) => v === null || typeof v !== 'object');
  if (input !== null && typeof input === 'object' && !scalarList) return Array.isArray(input) ? 'got a list' : 'got a mapping';
  return `got ${JSON.stringify(input)}`;
}

function fixFor(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'too_small':
      // The schema's own words when it has them (zod's default messages begin "Too small").
      if (!issue.message.startsWith('Too small')) return issue.message;
      if (issue.origin === 'string') return issue.minimum === 1 ? 'must not be empty' : `must be at least ${String(issue.minimum)} characters`;
      return `must be at least ${String(issue.minimum)}${issue.origin === 'array' ? ' entries' : ''}`;
    case 'too_big':
      if (!issue.message.startsWith('Too big')) return issue.message;
      return `must be at most ${String(issue.maximum)}${issue.origin === 'string' ? ' characters' : issue.origin === 'array' ? ' entries' : ''}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union':
      return 'expected a value of one of the documented forms (see mouthguard.example.yaml)';
    case 'invalid_key':
      // The key's own schema says what a key must be ("expected a domain name such as …").
      return `${issue.issues.map(fixFor).join('; ')} as a key of ${issue.path.slice(0, -1).join('.')}`;
    default:
      return issue.message;
  }
}

function resolvePaths(config: Config, base: string): Config {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const dataDir = abs(config.dataDir);
  const smtpTls = config.smtp.tls && { cert: abs(config.smtp.tls.cert), key: abs(config.smtp.tls.key) };
  const upstream =
    config.upstream.type === 'capture'
      ? { ...config.upstream, dir: abs(config.upstream.dir ?? resolve(dataDir, 'outbox')) }
      : { ...config.upstream, tls: { ...config.upstream.tls, ...(config.upstream.tls.ca ? { ca: abs(config.upstream.tls.ca) } : {}) } };
  return { ...config, dataDir, smtp: { ...config.smtp, ...(smtpTls ? { tls: smtpTls } : {}) }, upstream };
}

