import { scopeKey, type DisclaimerScope } from '../core/disclaimer-scope.js';
import { disclaimerMarker } from '../disclaimers/marker.js';
import type { DisclaimerVersion } from '../store/types.js';

/** How `mouthguard disclaimer` prints versions, for people and as JSON. */

export function scopeLabel(scope: DisclaimerScope): string {
  switch (scope.kind) {
    case 'default':
      return 'the default';
    case 'domain':
      return `domain ${scope.value}`;
    case 'group':
      return `group ${scope.value}`;
    case 'sender':
      return `sender ${scope.value}`;
  }
}

function derivedNote(v: DisclaimerVersion): string {
  if (v.derived === 'text') return 'text derived from the HTML';
  if (v.derived === 'html') return 'HTML derived from the text';
  return 'text and HTML both written';
}

function when(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** One line per version, for history. */
export function historyLine(v: DisclaimerVersion): string {
  const what = v.removed ? 'removed' : v.rollbackOf !== null ? `rollback to #${v.rollbackOf}` : 'set';
  return `#${v.id}  ${scopeKey(v.scope)}  v${v.version}  ${when(v.createdAt)}  ${v.author}  ${what}${v.note ? `: ${v.note}` : ''}`;
}

/** A current version in full: who, when, why, and both halves. */
export function versionDetails(v: DisclaimerVersion): string {
  return [
    `${scopeLabel(v.scope)}: version ${v.version} (#${v.id}), ${when(v.createdAt)} by ${v.author}`,
    ...(v.note ? [`note: ${v.note}`] : []),
    ...(v.rollbackOf !== null ? [`restores #${v.rollbackOf}`] : []),
    `${derivedNote(v)}; marker ${disclaimerMarker(v)}`,
    '--- text ---',
    v.text,
    '--- html ---',
    v.html,
    '---',
  ].join('\n');
}

export function versionJson(v: DisclaimerVersion): Record<string, unknown> {
  return {
    id: v.id,
    scope: scopeKey(v.scope),
    version: v.version,
    createdAt: new Date(v.createdAt).toISOString(),
    author: v.author,
    note: v.note,
    derived: v.derived,
    rollbackOf: v.rollbackOf,
    removed: v.removed,
    ...(v.removed ? {} : { marker: disclaimerMarker(v), text: v.text, html: v.html }),
  };
}
