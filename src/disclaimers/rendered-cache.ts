import { disclaimerFor, type ContentConfig, type DisclaimerTemplates } from './content.js';
import type { Sender } from './mime-node.js';
import { formatDisclaimerDate } from './template.js';
import type { DisclaimerContent } from './types.js';

/**
 * disclaimerFor, remembered for one set of current texts: a practice's mail comes from a few
 * dozen senders, and each one's disclaimer is the same all day. Choosing and rendering (fields
 * escaped, empty lines dropped, the marker hashed) took a fifth of a 2 KB message's rewrite.
 * The texts and the config are fixed for the cache's life; the planner makes a new cache when
 * the texts change. The key holds everything else the rendering reads: the address, the
 * display name and the UK date.
 */
export class RenderedDisclaimers {
  readonly #entries = new Map<string, DisclaimerContent | null>();

  constructor(
    readonly templates: readonly DisclaimerTemplates[],
    readonly config: ContentConfig,
    /** Past this many senders and days the cache starts again (a bound, not an expected size). */
    private readonly maxEntries = 1024,
  ) {}

  contentFor(sender: Sender, at: Date): DisclaimerContent | null {
    // An invalid date is for disclaimerFor to judge (it needs one only when a text applies).
    if (Number.isNaN(at.getTime())) return disclaimerFor(this.templates, sender, this.config, at);
    const key = `${sender.address}\n${sender.name}\n${formatDisclaimerDate(at)}`;
    const known = this.#entries.get(key);
    if (known !== undefined) return known;
    const content = disclaimerFor(this.templates, sender, this.config, at);
    if (this.#entries.size >= this.maxEntries) this.#entries.clear();
    this.#entries.set(key, content);
    return content;
  }
}
