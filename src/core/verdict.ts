/**
 * A verdict is data (design decision 3): what to do with a message and why. Rules return
 * verdicts; `mergeVerdicts` combines them, strongest action first, keeping every reason.
 */
export type Action = 'deliver' | 'warn' | 'hold' | 'reject';

export const ACTIONS: readonly Action[] = ['deliver', 'warn', 'hold', 'reject'];

const STRENGTH: Record<Action, number> = { deliver: 0, warn: 1, hold: 2, reject: 3 };

export interface Reason {
  /** The rule's name from the configuration (bounded: safe as a metric label). */
  readonly rule: string;
  readonly action: Action;
  /** monitor: recorded and counted, but the action is not applied. */
  readonly mode: 'enforce' | 'monitor';
  /** Human explanation without patient values, e.g. "identifiable patient data to consumer webmail". */
  readonly explanation: string;
}

export interface Verdict {
  /** The action applied: the strongest enforced reason, or deliver. */
  readonly action: Action;
  readonly reasons: readonly Reason[];
}

export const DELIVER: Verdict = { action: 'deliver', reasons: [] };

export function isStronger(a: Action, b: Action): boolean {
  return STRENGTH[a] > STRENGTH[b];
}

/** reject > hold > warn > deliver; monitor-mode reasons are kept but never change the action. */
export function mergeVerdicts(reasons: readonly Reason[]): Verdict {
  let action: Action = 'deliver';
  for (const reason of reasons) {
    if (reason.mode === 'enforce' && isStronger(reason.action, action)) action = reason.action;
  }
  return { action, reasons: [...reasons] };
}
