import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { newQueueId } from '../../src/core/ids.js';
import { LeaseLostError, SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { BodySpool, NewMessage } from '../../src/store/types.js';
import { heldStoreContract } from '../contracts/held-store-contract.js';
import { patientListContract } from '../contracts/patient-list-contract.js';
import { queueStoreContract } from '../contracts/queue-store-contract.js';
import { tempDir } from '../helpers/test-config.js';

async function openSqlite() {
  const dir = tempDir('mouthguard-store-');
  const store = await SqliteStore.open(dir);
  return {
    store,
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

queueStoreContract('sqlite', openSqlite);
heldStoreContract('sqlite', openSqlite);
patientListContract('sqlite', openSqlite);

describe('SqliteStore specifics', () => {
  const T0 = 1_800_000_000_000;
  const opened: { store: SqliteStore; dir: string }[] = [];

  afterEach(async () => {
    for (const { store, dir } of opened.splice(0)) {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  async function fresh(dir = tempDir('mouthguard-store-')) {
    const store = await SqliteStore.open(dir);
    opened.push({ store, dir });
    return { store, dir };
  }

  async function spoolWith(store: SqliteStore, id: string, body: Buffer): Promise<BodySpool> {
    const spool = store.createSpool(id);
    await new Promise<void>((resolve, reject) => {
      spool.once('error', reject);
      spool.end(body, () => resolve());
    });
    return spool;
  }

  function message(id: string, body: Buffer, receivedAt = T0): NewMessage {
    return {
      id,
      kind: 'message',
      mailFrom: 'reception@practice.test',
      rcptTo: ['orders@lab.test'],
      client: { address: '127.0.0.1', helo: 'pc', user: null, tls: false, listener: 'plain' },
      size: body.length,
      traceHeader: 'Received: x\r\n',
      receivedAt,
    };
  }

  async function put(store: SqliteStore, body = Buffer.from('Subject: x\r\n\r\nbody\r\n'), receivedAt = T0): Promise<string> {
    const id = newQueueId(receivedAt);
    await store.enqueue(message(id, body, receivedAt), await spoolWith(store, id, body));
    return id;
  }

  async function readAll(stream: Readable): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
    return Buffer.concat(chunks);
  }

  const bodyFile = (dir: string, id: string) => join(dir, 'spool', `${id}.eml`);

  it('removeOrphanBodies deletes spool files without a queued row and keeps queued ones', async () => {
    const { store, dir } = await fresh();
    const queued = await put(store);
    const orphan = newQueueId(T0);
    await spoolWith(store, orphan, Buffer.from('never committed\r\n'));
    expect(existsSync(bodyFile(dir, orphan))).toBe(true);

    expect(await store.removeOrphanBodies()).toBe(1);
    expect(existsSync(bodyFile(dir, orphan))).toBe(false);
    expect(existsSync(bodyFile(dir, queued))).toBe(true);
    expect((await readAll(await store.openBody(queued))).toString()).toBe('Subject: x\r\n\r\nbody\r\n');
    expect(await store.removeOrphanBodies()).toBe(0);
  });

  it('a discarded spool leaves no file behind', async () => {
    const { store, dir } = await fresh();
    const id = newQueueId(T0);
    const spool = await spoolWith(store, id, Buffer.from('x\r\n'));
    await spool.discard();
    await spool.discard();
    expect(existsSync(bodyFile(dir, id))).toBe(false);
  });

  it('a final attempt and an operator deletion remove the body file', async () => {
    const { store, dir } = await fresh();
    const delivered = await put(store);
    const deleted = await put(store);
    await store.leaseDue('w1', 10, 60_000, T0);
    await store.recordAttempt({
      id: delivered,
      owner: 'w1',
      results: [{ address: 'orders@lab.test', status: 'delivered', reply: '250 ok' }],
      outcome: { kind: 'final', state: 'delivered' },
      lastError: null,
    });
    await store.deleteMessage(deleted, T0);
    expect(readdirSync(join(dir, 'spool'))).toEqual([]);
  });

  it('releaseAllLeases returns every lease to the queue at once', async () => {
    const { store } = await fresh();
    const a = await put(store);
    const b = await put(store);
    expect(await store.leaseDue('w1', 10, 600_000, T0)).toHaveLength(2);
    expect(await store.leaseDue('w2', 10, 600_000, T0 + 1)).toEqual([]);
    expect(await store.releaseAllLeases()).toBe(2);
    expect((await store.leaseDue('w2', 10, 600_000, T0 + 1)).map((m) => m.id).sort()).toEqual([a, b].sort());
    // The former owner lost its lease.
    await expect(
      store.recordAttempt({ id: a, owner: 'w1', results: [], outcome: { kind: 'retry', nextAttemptAt: T0 + 5 }, lastError: null }),
    ).rejects.toBeInstanceOf(LeaseLostError);
    expect(await store.releaseAllLeases()).toBe(2);
    expect(await store.releaseAllLeases()).toBe(0);
  });

  it('data survives close and reopen', async () => {
    const dir = tempDir('mouthguard-store-');
    const first = await SqliteStore.open(dir);
    const body = Buffer.from('Subject: persisted\r\n\r\n\u00e9 body\r\n');
    const id = await put(first, body);
    const other = await put(first);
    await first.leaseDue('w1', 10, 60_000, T0);
    await first.recordAttempt({
      id,
      owner: 'w1',
      results: [{ address: 'orders@lab.test', status: 'pending', reply: '451 4.3.0 later' }],
      outcome: { kind: 'retry', nextAttemptAt: T0 + 5000 },
      lastError: '451 4.3.0 later',
    });
    await first.deleteMessage(other, T0 + 1);
    await first.addAccount({ name: 'reception', passwordHash: 'scrypt$h', allowedSenders: ['@practice.test'] });
    const before = await first.getMessage(id);
    const statsBefore = await first.stats();
    await first.close();

    const { store } = await fresh(dir);
    expect(await store.getMessage(id)).toEqual(before);
    expect(await store.stats()).toEqual(statsBefore);
    expect((await readAll(await store.openBody(id))).equals(body)).toBe(true);
    expect(await store.getAccount('reception')).toMatchObject({ passwordHash: 'scrypt$h', allowedSenders: ['@practice.test'] });
    expect(await store.leaseDue('w2', 10, 60_000, T0 + 4999)).toEqual([]);
    expect((await store.leaseDue('w2', 10, 60_000, T0 + 5000)).map((m) => m.id)).toEqual([id]);
  });

  it('store errors reject the returned promise rather than throw (QueueStore: "every method rejects on a store error")', async () => {
    const dir = tempDir('mouthguard-store-');
    const store = await SqliteStore.open(dir);
    await store.close();
    const calls: [string, () => Promise<unknown>][] = [
      ['stats', () => store.stats()],
      ['getMessage', () => store.getMessage(newQueueId(T0))],
      ['listMessages', () => store.listMessages({ limit: 10 })],
      ['leaseDue', () => store.leaseDue('w1', 10, 1000, T0)],
      ['releaseAllLeases', () => store.releaseAllLeases()],
      ['retryNow', () => store.retryNow(newQueueId(T0), T0)],
      ['deleteMessage', () => store.deleteMessage(newQueueId(T0), T0)],
      ['purgeFinished', () => store.purgeFinished(T0)],
      ['getAccount', () => store.getAccount('x')],
      ['listAccounts', () => store.listAccounts()],
      ['addAccount', () => store.addAccount({ name: 'x', passwordHash: 'h', allowedSenders: [] })],
      ['setPassword', () => store.setPassword('x', 'h')],
      ['removeAccount', () => store.removeAccount('x')],
      ['ping', () => store.ping()],
    ];
    try {
      for (const [name, call] of calls) {
        let result: Promise<unknown> | undefined;
        expect(() => {
          result = call();
        }, `${name} threw synchronously`).not.toThrow();
        await expect(result, name).rejects.toThrow();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('close is idempotent', async () => {
    const dir = tempDir('mouthguard-store-');
    const store = await SqliteStore.open(dir);
    await store.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
