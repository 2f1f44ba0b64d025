import type { Config } from '../config/schema.js';
import { RenderedDisclaimers } from '../disclaimers/rendered-cache.js';
import { senderOf } from '../disclaimers/mime-node.js';
import type { RewriteInput } from '../disclaimers/rewrite.js';
import type { DisclaimerStore, LeasedMessage } from '../store/types.js';

export type PlanDisclaimer = (message: LeasedMessage) => Promise<RewriteInput | null>;
type PlanConfig = Pick<Readonly<Config>, 'practice' | 'disclaimers'>;

/**
 * How each message gets its disclaimer at delivery: the current texts from the store (read
 * again whenever their revision moves, so a change applies to the next message delivered).
 */
export function disclaimerPlanner(store: DisclaimerStore, config: PlanConfig, now: () => number = Date.now): PlanDisclaimer {
  let loaded: { revision: number; rendered: RenderedDisclaimers } | null = null;
  const current = async (): Promise<RenderedDisclaimers> => {
    const revision = await store.disclaimerRevision();
    if (loaded?.revision !== revision) loaded = { revision, rendered: new RenderedDisclaimers(await store.currentDisclaimers(), config) };
    return loaded.rendered;
  };
  return async (message) => {
    const rendered = await current();
    if (rendered.templates.length === 0) return null;
    return rewriteInputFor(rendered, new Date(now()), message.id, message.mailFrom);
  };
}

/**
 * The rewrite of one message: the text chosen and filled for its From address (the envelope
 * sender when it has none), at `at`, with the settings of the config the texts were rendered
 * for. Also what `mouthguard disclaimer apply|preview` run.
 */
export function rewriteInputFor(rendered: RenderedDisclaimers, at: Date, seed: string, envelopeSender: string): RewriteInput {
  return {
    settings: rendered.config.disclaimers,
    seed,
    choose: (root) => rendered.contentFor(senderOf(root) ?? { address: envelopeSender.toLowerCase(), name: '' }, at),
  };
}
