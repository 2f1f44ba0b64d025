import type { Config } from '../config/schema.js';
import { disclaimerFor, type DisclaimerTemplates } from '../disclaimers/content.js';
import { senderOf } from '../disclaimers/mime-node.js';
import type { RewriteInput } from '../disclaimers/rewrite.js';
import type { DisclaimerStore, DisclaimerVersion, LeasedMessage } from '../store/types.js';

export type PlanDisclaimer = (message: LeasedMessage) => Promise<RewriteInput | null>;
type PlanConfig = Pick<Readonly<Config>, 'practice' | 'disclaimers'>;

/**
 * How each message gets its disclaimer at delivery: the current texts from the store (read
 * again whenever their revision moves, so a change applies to the next message delivered).
 */
export function disclaimerPlanner(store: DisclaimerStore, config: PlanConfig, now: () => number = Date.now): PlanDisclaimer {
  let loaded: { revision: number; versions: DisclaimerVersion[] } | null = null;
  const current = async (): Promise<DisclaimerVersion[]> => {
    const revision = await store.disclaimerRevision();
    if (loaded?.revision !== revision) loaded = { revision, versions: await store.currentDisclaimers() };
    return loaded.versions;
  };
  return async (message) => {
    const versions = await current();
    if (versions.length === 0) return null;
    return rewriteInputFor(versions, config, new Date(now()), message.id, message.mailFrom);
  };
}

/**
 * The rewrite of one message: the text chosen and filled for its From address (the envelope
 * sender when it has none), at `at`. Also what `mouthguard disclaimer apply|preview` run.
 */
export function rewriteInputFor(templates: readonly DisclaimerTemplates[], config: PlanConfig, at: Date, seed: string, envelopeSender: string): RewriteInput {
  return {
    settings: config.disclaimers,
    seed,
    choose: (root) => disclaimerFor(templates, senderOf(root) ?? { address: envelopeSender.toLowerCase(), name: '' }, config, at),
  };
}
