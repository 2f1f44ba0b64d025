import type { Config } from '../config/schema.js';
import { disclaimerFor } from '../disclaimers/content.js';
import { senderOf } from '../disclaimers/mime-node.js';
import type { RewriteInput } from '../disclaimers/rewrite.js';
import type { DisclaimerStore, DisclaimerVersion, LeasedMessage } from '../store/types.js';

export type PlanDisclaimer = (message: LeasedMessage) => Promise<RewriteInput | null>;

/**
 * How each message gets its disclaimer at delivery: the current texts from the store (read
 * again whenever their revision moves, so a change applies to the next message delivered),
 * chosen and filled for the message's From address (the envelope sender when it has none).
 */
export function disclaimerPlanner(store: DisclaimerStore, config: Pick<Readonly<Config>, 'practice' | 'disclaimers'>, now: () => number = Date.now): PlanDisclaimer {
  let loaded: { revision: number; versions: DisclaimerVersion[] } | null = null;
  const current = async (): Promise<DisclaimerVersion[]> => {
    const revision = await store.disclaimerRevision();
    if (loaded?.revision !== revision) loaded = { revision, versions: await store.currentDisclaimers() };
    return loaded.versions;
  };
  return async (message) => {
    const versions = await current();
    if (versions.length === 0) return null;
    const at = new Date(now());
    return {
      settings: config.disclaimers,
      seed: message.id,
      choose: (root) => disclaimerFor(versions, senderOf(root) ?? { address: message.mailFrom.toLowerCase(), name: '' }, config, at),
    };
  };
}
