import type { HeldMessage, HeldStore, QueueStore } from '../store/types.js';
import { policyNotice, type NoticeSettings } from './policy-notice.js';

export interface ReviewDeps {
  readonly store: HeldStore & Pick<QueueStore, 'createSpool'>;
  readonly notices: NoticeSettings;
  readonly now?: () => number;
}

/** Shows a held message to a reviewer; the view is audited. Null when it is not held. */
export function viewHeld(deps: ReviewDeps, id: string, actor: string): Promise<HeldMessage | null> {
  return deps.store.viewHeld(id, actor, (deps.now ?? Date.now)());
}

/** Release: the message goes back to the queue and through normal delivery (audited). */
export function releaseHeld(deps: ReviewDeps, id: string, actor: string, note: string | null): Promise<boolean> {
  return deps.store.releaseHeld(id, actor, note, (deps.now ?? Date.now)());
}

/** Reject: the message is dropped (body deleted), the sender notified, the decision audited. */
export async function rejectHeld(deps: ReviewDeps, id: string, actor: string, reason: string): Promise<boolean> {
  const now = (deps.now ?? Date.now)();
  const held = await deps.store.viewHeld(id, actor, now);
  if (!held) return false;
  const notice =
    deps.notices.enabled && held.mailFrom !== ''
      ? await policyNotice(deps.store, deps.notices, {
          type: 'rejected-by-reviewer',
          id,
          envelope: { mailFrom: held.mailFrom, rcptTo: held.recipients.map((r) => r.address) },
          details: held.hold,
          sentAt: new Date(held.receivedAt),
          at: new Date(now),
          reviewerReason: reason,
        })
      : undefined;
  return deps.store.rejectHeld(id, actor, reason, now, notice);
}
