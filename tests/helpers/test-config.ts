import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';

export const PRACTICE_DOMAIN = 'practice.test';

export function tempDir(prefix = 'mouthguard-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * A raw (YAML-shaped) config for tests: loopback listeners on port 0, AUTH allowed without
 * TLS only where a test asks, fast retries, upstream on the given port.
 */
export function rawTestConfig(upstreamPort: number, dataDir: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    practice: { name: 'Test Practice', domains: [PRACTICE_DOMAIN] },
    dataDir,
    smtp: {
      hostname: 'relay.test',
      listeners: [
        { name: 'submission', host: '127.0.0.1', port: 0, mode: 'starttls' },
        { name: 'plain', host: '127.0.0.1', port: 0, mode: 'plain' },
      ],
      trustedNetworks: ['127.0.0.1/32'],
    },
    upstream: { type: 'smtp', host: '127.0.0.1', port: upstreamPort, secure: 'none' },
    delivery: { pollInterval: '100ms', retry: { initialDelay: '200ms', maxDelay: '1s', maxAge: '1h' } },
    admin: { host: '127.0.0.1', port: 0 },
    log: { level: 'silent' },
  };
  return deepMerge(base, extra);
}

export function testConfig(upstreamPort: number, dataDir: string, extra: Record<string, unknown> = {}): Config {
  return validateConfig(rawTestConfig(upstreamPort, dataDir, extra), 'test');
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur)
        ? deepMerge(cur as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}
