import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { newQueueId } from '../../src/core/ids.js';
import { SqliteStore, type SqliteStoreOptions } from '../../src/store/sqlite/sqlite-store.js';
import { LeaseLostError, type BodySpool, type NewMessage } from '../../src/store/types.js';
import { disclaimerStoreContract } from '../contracts/disclaimer-store-contract.js';
import { heldStoreContract } from '../contracts/held-store-contract.js';
import { patientListContract } from '../contracts/patient-list-contract.js';
import { queueStoreContract } from '../contracts/queue-store-contract.js';
import { filesHolding } from '../helpers/data-dir.js';
import { tempDir } from '../helpers/test-config.js';

async function openSqlite(options: SqliteStoreOptions = {}) {
  const dir = tempDir('mouthguard-store-');
  const store = await SqliteStore.open(dir, options);
  return {
    store,
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** As openSqlite, plus reopen: closes the store and opens the same data directory again. */
async function openSqliteReopenable() {
  const dir = tempDir('mouthguard-store-');
  let store = await SqliteStore.open(dir);
  return {
    store,
    async reopen() {
      await store.close();
      store = await SqliteStore.open(dir);
      return store;
    },
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

queueStoreContract('sqlite', () => openSqlite());
// The same contract with every body in a spool file, and with every body in the database.
queueStoreContract('sqlite, bodies as files', () => openSqlite({ inlineBodyMax: 1 }));
queueStoreContract('sqlite, bodies in the database', () => openSqlite({ inlineBodyMax: 16 * 1024 * 1024 }));
heldStoreContract('sqlite', () => openSqlite());
patientListContract('sqlite', () => openSqlite());
disclaimerStoreContract('sqlite', openSqliteReopenable);

describe('SqliteStore specifics', () => {
  const T0 = 1_800_000_000_000;
  const opened: { store: SqliteStore; dir: string }[] = [];

  afterEach(async () => {
    for (const { store, dir } of opened.splice(0)) {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  async function fresh(dir = tempDir('mouthguard-store-'), options: SqliteStoreOptions = {}) {
    const store = await SqliteStore.open(dir, options);
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

  const ALL_FILES: SqliteStoreOptions = { inlineBodyMax: 1 };

  /** Ends two queued messages: one delivered (a final attempt), one deleted by an operator. */
  async function deliverAndDelete(store: SqliteStore, delivered: string, deleted: string): Promise<void> {
    await store.leaseDue('w1', 10, 60_000, T0);
    await store.recordAttempt({
      id: delivered,
      owner: 'w1',
      results: [{ address: 'orders@lab.test', status: 'delivered', reply: '250 ok' }],
      outcome: { kind: 'final', state: 'delivered' },
      lastError: null,
    });
    // Past the lease: an operator may not delete a message while it is being delivered.
    expect(await store.deleteMessage(deleted, T0 + 60_001)).toBe('deleted');
  }

  it('removeOrphanBodies deletes spool files without a queued row and keeps queued ones', async () => {
    const { store, dir } = await fresh(undefined, ALL_FILES);
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
    const { store, dir } = await fresh(undefined, ALL_FILES);
    const id = newQueueId(T0);
    const spool = await spoolWith(store, id, Buffer.from('x\r\n'));
    expect(existsSync(bodyFile(dir, id))).toBe(true);
    await spool.discard();
    await spool.discard();
    expect(existsSync(bodyFile(dir, id))).toBe(false);
  });

  it('a final attempt and an operator deletion remove the body file', async () => {
    const { store, dir } = await fresh(undefined, ALL_FILES);
    const delivered = await put(store);
    const deleted = await put(store);
    expect(readdirSync(join(dir, 'spool'))).toHaveLength(2);
    await deliverAndDelete(store, delivered, deleted);
    expect(readdirSync(join(dir, 'spool'))).toEqual([]);
  });

  it('a body up to inlineBodyMax is kept in the database; one past it, in whatever chunks, goes to a spool file whole', async () => {
    const { store, dir } = await fresh(undefined, { inlineBodyMax: 64 });
    const small = await put(store, Buffer.alloc(64, 'a'));
    expect(existsSync(bodyFile(dir, small))).toBe(false);
    expect((await readAll(await store.openBody(small))).equals(Buffer.alloc(64, 'a'))).toBe(true);

    // 40 + 40 octets: the first chunk is held in memory, the second tips it into a file.
    const big = newQueueId(T0);
    const body = Buffer.concat([Buffer.alloc(40, 'b'), Buffer.alloc(40, 'c')]);
    const spool = store.createSpool(big);
    spool.write(body.subarray(0, 40));
    await new Promise<void>((resolve, reject) => {
      spool.once('error', reject);
      spool.end(body.subarray(40), () => resolve());
    });
    expect(spool.bytesWritten).toBe(80);
    await store.enqueue(message(big, body), spool);
    expect(readFileSync(bodyFile(dir, big)).equals(body)).toBe(true);
    expect((await readAll(await store.openBody(big))).equals(body)).toBe(true);
  });

  it('enqueue refuses a spool that has not ended, and another message\'s spool', async () => {
    const { store } = await fresh();
    const id = newQueueId(T0);
    const open = store.createSpool(id);
    open.write(Buffer.from('Subject: x\r\n'));
    await expect(store.enqueue(message(id, Buffer.alloc(0)), open)).rejects.toThrow(/before it ended/);
    await open.discard();
    const other = await spoolWith(store, newQueueId(T0), Buffer.from('x\r\n'));
    await expect(store.enqueue(message(id, Buffer.alloc(0)), other)).rejects.toThrow(/not this store's spool/);
    expect(await store.getMessage(id)).toBeNull();
  });

  async function eventually(what: string, check: () => boolean, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  it.each([
    ['the relay, once the store is quiet', 'wal-sync'],
    ['a tool, once it closes', 'full'],
  ] as const)('a delivered, a deleted and a rejected body kept in the database leave no trace in its files: %s', async (_, durability) => {
    const { store, dir } = await fresh(undefined, { durability });
    const markers = [0, 1, 2].map(() => Buffer.from(`NHS ${randomBytes(12).toString('hex')}`));
    // Larger than a database page: the marker is in the row and in its overflow pages.
    const filler = Buffer.alloc(20_000, 'z');
    const bodyWith = (marker: Buffer) => Buffer.concat([Buffer.from('Subject: x\r\n\r\n'), marker, filler, marker, filler, marker]);
    const [delivered, deleted] = [await put(store, bodyWith(markers[0]!)), await put(store, bodyWith(markers[1]!))];
    const heldId = newQueueId(T0);
    const held = bodyWith(markers[2]!);
    await store.enqueue(
      { ...message(heldId, held), hold: { reasons: [], findings: [], chain: { earlierRecipients: 0, earlierExternalRecipients: 0, visibleExternalRecipients: 1 } } },
      await spoolWith(store, heldId, held),
    );
    for (const marker of markers) expect(filesHolding(dir, marker), 'the body is on disk while queued').not.toEqual([]);

    await deliverAndDelete(store, delivered, deleted);
    expect(await store.rejectHeld(heldId, 'it@practice.test', 'patient data', T0)).toBe(true);
    for (const id of [delivered, deleted, heldId]) await expect(store.openBody(id)).rejects.toThrow();
    if (durability === 'full') {
      // Another connection keeps the database open, as a running relay would: closing alone would checkpoint.
      const relay = await SqliteStore.open(dir);
      await store.close();
      expect(markers.flatMap((m) => filesHolding(dir, m))).toEqual([]);
      await relay.close();
      return;
    }
    await eventually('no file holds a deleted body', () => markers.every((m) => filesHolding(dir, m).length === 0));
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

  it('the relay\'s store waits for another process\'s write lock without holding up the event loop, then commits', async () => {
    const { store, dir } = await fresh(undefined, { durability: 'wal-sync' });
    const holder = new Database(join(dir, 'mouthguard.db'));
    holder.prepare('BEGIN IMMEDIATE').run();
    const id = newQueueId(T0);
    const body = Buffer.from('Subject: waits\r\n\r\nbody\r\n');
    const committed = store.enqueue(message(id, body), await spoolWith(store, id, body));
    const leased = store.leaseDue('w1', 10, 60_000, T0 + 1);
    // Timers keep firing while both wait: the waits are between turns of the event loop.
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    await new Promise((resolve) => setTimeout(resolve, 400));
    clearInterval(ticker);
    expect(ticks).toBeGreaterThan(10);
    holder.prepare('ROLLBACK').run();
    holder.close();
    await committed;
    await leased; // it may have run before or after the commit; either way it did not fail
    expect((await store.getMessage(id))?.state).toBe('queued');
  });

  it('a CLI tool\'s read-then-write operations wait for a write lock another process holds briefly', async () => {
    const { store, dir } = await fresh();
    const queued = await put(store);
    const other = await put(store);
    // Another process (as the relay would be) holds the write lock for 600 ms.
    const holder = spawn(
      process.execPath,
      ['-e', `const D = require('better-sqlite3'); const db = new D(${JSON.stringify(join(dir, 'mouthguard.db'))}); db.prepare('BEGIN IMMEDIATE').run(); console.log('locked'); setTimeout(() => { db.prepare('ROLLBACK').run(); db.close(); }, 600);`],
      { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve, reject) => {
      holder.stdout.once('data', () => resolve());
      holder.once('exit', (code) => reject(new Error(`lock holder exited (${String(code)})`)));
    });
    // A deferred transaction that has read gets SQLITE_BUSY at once when it tries to write: these wait instead.
    expect(await store.retryNow(queued, T0 + 1)).toBe('due');
    expect(await store.deleteMessage(other, T0 + 1)).toBe('deleted');
    await once(holder, 'exit');
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
    expect(await first.deleteMessage(other, T0 + 60_001)).toBe('deleted'); // past w1's lease
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
