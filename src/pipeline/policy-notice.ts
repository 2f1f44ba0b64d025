import type { Envelope } from '../core/envelope.js';
import type { FindingKind } from '../core/finding.js';
import { newQueueId } from '../core/ids.js';
import { buildNotice, type NoticeType } from '../delivery/notice.js';
import type { Companion, HoldDetails, QueueStore } from '../store/types.js';

export interface NoticeSettings {
  readonly enabled: boolean;
  readonly relayName: string;
  readonly practiceName: string;
  /** Header From of notices (the envelope sender is null). */
  readonly from: string;
  readonly minConfidence: number;
}

/** A notice to the sender, spooled and ready to commit with the message it is about. */
export async function policyNotice(
  queue: Pick<QueueStore, 'createSpool'>,
  settings: NoticeSettings,
  about: {
    type: NoticeType;
    id: string;
    envelope: Pick<Envelope, 'mailFrom' | 'rcptTo'>;
    details: HoldDetails;
    sentAt: Date;
    at: Date;
    reviewerReason?: string;
  },
): Promise<Companion> {
  const counts: Partial<Record<FindingKind, number>> = {};
  for (const f of about.details.findings) if (f.confidence >= settings.minConfidence) counts[f.kind] = (counts[f.kind] ?? 0) + 1;
  const bytes = buildNotice({
    type: about.type,
    relayName: settings.relayName,
    practiceName: settings.practiceName,
    from: settings.from,
    to: about.envelope.mailFrom,
    queueId: about.id,
    sentAt: about.sentAt,
    recipientCount: about.envelope.rcptTo.length,
    findingCounts: counts,
    chainExternal: about.details.chain.earlierExternalRecipients,
    visibleExternal: about.details.chain.visibleExternalRecipients,
    explanations: about.details.reasons.filter((r) => r.mode === 'enforce').map((r) => r.explanation),
    reviewerReason: about.reviewerReason,
    now: about.at,
  });
  const id = newQueueId(about.at.getTime());
  const spool = queue.createSpool(id);
  await new Promise<void>((resolve, reject) => spool.once('error', reject).end(bytes, () => resolve()));
  return {
    message: { id, kind: 'notice', mailFrom: '', rcptTo: [about.envelope.mailFrom], client: null, size: bytes.length, traceHeader: '', receivedAt: about.at.getTime() },
    spool,
  };
}

/** Notice settings from the configuration: from postmaster at the practice's first domain. */
export function noticeSettingsFrom(
  config: { practice: { name: string; domains: readonly string[] }; policy: { minConfidence: number; notices: { enabled: boolean } } },
  relayName: string,
): NoticeSettings {
  return {
    enabled: config.policy.notices.enabled,
    relayName,
    practiceName: config.practice.name,
    from: `postmaster@${config.practice.domains[0] ?? relayName}`,
    minConfidence: config.policy.minConfidence,
  };
}
