import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClientInfo } from '../../src/core/envelope.js';
import { newQueueId } from '../../src/core/ids.js';
import {
  AccountExistsError,
  MESSAGE_STATES,
  type AttemptRecord,
  type BodySpool,
  type MessageKind,
  type MessageState,
  type NewMessage,
  type Store,
} from '../../src/store/types.js';

/**
 * The behaviour every `Store` engine must have, whatever it keeps its data in. An engine's
 * test calls `queueStoreContract('sqlite', open)`; `open` gives a fresh, empty store and a
 * cleanup that closes it and removes its data. Nothing here may assume SQL or file paths.
 */
export function queueStoreContract(name: string, open: () => Promise<{ store: Store; cleanup(): Promise<void> }>): void {
  describe(`${name} store: the Store contract`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    /** Spools a test made but did not commit: discarded after each test. */
    let loose: BodySpool[];

    beforeEach(async () => {
      ({ store, cleanup } = await open());
      loose = [];
    });

    afterEach(async () => {
      for (const spool of loose) await spool.discard();
      await cleanup();
    });

    const T0 = 1_800_000_000_000;
    const LEASE = 60_000;

    const client: ClientInfo = {
      address: '192.0.2.10',
      helo: 'reception-pc.practice.test',
      user: 'reception',
      tls: true,
      listener: 'submission',
    };

    async function spoolWith(id: string, body: Buffer): Promise<BodySpool> {
      const spool = store.createSpool(id);
      await new Promise<void>((resolve, reject) => {
        spool.once('error', reject);
        spool.end(body, () => resolve());
      });
      return spool;
    }

    interface Put {
      readonly receivedAt?: number;
      readonly rcptTo?: readonly string[];
      readonly body?: Buffer;
      readonly kind?: MessageKind;
      readonly mailFrom?: string;
    }

    function newMessage(id: string, body: Buffer, put: Put = {}): NewMessage {
      const kind = put.kind ?? 'message';
      return {
        id,
        kind,
        mailFrom: put.mailFrom ?? (kind === 'bounce' ? '' : 'reception@practice.test'),
        rcptTo: put.rcptTo ?? ['orders@lab.test', 'copy@lab.test'],
        client: kind === 'bounce' ? null : client,
        size: body.length,
        traceHeader: kind === 'bounce' ? '' : `Received: from x ([192.0.2.10])\r\n\tby relay.test with ESMTPSA id ${id};\r\n\tdate\r\n`,
        receivedAt: put.receivedAt ?? T0,
      };
    }

    /** createSpool, write, end, enqueue: what a receive does. Returns the id. */
    async function put(p: Put = {}): Promise<string> {
      const receivedAt = p.receivedAt ?? T0;
      const id = newQueueId(receivedAt);
      const body = p.body ?? Buffer.from(`Subject: ${id}\r\n\r\nbody of ${id}\r\n`);
      const spool = await spoolWith(id, body);
      await store.enqueue(newMessage(id, body, p), spool);
      return id;
    }

    async function readAll(stream: Readable): Promise<Buffer> {
      const chunks: Buffer[] = [];
      for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
      return Buffer.concat(chunks);
    }

    async function leaseOne(owner: string, now: number, leaseMs = LEASE) {
      const leased = await store.leaseDue(owner, 1, leaseMs, now);
      expect(leased).toHaveLength(1);
      return leased[0]!;
    }

    function attempt(id: string, owner: string, over: Partial<AttemptRecord> = {}): AttemptRecord {
      return {
        id,
        owner,
        results: [
          { address: 'orders@lab.test', status: 'delivered', reply: '250 2.0.0 ok' },
          { address: 'copy@lab.test', status: 'pending', reply: '451 4.3.0 try later' },
        ],
        outcome: { kind: 'retry', nextAttemptAt: T0 + 5000 },
        lastError: '451 4.3.0 try later',
        ...over,
      };
    }

    const ids = (list: readonly { id: string }[]) => list.map((m) => m.id).sort();

    /** byState with every state the engine knows, zero unless given. */
    const counts = (some: Partial<Record<MessageState, number>> = {}) => ({
      ...Object.fromEntries(MESSAGE_STATES.map((state) => [state, 0])),
      ...some,
    });

    describe('enqueue and lease', () => {
      it('an enqueued message is due at once, with its envelope, client and trace header', async () => {
        const id = await put();
        const summary = await store.getMessage(id);
        expect(summary).toMatchObject({
          id,
          kind: 'message',
          state: 'queued',
          mailFrom: 'reception@practice.test',
          receivedAt: T0,
          attempts: 0,
          lastError: null,
          finishedAt: null,
          client,
        });
        expect(summary!.recipients).toEqual([
          { address: 'orders@lab.test', status: 'pending', reply: null },
          { address: 'copy@lab.test', status: 'pending', reply: null },
        ]);
        const leased = await leaseOne('w1', T0);
        expect(leased).toMatchObject({ id, leaseOwner: 'w1', state: 'queued', mailFrom: 'reception@practice.test', client });
        expect(leased.traceHeader).toContain(`id ${id};`);
        expect(leased.recipients.map((r) => r.address)).toEqual(['orders@lab.test', 'copy@lab.test']);
        expect(leased.size).toBe(summary!.size);
      });

      it('a message is not due before it was received', async () => {
        await put({ receivedAt: T0 });
        expect(await store.leaseDue('w1', 10, LEASE, T0 - 1)).toEqual([]);
      });

      it('an unknown id gives null', async () => {
        expect(await store.getMessage(newQueueId(T0))).toBeNull();
      });

      it("a message's summary shows the lease an attempt holds, and none once the attempt is recorded", async () => {
        const id = await put();
        expect((await store.getMessage(id))!.leasedUntil).toBeNull();
        await leaseOne('w1', T0, 1000);
        expect((await store.getMessage(id))!.leasedUntil).toBe(T0 + 1000);
        await store.recordAttempt(attempt(id, 'w1'));
        expect((await store.getMessage(id))!.leasedUntil).toBeNull();
      });

      it('a leased message is not leased again until its lease expires, then it is', async () => {
        const id = await put();
        await leaseOne('w1', T0, 1000);
        expect(await store.leaseDue('w1', 10, 1000, T0)).toEqual([]);
        expect(await store.leaseDue('w2', 10, 1000, T0 + 500)).toEqual([]);
        const taken = await leaseOne('w2', T0 + 1001, 1000);
        expect(taken).toMatchObject({ id, leaseOwner: 'w2' });
        expect(await store.leaseDue('w3', 10, 1000, T0 + 1500)).toEqual([]);
      });

      it('the old owner cannot record an attempt once another has taken the lease over', async () => {
        const id = await put();
        await leaseOne('w1', T0, 1000);
        await leaseOne('w2', T0 + 1001, 1000);
        await expect(store.recordAttempt(attempt(id, 'w1'))).rejects.toThrow();
        expect((await store.getMessage(id))!.attempts).toBe(0);
        await store.recordAttempt(attempt(id, 'w2'));
        expect((await store.getMessage(id))!.attempts).toBe(1);
      });

      it('leaseDue honours its limit', async () => {
        for (let i = 0; i < 5; i++) await put({ receivedAt: T0 + i });
        const first = await store.leaseDue('w1', 2, LEASE, T0 + 10);
        expect(first).toHaveLength(2);
        const rest = await store.leaseDue('w2', 10, LEASE, T0 + 10);
        expect(rest).toHaveLength(3);
        expect(new Set([...ids(first), ...ids(rest)]).size).toBe(5);
      });

      it('concurrent leaseDue calls never hand out the same message twice', async () => {
        for (let i = 0; i < 20; i++) await put({ receivedAt: T0 + i });
        const batches = await Promise.all(Array.from({ length: 5 }, (_, w) => store.leaseDue(`w${w}`, 6, LEASE, T0 + 100)));
        const all = batches.flat().map((m) => m.id);
        expect(all).toHaveLength(20);
        expect(new Set(all).size).toBe(20);
      });
    });

    describe('bodies', () => {
      it('openBody returns exactly the bytes written, binary and large ones included', async () => {
        const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
        const big = Buffer.concat([randomBytes(700 * 1024), binary]);
        for (const body of [Buffer.from('Subject: x\r\n\r\nhi\r\n'), binary, big, Buffer.alloc(0)]) {
          const id = await put({ body });
          expect((await readAll(await store.openBody(id))).equals(body)).toBe(true);
        }
      });

      it('a body written in many pieces reads back whole', async () => {
        const id = newQueueId(T0);
        const spool = store.createSpool(id);
        const pieces = Array.from({ length: 100 }, (_, i) => Buffer.from(`line ${i} ${'x'.repeat(i * 10)}\r\n`));
        for (const piece of pieces) spool.write(piece);
        await new Promise<void>((resolve, reject) => {
          spool.once('error', reject);
          spool.end(() => resolve());
        });
        const body = Buffer.concat(pieces);
        expect(spool.bytesWritten).toBe(body.length);
        await store.enqueue(newMessage(id, body), spool);
        expect((await readAll(await store.openBody(id))).equals(body)).toBe(true);
      });

      it('bodies of every size, small to large, written in any chunking, read back whole and go with a final attempt', async () => {
        // An engine may keep small bodies one way and large ones another: cross any threshold.
        const sizes = [0, 1, 4096, 64 * 1024, 128 * 1024 - 1, 128 * 1024, 128 * 1024 + 1, 256 * 1024 + 3, 1024 * 1024];
        const written: { id: string; body: Buffer }[] = [];
        for (const [n, size] of sizes.entries()) {
          const body = randomBytes(size);
          const id = newQueueId(T0);
          const spool = store.createSpool(id);
          const piece = [997, 16 * 1024, 100 * 1024][n % 3]!;
          for (let at = 0; at < size; at += piece) spool.write(body.subarray(at, at + piece));
          await new Promise<void>((resolve, reject) => {
            spool.once('error', reject);
            spool.end(() => resolve());
          });
          await store.enqueue(newMessage(id, body), spool);
          written.push({ id, body });
        }
        for (const { id, body } of written) expect((await readAll(await store.openBody(id))).equals(body), `${body.length} bytes`).toBe(true);
        const leased = await store.leaseDue('w1', sizes.length, LEASE, T0);
        expect(leased).toHaveLength(sizes.length);
        for (const { id } of written) {
          await store.recordAttempt(attempt(id, 'w1', { outcome: { kind: 'final', state: 'delivered' } }));
          await expect(store.openBody(id)).rejects.toThrow();
        }
      });

      it('a discarded spool of any size commits nothing', async () => {
        for (const size of [10, 512 * 1024]) {
          const id = newQueueId(T0);
          const spool = store.createSpool(id);
          spool.write(randomBytes(size));
          await spool.discard();
          await expect(store.openBody(id)).rejects.toThrow();
        }
      });

      it('openBody of an unknown id rejects', async () => {
        await expect(store.openBody(newQueueId(T0))).rejects.toThrow();
      });
    });

    describe('recordAttempt', () => {
      it('retry: recipients updated, attempts incremented, lease released, not due until nextAttemptAt', async () => {
        const id = await put();
        await leaseOne('w1', T0);
        await store.recordAttempt(attempt(id, 'w1'));
        const summary = await store.getMessage(id);
        expect(summary).toMatchObject({ state: 'queued', attempts: 1, nextAttemptAt: T0 + 5000, lastError: '451 4.3.0 try later', finishedAt: null });
        expect(summary!.recipients).toEqual([
          { address: 'orders@lab.test', status: 'delivered', reply: '250 2.0.0 ok' },
          { address: 'copy@lab.test', status: 'pending', reply: '451 4.3.0 try later' },
        ]);
        expect(await store.leaseDue('w2', 10, LEASE, T0 + 4999)).toEqual([]);
        // Due at nextAttemptAt, although the first lease (T0 + LEASE) has not run out: recording released it.
        const again = await leaseOne('w2', T0 + 5000);
        expect(again.attempts).toBe(1);
        expect(again.recipients.map((r) => r.status)).toEqual(['delivered', 'pending']);
        // The body is still there for the next attempt.
        expect((await readAll(await store.openBody(id))).length).toBeGreaterThan(0);
      });

      it('attempts count up over several retries', async () => {
        const id = await put();
        let now = T0;
        for (let n = 1; n <= 3; n++) {
          await leaseOne('w1', now);
          now += 1000;
          await store.recordAttempt(attempt(id, 'w1', { outcome: { kind: 'retry', nextAttemptAt: now } }));
          expect((await store.getMessage(id))!.attempts).toBe(n);
        }
      });

      it('final delivered: state, finishedAt, results; the body is gone and it is never leased again', async () => {
        const id = await put();
        await leaseOne('w1', T0);
        await store.recordAttempt(
          attempt(id, 'w1', {
            results: [
              { address: 'orders@lab.test', status: 'delivered', reply: '250 ok 1' },
              { address: 'copy@lab.test', status: 'delivered', reply: '250 ok 2' },
            ],
            outcome: { kind: 'final', state: 'delivered' },
            lastError: null,
          }),
        );
        const summary = await store.getMessage(id);
        expect(summary).toMatchObject({ state: 'delivered', attempts: 1, lastError: null, nextAttemptAt: null });
        expect(typeof summary!.finishedAt).toBe('number');
        expect(summary!.recipients.map((r) => [r.status, r.reply])).toEqual([
          ['delivered', '250 ok 1'],
          ['delivered', '250 ok 2'],
        ]);
        await expect(store.openBody(id)).rejects.toThrow();
        expect(await store.leaseDue('w2', 10, LEASE, T0 + 10 * LEASE)).toEqual([]);
        await expect(store.recordAttempt(attempt(id, 'w1'))).rejects.toThrow();
      });

      it('final bounced with a DSN: the bounce is queued in the same call', async () => {
        const id = await put();
        await leaseOne('w1', T0);
        const bounceId = newQueueId(T0 + 1);
        const dsn = Buffer.from('From: Mail Delivery System <postmaster@practice.test>\r\n\r\nfailed\r\n');
        const spool = await spoolWith(bounceId, dsn);
        await store.recordAttempt(
          attempt(id, 'w1', {
            results: [
              { address: 'orders@lab.test', status: 'delivered', reply: '250 ok' },
              { address: 'copy@lab.test', status: 'failed', reply: '550 5.1.1 no such user' },
            ],
            outcome: { kind: 'final', state: 'bounced' },
            lastError: '550 5.1.1 no such user',
            bounce: {
              message: newMessage(bounceId, dsn, { kind: 'bounce', rcptTo: ['reception@practice.test'], receivedAt: T0 + 1 }),
              spool,
            },
          }),
        );
        const original = await store.getMessage(id);
        expect(original).toMatchObject({ state: 'bounced', lastError: '550 5.1.1 no such user' });
        expect(original!.finishedAt).not.toBeNull();
        expect(original!.recipients[1]).toEqual({ address: 'copy@lab.test', status: 'failed', reply: '550 5.1.1 no such user' });
        await expect(store.openBody(id)).rejects.toThrow();

        const bounce = await store.getMessage(bounceId);
        expect(bounce).toMatchObject({ id: bounceId, kind: 'bounce', state: 'queued', mailFrom: '', client: null, attempts: 0 });
        expect(bounce!.recipients).toEqual([{ address: 'reception@practice.test', status: 'pending', reply: null }]);
        expect((await readAll(await store.openBody(bounceId))).equals(dsn)).toBe(true);
        const leased = await leaseOne('w2', T0 + 1);
        expect(leased).toMatchObject({ id: bounceId, kind: 'bounce', mailFrom: '' });
      });

      it('by a non-owner: rejects and changes nothing (no bounce either)', async () => {
        const id = await put();
        await leaseOne('w1', T0);
        const bounceId = newQueueId(T0 + 1);
        const dsn = Buffer.from('dsn\r\n');
        const spool = await spoolWith(bounceId, dsn);
        loose.push(spool);
        const before = await store.getMessage(id);
        for (const record of [
          attempt(id, 'intruder'),
          attempt(id, 'intruder', { outcome: { kind: 'final', state: 'delivered' } }),
          attempt(id, 'intruder', {
            outcome: { kind: 'final', state: 'bounced' },
            bounce: { message: newMessage(bounceId, dsn, { kind: 'bounce', rcptTo: ['reception@practice.test'] }), spool },
          }),
        ]) {
          await expect(store.recordAttempt(record)).rejects.toThrow();
        }
        expect(await store.getMessage(id)).toEqual(before);
        expect(await store.getMessage(bounceId)).toBeNull();
        expect((await readAll(await store.openBody(id))).length).toBeGreaterThan(0);
        // The real owner still can.
        await store.recordAttempt(attempt(id, 'w1'));
        expect((await store.getMessage(id))!.attempts).toBe(1);
      });

      it('on a message that was never leased: rejects', async () => {
        const id = await put();
        await expect(store.recordAttempt(attempt(id, 'w1'))).rejects.toThrow();
        expect((await store.getMessage(id))!.attempts).toBe(0);
      });
    });

    describe('operator actions', () => {
      it('retryNow makes a deferred message due now', async () => {
        const id = await put();
        await leaseOne('w1', T0);
        await store.recordAttempt(attempt(id, 'w1', { outcome: { kind: 'retry', nextAttemptAt: T0 + 3_600_000 } }));
        expect(await store.leaseDue('w2', 10, LEASE, T0 + 100)).toEqual([]);
        expect(await store.retryNow(id, T0 + 100)).toBe('due');
        expect((await store.getMessage(id))!.nextAttemptAt).toBe(T0 + 100);
        expect((await leaseOne('w2', T0 + 100)).id).toBe(id);
      });

      it('retryNow leaves a message under a live lease alone: it is being delivered, and no second worker may take it', async () => {
        const id = await put();
        await leaseOne('w1', T0);
        expect(await store.retryNow(id, T0 + 10)).toBe('in-flight');
        expect(await store.leaseDue('w2', 10, LEASE, T0 + 10)).toEqual([]);
        await store.recordAttempt(attempt(id, 'w1', { outcome: { kind: 'final', state: 'delivered' } }));
        expect((await store.getMessage(id))!.state).toBe('delivered');
      });

      it('retryNow clears an expired lease (its worker is gone): due now, and the old owner may no longer record', async () => {
        const id = await put();
        await leaseOne('w1', T0);
        expect(await store.retryNow(id, T0 + LEASE + 1)).toBe('due');
        expect((await leaseOne('w2', T0 + LEASE + 1)).id).toBe(id);
        await expect(store.recordAttempt(attempt(id, 'w1'))).rejects.toThrow();
      });

      it('retryNow is not-queued for a message that is not queued, or unknown', async () => {
        const id = await put();
        await leaseOne('w1', T0);
        await store.recordAttempt(attempt(id, 'w1', { outcome: { kind: 'final', state: 'delivered' } }));
        expect(await store.retryNow(id, T0 + 10)).toBe('not-queued');
        expect((await store.getMessage(id))!.state).toBe('delivered');
        expect(await store.retryNow(newQueueId(T0), T0)).toBe('not-queued');
      });

      it('deleteMessage: state deleted, finishedAt now, body gone, never leased; not-queued the second time', async () => {
        const id = await put();
        expect(await store.deleteMessage(id, T0 + 42)).toBe('deleted');
        expect(await store.getMessage(id)).toMatchObject({ state: 'deleted', finishedAt: T0 + 42 });
        await expect(store.openBody(id)).rejects.toThrow();
        expect(await store.leaseDue('w1', 10, LEASE, T0 + 100)).toEqual([]);
        expect(await store.deleteMessage(id, T0 + 43)).toBe('not-queued');
        expect((await store.getMessage(id))!.finishedAt).toBe(T0 + 42);
      });

      it('deleteMessage refuses a message under a live lease (its attempt would deliver it anyway); the owner still records', async () => {
        const id = await put();
        await leaseOne('w1', T0);
        expect(await store.deleteMessage(id, T0 + 1)).toBe('in-flight');
        expect((await store.getMessage(id))!.state).toBe('queued');
        await expect(store.openBody(id)).resolves.toBeDefined();
        await store.recordAttempt(attempt(id, 'w1', { outcome: { kind: 'retry', nextAttemptAt: T0 + 60_000 } }));
        expect(await store.deleteMessage(id, T0 + 2)).toBe('deleted');
      });

      it('deleteMessage of a message whose lease expired (its worker is gone): deleted, and the old owner may no longer record', async () => {
        const id = await put();
        await leaseOne('w1', T0);
        expect(await store.deleteMessage(id, T0 + LEASE + 1)).toBe('deleted');
        await expect(store.recordAttempt(attempt(id, 'w1', { outcome: { kind: 'final', state: 'delivered' } }))).rejects.toThrow();
        expect((await store.getMessage(id))!.state).toBe('deleted');
      });

      it('deleteMessage is not-queued for a finished or unknown message', async () => {
        const id = await put();
        await leaseOne('w1', T0);
        await store.recordAttempt(attempt(id, 'w1', { outcome: { kind: 'final', state: 'bounced' } }));
        expect(await store.deleteMessage(id, T0 + 1)).toBe('not-queued');
        expect((await store.getMessage(id))!.state).toBe('bounced');
        expect(await store.deleteMessage(newQueueId(T0), T0)).toBe('not-queued');
      });
    });

    describe('stats, listing and purging', () => {
      it('stats of an empty store', async () => {
        expect(await store.stats()).toMatchObject({ byState: counts(), oldestQueuedAt: null });
      });

      it('stats counts by state and gives the oldest queued receivedAt', async () => {
        const delivered = await put({ receivedAt: T0 - 100_000 });
        const bounced = await put({ receivedAt: T0 - 90_000 });
        const deleted = await put({ receivedAt: T0 - 80_000 });
        await put({ receivedAt: T0 - 5000 });
        await put({ receivedAt: T0 });
        expect(await store.leaseDue('w1', 10, LEASE, T0)).toHaveLength(5);
        await store.recordAttempt(attempt(delivered, 'w1', { outcome: { kind: 'final', state: 'delivered' } }));
        await store.recordAttempt(attempt(bounced, 'w1', { outcome: { kind: 'final', state: 'bounced' } }));
        await store.recordAttempt(attempt(deleted, 'w1', { outcome: { kind: 'retry', nextAttemptAt: T0 + 60_000 } }));
        expect(await store.deleteMessage(deleted, T0)).toBe('deleted');
        expect(await store.stats()).toMatchObject({ byState: counts({ queued: 2, delivered: 1, bounced: 1, deleted: 1 }), oldestQueuedAt: T0 - 5000 });
      });

      it('listMessages filters by state and honours the limit', async () => {
        const queued = [await put({ receivedAt: T0 }), await put({ receivedAt: T0 + 1 }), await put({ receivedAt: T0 + 2 })];
        const gone = await put({ receivedAt: T0 + 3 });
        await store.deleteMessage(gone, T0 + 10);
        expect(ids(await store.listMessages({ state: 'queued', limit: 100 }))).toEqual([...queued].sort());
        expect(ids(await store.listMessages({ state: 'deleted', limit: 100 }))).toEqual([gone]);
        expect(await store.listMessages({ state: 'bounced', limit: 100 })).toEqual([]);
        expect(ids(await store.listMessages({ limit: 100 }))).toEqual([...queued, gone].sort());
        expect(await store.listMessages({ limit: 2 })).toHaveLength(2);
        expect(await store.listMessages({ state: 'queued', limit: 1 })).toHaveLength(1);
        const [one] = await store.listMessages({ state: 'deleted', limit: 1 });
        expect(one).toMatchObject({ id: gone, state: 'deleted', mailFrom: 'reception@practice.test' });
        expect(one!.recipients).toHaveLength(2);
      });

      it('purgeFinished removes only final messages finished before the cut-off', async () => {
        const old = await put({ receivedAt: T0 });
        const recent = await put({ receivedAt: T0 + 1 });
        const queued = await put({ receivedAt: T0 + 2 });
        const day = 86_400_000;
        await store.deleteMessage(old, Date.now() - 10 * day);
        await store.retryNow(recent, T0);
        const leased = await leaseOne('w1', T0);
        expect(leased.id).toBe(recent);
        await store.recordAttempt(attempt(recent, 'w1', { outcome: { kind: 'final', state: 'delivered' } }));

        expect(await store.purgeFinished(Date.now() - day)).toBe(1);
        expect(await store.getMessage(old)).toBeNull();
        expect((await store.getMessage(recent))!.state).toBe('delivered');
        expect((await store.getMessage(queued))!.state).toBe('queued');

        expect(await store.purgeFinished(Date.now() + day)).toBe(1);
        expect(await store.getMessage(recent)).toBeNull();
        expect((await store.getMessage(queued))!.state).toBe('queued');
        expect((await readAll(await store.openBody(queued))).length).toBeGreaterThan(0);
        expect(await store.purgeFinished(Date.now() + day)).toBe(0);
        expect((await store.stats()).byState).toEqual(counts({ queued: 1 }));
      });
    });

    describe('concurrency', () => {
      it('200 enqueues started at once all commit and are all leaseable', async () => {
        const bodies = new Map<string, Buffer>();
        const started = Array.from({ length: 200 }, async (_, i) => {
          const id = newQueueId(T0 + i);
          const body = Buffer.from(`Subject: ${i}\r\n\r\n${'z'.repeat(i * 7)}\r\n`);
          bodies.set(id, body);
          const spool = await spoolWith(id, body);
          await store.enqueue(newMessage(id, body, { receivedAt: T0 + i }), spool);
          return id;
        });
        const committed = await Promise.all(started);
        expect(new Set(committed).size).toBe(200);
        expect((await store.stats()).byState.queued).toBe(200);
        const leased = await store.leaseDue('w1', 1000, LEASE, T0 + 1000);
        expect(ids(leased)).toEqual([...committed].sort());
        for (const id of committed.slice(0, 20)) {
          expect((await readAll(await store.openBody(id))).equals(bodies.get(id)!)).toBe(true);
        }
      });
    });

    describe('accounts', () => {
      const account = (name: string, allowedSenders: string[] = []) => ({ name, passwordHash: `scrypt$hash-of-${name}`, allowedSenders });

      it('add, get, list, setPassword, remove', async () => {
        expect(await store.listAccounts()).toEqual([]);
        const before = Date.now();
        await store.addAccount(account('reception', ['@practice.test', 'boss@other.test']));
        await store.addAccount(account('dentist'));
        const got = await store.getAccount('reception');
        expect(got).toMatchObject({ name: 'reception', passwordHash: 'scrypt$hash-of-reception', allowedSenders: ['@practice.test', 'boss@other.test'] });
        expect(got!.createdAt).toBeGreaterThanOrEqual(before - 1000);
        expect(await store.getAccount('dentist')).toMatchObject({ allowedSenders: [] });
        expect(await store.getAccount('nobody')).toBeNull();
        expect((await store.listAccounts()).map((a) => a.name).sort()).toEqual(['dentist', 'reception']);

        expect(await store.setPassword('reception', 'scrypt$new')).toBe(true);
        expect((await store.getAccount('reception'))!.passwordHash).toBe('scrypt$new');
        expect(await store.setPassword('nobody', 'scrypt$x')).toBe(false);
        expect(await store.getAccount('nobody')).toBeNull();

        expect(await store.removeAccount('reception')).toBe(true);
        expect(await store.getAccount('reception')).toBeNull();
        expect(await store.removeAccount('reception')).toBe(false);
        expect((await store.listAccounts()).map((a) => a.name)).toEqual(['dentist']);
      });

      it('adding an existing account rejects with AccountExistsError and keeps the first', async () => {
        await store.addAccount(account('reception', ['@practice.test']));
        const error = await store.addAccount({ name: 'reception', passwordHash: 'other', allowedSenders: [] }).then(
          () => null,
          (err: unknown) => err,
        );
        expect(error).toBeInstanceOf(AccountExistsError);
        expect(await store.getAccount('reception')).toMatchObject({ passwordHash: 'scrypt$hash-of-reception', allowedSenders: ['@practice.test'] });
      });
    });

    it('ping resolves and the engine has a name', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
      expect(store.engine).toMatch(/\S/);
    });
  });
}
