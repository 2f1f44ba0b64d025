import type { Config } from '../config/schema.js';
import { chooseDisclaimer, fieldsFor, type ChoosableDisclaimer } from './choose.js';
import { disclaimerMarker } from './marker.js';
import type { Sender } from './mime-node.js';
import { renderHtml, renderText, TEMPLATE_FIELDS, type TemplateField, type TemplateValues } from './template.js';
import type { DisclaimerContent } from './types.js';

/** A saved text pair, as choosing and rendering need it (the store's DisclaimerVersion has this shape). */
export interface DisclaimerTemplates extends ChoosableDisclaimer {
  readonly text: string;
  readonly html: string;
}

export type ContentConfig = Pick<Readonly<Config>, 'practice' | 'disclaimers'>;

/**
 * The disclaimer for one sender, rendered: the most specific current text, its fields filled
 * for the sender and practice at `at`. Null when no text applies.
 */
export function disclaimerFor(current: readonly DisclaimerTemplates[], sender: Sender, config: ContentConfig, at: Date): DisclaimerContent | null {
  const chosen = chooseDisclaimer(current, sender.address, { groups: config.disclaimers.groups, practiceDomains: config.practice.domains });
  if (!chosen) return null;
  const fields = fieldsFor(sender.address, sender.name || null, config, at);
  const text = renderText(chosen.text, fields).trim();
  const html = renderHtml(chosen.html, fields).trim();
  // Every line of it had an empty field: there is nothing to add.
  if (!text && !html) return null;
  return { marker: disclaimerMarker(chosen), text, html, templateText: recognisableTemplate(chosen.text, fields) };
}

/**
 * The template as it was rendered for this sender, with the fields left as placeholders: the
 * lines dropped for an empty field are dropped here too, so recognising the disclaimer later
 * never waits for wording that was never sent.
 */
function recognisableTemplate(template: string, fields: TemplateValues): string {
  const placeholders = {} as Record<TemplateField, string>;
  for (const name of TEMPLATE_FIELDS) placeholders[name] = fields[name] ? `{{${name}}}` : '';
  return renderText(template, placeholders);
}
