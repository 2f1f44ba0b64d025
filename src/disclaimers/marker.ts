import { createHash } from 'node:crypto';

/**
 * A stable id for a template pair: "mg-" and the first 12 hex digits of SHA-256 over the text
 * template, a NUL, and the HTML template. Computed from the templates, not the rendered text,
 * so every sender's copy of one disclaimer carries the same marker, and a changed text gets a
 * new one (a thread that carries the old text then receives the new). The rewriter carries it
 * in the data-mouthguard-disclaimer attribute of its HTML wrapper.
 */
export function disclaimerMarker(template: { readonly text: string; readonly html: string }): string {
  const digest = createHash('sha256').update(template.text, 'utf8').update('\u0000').update(template.html, 'utf8').digest('hex');
  return `mg-${digest.slice(0, 12)}`;
}
