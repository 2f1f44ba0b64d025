/**
 * Which disclaimer a sender gets, and the field values for that sender.
 *
 * The most specific current text wins: the sender's own address, then a sender group, then the
 * sender's practice domain, then the default. Matching ignores case.
 * - Groups come from `disclaimers.groups`; a member is an address or "@domain" (the domain and
 *   its subdomains). When the sender is in several groups that have a text, the group whose
 *   name sorts first wins, so the outcome never depends on the order of the config file.
 * - The practice domain is the longest of `practice.domains` that is the sender's domain or a
 *   parent of it (mail.smile.example → smile.example), as elsewhere in the relay; a sender
 *   outside them is matched by their own domain.
 */
import type { Config } from '../config/schema.js';
import type { DisclaimerScope } from '../core/disclaimer-scope.js';
import { formatDisclaimerDate } from './template.js';
import type { TemplateValues } from './template-fields.js';

/** What choosing needs of a saved version; the store's DisclaimerVersion has this shape. */
export interface ChoosableDisclaimer {
  readonly scope: DisclaimerScope;
  readonly removed?: boolean | undefined;
}

export interface ChooseSettings {
  /** `disclaimers.groups`: group name → addresses and "@domains" (lower case). */
  readonly groups: Readonly<Record<string, readonly string[]>>;
  /** `practice.domains`. */
  readonly practiceDomains: readonly string[];
}

/** The config sections fieldsFor reads. */
export interface FieldsConfig {
  readonly practice: Pick<Config['practice'], 'name' | 'domains' | 'address' | 'owner' | 'companyNumber'>;
  readonly disclaimers: Pick<Config['disclaimers'], 'practices'>;
}

function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at === -1 ? '' : address.slice(at + 1).toLowerCase().replace(/\.$/, '');
}

function within(domain: string, base: string): boolean {
  return domain === base || domain.endsWith(`.${base}`);
}

/** The practice domain a sender belongs to, or the sender's own domain when none. */
export function practiceDomainOf(sender: string, practiceDomains: readonly string[]): string {
  const domain = domainOf(sender);
  const matches = practiceDomains.map((d) => d.toLowerCase()).filter((d) => within(domain, d));
  return matches.sort((a, b) => b.length - a.length)[0] ?? domain;
}

/** The groups a sender belongs to, by name order. */
export function senderGroups(sender: string, groups: ChooseSettings['groups']): string[] {
  const address = sender.toLowerCase();
  const domain = domainOf(address);
  const member = (pattern: string) => {
    const p = pattern.toLowerCase();
    return p.startsWith('@') ? within(domain, p.slice(1)) : p === address;
  };
  return Object.keys(groups)
    .sort()
    .filter((name) => (groups[name] ?? []).some(member));
}

/** The disclaimer for `sender` among the current versions, or null when none applies. */
export function chooseDisclaimer<T extends ChoosableDisclaimer>(current: readonly T[], sender: string, settings: ChooseSettings): T | null {
  const live = current.filter((v) => !v.removed);
  const find = (kind: DisclaimerScope['kind'], value?: string) =>
    live.find((v) => v.scope.kind === kind && (v.scope.kind === 'default' || (value !== undefined && v.scope.value.toLowerCase() === value.toLowerCase())));
  const address = sender.toLowerCase();
  if (address) {
    const own = find('sender', address);
    if (own) return own;
    for (const group of senderGroups(address, settings.groups)) {
      const found = live.find((v) => v.scope.kind === 'group' && v.scope.value === group);
      if (found) return found;
    }
    const domain = find('domain', practiceDomainOf(address, settings.practiceDomains));
    if (domain) return domain;
  }
  return find('default') ?? null;
}

/**
 * The field values for a sender: practice details from `disclaimers.practices[<practice
 * domain>]`, each falling back to the top-level `practice` section; the date as it is in the UK.
 */
export function fieldsFor(sender: string, displayName: string | null, config: FieldsConfig, now: Date | number): TemplateValues {
  const own = config.disclaimers.practices[practiceDomainOf(sender, config.practice.domains)];
  return {
    sender_name: displayName?.trim() ?? '',
    sender_address: sender,
    practice_name: own?.name ?? config.practice.name,
    practice_address: own?.address ?? config.practice.address ?? '',
    practice_owner: own?.owner ?? config.practice.owner ?? '',
    company_number: own?.companyNumber ?? config.practice.companyNumber ?? '',
    date: formatDisclaimerDate(now),
  };
}
