import { pino } from 'pino';
import { hashPassword } from '../../src/accounts/passwords.js';
import type { Config } from '../../src/config/schema.js';
import { startRelay, type Relay } from '../../src/main.js';
import { openStore } from '../../src/store/open-store.js';
import { RecordingUpstream } from './recording-upstream.js';
import { PRACTICE_DOMAIN, tempDir, testConfig } from './test-config.js';

export const TEST_USER = 'reception';
export const TEST_PASSWORD = 'correct horse battery';
export const TEST_SENDER = `reception@${PRACTICE_DOMAIN}`;

export interface Harness {
  readonly relay: Relay;
  readonly upstream: RecordingUpstream;
  readonly dataDir: string;
  readonly config: Config;
  port(name: 'submission' | 'plain'): number;
  stop(): Promise<void>;
}

/**
 * Inspection threads load the built JavaScript (dist), which vitest's TypeScript sources do
 * not provide: in-process relays inspect on the main thread. Relay-process tests use threads.
 */
function onMainThread(extra: Record<string, unknown>): Record<string, unknown> {
  const policy = (extra.policy ?? {}) as Record<string, unknown>;
  const inspection = (policy.inspection ?? {}) as Record<string, unknown>;
  return { ...extra, policy: { ...policy, inspection: { workers: 0, ...inspection } } };
}

/** A relay started in this process (real sockets, real SQLite) with a recording upstream and one account. */
export async function startHarness(extra: Record<string, unknown> = {}): Promise<Harness> {
  const upstream = await new RecordingUpstream().start();
  const dataDir = tempDir();
  const config = testConfig(upstream.port, dataDir, onMainThread(extra));
  const { store } = await openStore(config);
  await store.addAccount({ name: TEST_USER, passwordHash: await hashPassword(TEST_PASSWORD), allowedSenders: [] });
  await store.close();
  const relay = await startRelay(config, { log: pino({ level: 'silent' }), closeTimeout: 2000 });
  return {
    relay,
    upstream,
    dataDir,
    config,
    port(name) {
      const listener = relay.listeners.find((l) => l.name === name);
      if (!listener) throw new Error(`no listener ${name}`);
      return listener.port;
    },
    async stop() {
      await relay.stop();
      await upstream.stop();
    },
  };
}
