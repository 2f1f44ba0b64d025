import { randomBytes } from 'node:crypto';
import { rfc5322Date } from '../core/dates.js';
import type { FindingKind } from '../core/finding.js';

export type NoticeType = 'warned' | 'held' | 'rejected-by-reviewer';

export interface NoticeInput {
  readonly type: NoticeType;
  readonly relayName: string;
  readonly practiceName: string;
  /** Header From, e.g. postmaster@<practice domain>. */
  readonly from: string;
  /** The original sender: the notice goes to them. */
  readonly to: string;
  readonly queueId: string;
  readonly sentAt: Date;
  readonly recipientCount: number;
  /** Counts by kind: never the values (the notice must not copy patient data around). */
  readonly findingCounts: Readonly<Partial<Record<FindingKind, number>>>;
  readonly chainExternal: number;
  readonly visibleExternal: number;
  /** Rule explanations (no patient values in them). */
  readonly explanations: readonly string[];
  /** For rejected-by-reviewer: the reviewer's reason. */
  readonly reviewerReason?: string | undefined;
  readonly now: Date;
}

const KIND_WORDS: Record<FindingKind, string> = {
  nhs_number: 'NHS number',
  chi_number: 'CHI number',
  hc_number: 'Health and Care number',
  hospital_number: 'hospital or patient ID number',
  patient_name: 'patient name',
  dob: 'date of birth',
  postcode: 'postcode',
  phone: 'phone number',
  exif_gps: 'photo location (GPS)',
  dicom: 'radiograph (DICOM image)',
  clinical_context: 'clinical detail',
  patient_list_match: 'match with the practice patient list',
};

const ADVICE = [
  'What to do instead:',
  '- To send patient information outside the practice, use NHSmail (an nhs.net address) or the',
  '  secure route your practice has agreed; never personal webmail or social media addresses.',
  '- Remove identifiers the recipient does not need (anonymise: no name, date of birth,',
  '  NHS number, address, or photo location).',
  '- When forwarding or replying, delete the quoted earlier messages so their recipients',
  '  are not disclosed, and put groups of external people in Bcc, not To or Cc.',
];

function subjectFor(type: NoticeType): string {
  if (type === 'held') return 'Your message is held for review by the practice';
  if (type === 'rejected-by-reviewer') return 'Your held message was not sent';
  return 'Your message was sent: please check it next time';
}

function opening(input: NoticeInput): string[] {
  const when = `${rfc5322Date(input.sentAt)} to ${input.recipientCount} recipient${input.recipientCount === 1 ? '' : 's'}`;
  if (input.type === 'held') {
    return [
      `Your message of ${when} has NOT been sent yet. It is held for review by the practice's`,
      'IT or data protection lead, who will release or reject it. You do not need to resend it.',
    ];
  }
  if (input.type === 'rejected-by-reviewer') {
    return [`Your message of ${when} was reviewed and will not be sent.`, input.reviewerReason ? `Reviewer's reason: ${input.reviewerReason}` : ''];
  }
  return [`Your message of ${when} was delivered, but it may disclose personal information.`];
}

function foundLines(input: NoticeInput): string[] {
  const lines = Object.entries(input.findingCounts).map(([kind, n]) => `- ${KIND_WORDS[kind as FindingKind]}: ${n}`);
  if (input.chainExternal > 0) lines.push(`- external addresses of earlier recipients in the quoted or forwarded text: ${input.chainExternal}`);
  if (input.visibleExternal > 0) lines.push(`- external addresses visible to everyone in To and Cc: ${input.visibleExternal}`);
  return lines.length ? ['What was found (counts only):', ...lines] : [];
}

/**
 * A plain-text notice to the sender of a warned, held or reviewer-rejected message: what was
 * found (kinds and counts, never the values), why it matters and what to do instead. It is
 * sent from the null sender, so it can never loop or bounce.
 */
export function buildNotice(input: NoticeInput): Buffer {
  const body = [
    ...opening(input),
    '',
    ...foundLines(input),
    '',
    'Why this matters: the GDC standards (4.2.3) require that nothing that could identify a',
    'patient is disclosed without their explicit consent; several harmless-looking details',
    'together can identify someone, and photos can carry the place they were taken.',
    ...(input.explanations.length ? ['', 'Policy:', ...input.explanations.map((e) => `- ${e}`)] : []),
    '',
    ...ADVICE,
    '',
    `Reference: ${input.queueId}`,
    `-- ${input.practiceName} mail gateway (${input.relayName})`,
  ]
    .map((l) => l.slice(0, 900))
    .join('\r\n');
  const head = [
    `From: ${input.practiceName.replace(/["\\\r\n]/g, '')} Mail Gateway <${input.from}>`,
    `To: <${input.to}>`,
    `Subject: ${subjectFor(input.type)}`,
    `Date: ${rfc5322Date(input.now)}`,
    `Message-ID: <notice.${input.queueId}.${randomBytes(6).toString('hex')}@${input.relayName}>`,
    'Auto-Submitted: auto-generated',
    `X-Mouthguard-Notice: ${input.type}; ref=${input.queueId}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
  ].join('\r\n');
  return Buffer.from(`${head}\r\n\r\n${body}\r\n`, 'utf8');
}
