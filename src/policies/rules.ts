import { isSenderAllowed } from '../accounts/sender-rules.js';
import type { Finding } from '../core/finding.js';
import { mergeVerdicts, type Reason, type Verdict } from '../core/verdict.js';
import type { PolicyConfig, RuleConfig } from '../config/policy-schema.js';
import { isIdentifiable, isIdentifierKind } from './identifiable.js';
import type { RecipientClass } from './recipient-classes.js';

/** Everything the rules look at: findings plus the envelope, already classified. */
export interface PolicyInput {
  readonly findings: readonly Finding[];
  readonly chainExternal: number;
  readonly visibleExternal: number;
  readonly sender: string;
  readonly recipientClasses: readonly RecipientClass[];
  readonly attachments: readonly { readonly filename: string; readonly contentType: string }[];
}

function matchesAttachment(types: readonly string[], attachment: { filename: string; contentType: string }): boolean {
  const type = attachment.contentType.toLowerCase();
  const name = attachment.filename.toLowerCase();
  return types.some((t) => {
    const pattern = t.toLowerCase();
    if (pattern.startsWith('.')) return name.endsWith(pattern);
    if (pattern.endsWith('/*')) return type.startsWith(pattern.slice(0, -1));
    return type === pattern;
  });
}

/** All conditions of a rule must hold (lists inside a condition match any of their entries). */
function ruleMatches(rule: RuleConfig, input: PolicyInput, policy: PolicyConfig): boolean {
  const w = rule.when;
  const min = w.minConfidence ?? policy.minConfidence;
  const sure = input.findings.filter((f) => f.confidence >= min);
  if (w.identifiable !== undefined && isIdentifiable(input.findings, min) !== w.identifiable) return false;
  if (w.anyIdentifier !== undefined && sure.some((f) => isIdentifierKind(f.kind)) !== w.anyIdentifier) return false;
  if (w.findingKinds && !sure.some((f) => w.findingKinds!.includes(f.kind))) return false;
  if (w.recipientClasses && !input.recipientClasses.some((c) => w.recipientClasses!.includes(c))) return false;
  if (w.chainExternalAtLeast !== undefined && input.chainExternal < w.chainExternalAtLeast) return false;
  if (w.visibleExternalAtLeast !== undefined && input.visibleExternal < w.visibleExternalAtLeast) return false;
  if (w.senders && !isSenderAllowed(input.sender, w.senders, [])) return false;
  if (w.groups) {
    const members = w.groups.flatMap((g) => policy.groups[g] ?? []);
    if (!members.length || !isSenderAllowed(input.sender, members, [])) return false;
  }
  if (w.attachmentTypes && !input.attachments.some((a) => matchesAttachment(w.attachmentTypes!, a))) return false;
  return true;
}

/**
 * Applies every rule of the policy to the input and merges the results. A rule in monitor
 * mode, or the whole policy in monitor mode, is recorded but does not act.
 */
export function evaluateRules(input: PolicyInput, policy: PolicyConfig): Verdict {
  const reasons: Reason[] = policy.rules
    .filter((rule) => ruleMatches(rule, input, policy))
    .map((rule) => ({
      rule: rule.name,
      action: rule.action,
      mode: policy.mode === 'monitor' ? 'monitor' : rule.mode,
      explanation: rule.explanation ?? `rule ${rule.name}`,
    }));
  return mergeVerdicts(reasons);
}

/** Fail closed (design decision 5): inspection that failed or ran out of time holds the message. */
export function failClosed(cause: 'unparseable' | 'inspection-failed' | 'inspection-timeout', policy: PolicyConfig): Verdict {
  const explanation = {
    unparseable: 'the message could not be parsed, so it could not be checked',
    'inspection-failed': 'inspection failed, so the message could not be checked',
    'inspection-timeout': 'inspection ran out of time, so the message could not be fully checked',
  }[cause];
  return mergeVerdicts([{ rule: cause, action: 'hold', mode: policy.mode === 'monitor' ? 'monitor' : 'enforce', explanation }]);
}
