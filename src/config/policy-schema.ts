import { z } from 'zod';
import { ACTIONS } from '../core/verdict.js';
import { FINDING_KINDS } from '../core/finding.js';
import { DEFAULT_CONSUMER_DOMAINS, DEFAULT_PUBLISHING_DOMAINS, RECIPIENT_CLASSES } from '../policies/recipient-classes.js';
import { duration, size } from './zod-units.js';

const domainList = z.array(z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i, 'expected a domain such as "nhs.net"').transform((d) => d.toLowerCase()));

const condition = z
  .object({
    identifiable: z.boolean().optional().describe('one strong identifier, or two of name/DOB/postcode about one person'),
    anyIdentifier: z.boolean().optional().describe('any patient identifier finding (clinical context alone does not count)'),
    findingKinds: z.array(z.enum(FINDING_KINDS)).min(1).optional().describe('any finding of these kinds'),
    minConfidence: z.number().min(0).max(1).optional().describe('overrides policy.minConfidence for this rule'),
    recipientClasses: z.array(z.enum(RECIPIENT_CLASSES)).min(1).optional().describe('some recipient is in one of these classes'),
    chainExternalAtLeast: z.number().int().min(1).optional().describe('external earlier-recipient addresses disclosed in the quoted chain'),
    visibleExternalAtLeast: z.number().int().min(1).optional().describe('external addresses visible in To and Cc'),
    senders: z.array(z.string().min(3)).min(1).optional().describe('envelope senders: addresses or @domains'),
    groups: z.array(z.string().min(1)).min(1).optional().describe('sender groups from policy.groups'),
    attachmentTypes: z.array(z.string().min(2)).min(1).optional().describe('content types ("image/*", "application/dicom") or extensions (".dcm")'),
  })
  .strict();

export const ruleSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'expected a short kebab-case name (it becomes a metric label)'),
    when: condition,
    action: z.enum(ACTIONS),
    mode: z.enum(['enforce', 'monitor']).default('enforce'),
    explanation: z.string().max(300).optional().describe('shown to reviewers and, generically, in sender notices'),
  })
  .strict();

export type RuleConfig = z.output<typeof ruleSchema>;

/** The default policy (README "Default policy"). */
export const DEFAULT_RULES: z.input<typeof ruleSchema>[] = [
  {
    name: 'reject-identifiers-to-publishing',
    when: { anyIdentifier: true, recipientClasses: ['publishing'] },
    action: 'reject',
    explanation: 'patient information addressed to a publishing (post-by-email) address would become a public post',
  },
  {
    name: 'hold-identifiable-outside',
    when: { identifiable: true, recipientClasses: ['consumer', 'publishing', 'external'] },
    action: 'hold',
    explanation: 'identifiable patient information addressed outside the practice and secure NHS mail',
  },
  {
    name: 'warn-forwarded-chain',
    when: { chainExternalAtLeast: 3, recipientClasses: ['consumer', 'publishing', 'external'] },
    action: 'warn',
    explanation: 'the quoted or forwarded chain discloses earlier recipients’ addresses to an external recipient',
  },
  {
    name: 'warn-visible-recipients',
    when: { visibleExternalAtLeast: 10 },
    action: 'warn',
    explanation: 'many external addresses are visible to every recipient in To and Cc',
  },
];

export const policySchema = z
  .object({
    mode: z.enum(['enforce', 'monitor']).default('enforce').describe('monitor: record and count every verdict, deliver everything'),
    minConfidence: z.number().min(0).max(1).default(0.6).describe('findings below this do not count'),
    secureDomains: domainList.default(['nhs.net']),
    publishingDomains: domainList.default(DEFAULT_PUBLISHING_DOMAINS),
    consumerDomains: domainList.default(DEFAULT_CONSUMER_DOMAINS),
    groups: z.record(z.string(), z.array(z.string().min(3))).default({}).describe('sender groups: name → addresses or @domains'),
    rules: z.array(ruleSchema).default(DEFAULT_RULES.map((r) => ruleSchema.parse(r))),
    inspection: z
      .object({
        timeout: duration('5s').describe('then the message is held (fail closed)'),
        maxTextChars: z.number().int().min(1000).max(50_000_000).default(2_000_000).describe('text inspected per part'),
        maxAttachmentBytes: size('2MB').describe('documents (DOCX, PDF, CSV) up to this size are read for text; larger ones by name and head only'),
        workers: z.number().int().min(0).max(16).default(1).describe('inspection threads (0: on the main thread, no hard bounds)'),
        maxMemory: size('256MiB').describe('heap of an inspection thread; past it the thread is replaced and its messages held'),
        attachmentMemory: size('8MiB').describe(
          'decoded attachment bytes an inspection thread holds at once (at least maxAttachmentBytes); further messages wait (in their spools)',
        ),
      })
      .strict()
      .prefault({}),
    notices: z
      .object({ enabled: z.boolean().default(true).describe('tell the sender about warned and held messages') })
      .strict()
      .prefault({}),
  })
  .strict();

export type PolicyConfig = z.output<typeof policySchema>;
