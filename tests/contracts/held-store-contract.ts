import { describe, expect, it } from 'vitest';
import { newQueueId } from '../../src/core/ids.js';
import type { BodySpool, HoldDetails, NewMessage } from '../../src/store/types.js';
import { freshStore, type OpenStore } from './fresh-store.js';

/**
 * Held mail, for every Store engine: a held message is never leased for delivery, every view
 * and decision is audited, release returns it to the queue, reject drops it (body gone) and
 * commits the sender's notice in the same call.
 */
export function heldStoreContract(name: string, open: OpenStore): void {
  describe(`${name} store: held mail contract`, () => {
    const fresh = freshStore(open);

    const T0 = 1_800_000_000_000;
    const hold: HoldDetails = {
      reasons: [{ rule: 'hold-identifiable-outside', action: 'hold', mode: 'enforce', explanation: 'identifiable' }],
      findings: [{ kind: 'nhs_number', value: '943 476 5919', confidence: 0.97, location: 'body:text', offset: 12, why: 'labelled' }],
      chain: { earlierRecipients: 0, earlierExternalRecipients: 0, visibleExternalRecipients: 1 },
    };

    async function spooled(id: string, body: string): Promise<BodySpool> {
      const spool = fresh.store.createSpool(id);
      await new Promise<void>((resolve, reject) => spool.once('error', reject).end(Buffer.from(body), () => resolve()));
      return spool;
    }

    function message(id: string, extra: Partial<NewMessage> = {}): NewMessage {
      return { id, kind: 'message', mailFrom: 'reception@practice.test', rcptTo: ['a@gmail.com'], client: null, size: 10, traceHeader: '', receivedAt: T0, ...extra };
    }

    async function putHeld(): Promise<string> {
      const id = newQueueId(T0);
      await fresh.store.enqueue(message(id, { hold }), await spooled(id, 'held body\r\n'));
      return id;
    }

    it('a held message keeps its body and details and is never leased', async () => {
      const id = await putHeld();
      expect(await fresh.store.leaseDue('w', 10, 60_000, T0 + 1000)).toHaveLength(0);
      const [held] = await fresh.store.listHeld(10);
      expect(held!.id).toBe(id);
      expect(held!.state).toBe('held');
      expect(held!.hold).toEqual(hold);
      const body = await fresh.store.openBody(id);
      const chunks: Buffer[] = [];
      for await (const c of body as AsyncIterable<Buffer>) chunks.push(c);
      expect(Buffer.concat(chunks).toString()).toBe('held body\r\n');
      const stats = await fresh.store.stats();
      expect(stats.byState.held).toBe(1);
      expect(stats.oldestHeldAt).toBe(T0);
      expect(stats.heldByRule).toEqual({ 'hold-identifiable-outside': 1 });
    });

    it('a companion notice commits with the held message and is due at once', async () => {
      const id = newQueueId(T0);
      const noticeId = newQueueId(T0);
      const notice = { message: message(noticeId, { kind: 'notice', mailFrom: '', rcptTo: ['reception@practice.test'] }), spool: await spooled(noticeId, 'notice\r\n') };
      await fresh.store.enqueue(message(id, { hold }), await spooled(id, 'x\r\n'), [notice]);
      const leased = await fresh.store.leaseDue('w', 10, 60_000, T0 + 1);
      expect(leased.map((m) => m.id)).toEqual([noticeId]);
    });

    it('views are audited; release queues the message for delivery', async () => {
      const id = await putHeld();
      expect(await fresh.store.viewHeld(id, 'alice', T0 + 1)).not.toBeNull();
      expect(await fresh.store.releaseHeld(id, 'alice', 'consent on file', T0 + 2)).toBe(true);
      expect(await fresh.store.releaseHeld(id, 'alice', null, T0 + 3)).toBe(false);
      expect(await fresh.store.viewHeld(id, 'bob', T0 + 4)).toBeNull();
      const leased = await fresh.store.leaseDue('w', 10, 60_000, T0 + 5);
      expect(leased.map((m) => m.id)).toEqual([id]);
      const trail = await fresh.store.auditTrail(id);
      expect(trail.map((a) => [a.actor, a.action, a.note])).toEqual([
        ['alice', 'view', null],
        ['alice', 'release', 'consent on file'],
      ]);
    });

    it('reject drops the body, records the reason and commits the notice', async () => {
      const id = await putHeld();
      const noticeId = newQueueId(T0);
      const notice = { message: message(noticeId, { kind: 'notice', mailFrom: '', rcptTo: ['reception@practice.test'] }), spool: await spooled(noticeId, 'n\r\n') };
      expect(await fresh.store.rejectHeld(id, 'bob', 'use NHSmail', T0 + 10, notice)).toBe(true);
      expect((await fresh.store.getMessage(id))!.state).toBe('rejected');
      await expect(fresh.store.openBody(id)).rejects.toThrow();
      expect((await fresh.store.leaseDue('w', 10, 60_000, T0 + 11)).map((m) => m.id)).toEqual([noticeId]);
      expect((await fresh.store.auditTrail(id)).map((a) => [a.actor, a.action, a.note])).toEqual([['bob', 'reject', 'use NHSmail']]);
      expect(await fresh.store.rejectHeld(id, 'bob', 'again', T0 + 12)).toBe(false);
    });

    it('held messages are never purged; rejected ones are after retention', async () => {
      const held = await putHeld();
      const rejected = await putHeld();
      await fresh.store.rejectHeld(rejected, 'bob', 'no', T0 + 1);
      expect(await fresh.store.purgeFinished(T0 + 10)).toBe(1);
      expect(await fresh.store.getMessage(held)).not.toBeNull();
      expect(await fresh.store.getMessage(rejected)).toBeNull();
    });
  });
}
