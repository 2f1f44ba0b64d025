/**
 * One half of a disclaimer pair made from the other, when a manager writes only one.
 * Both directions leave `{{fields}}` as they are, so the derived half is a template too.
 */
import { convert, type HtmlToTextOptions } from 'html-to-text';
import { escapeHtml } from './template.js';

const HTML_TO_TEXT: HtmlToTextOptions = {
  // One line per paragraph: a line whose field is empty is dropped whole, so wrapping would
  // leave half a sentence behind. Mail clients wrap plain text for display anyway.
  wordwrap: false,
  formatters: {
    // html-to-text draws <hr> with dashes; a line of dashes looks like a MIME boundary (validate.ts).
    underscoreRule(_elem, _walk, builder) {
      builder.openBlock({ leadingLineBreaks: 2 });
      builder.addLiteral('_'.repeat(40));
      builder.closeBlock({ trailingLineBreaks: 2 });
    },
  },
  selectors: [
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
    { selector: 'hr', format: 'underscoreRule' },
    { selector: 'tr', format: 'block', options: { leadingLineBreaks: 1, trailingLineBreaks: 1 } },
    { selector: 'td', format: 'inlineSurround', options: { suffix: ' ' } },
    { selector: 'th', format: 'inlineSurround', options: { suffix: ' ' } },
  ],
};

/** Blank lines at the start and end; unlike trim(), keeps the space of a "-- " line. */
const BLANK_EDGES = /^(?:[ \t]*\n)+|(?:\n[ \t]*)+$/g;

/** Plain text for an HTML template: paragraphs separated by a blank line, no wrapping. */
export function textFromHtml(html: string): string {
  return convert(html, HTML_TO_TEXT)
    .split('\n')
    .map((line) => (line === '-- ' ? line : line.trimEnd()))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .replace(BLANK_EDGES, '');
}

/**
 * HTML for a plain-text template: blank lines separate paragraphs (`<p>`), single line breaks
 * become `<br />`. Each `<br />` and `</p>` ends a source line, so a line of the text stays a
 * line of the HTML (the empty-field rule then treats both alike). Nothing is turned into a link.
 */
export function htmlFromText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(BLANK_EDGES, '')
    .split(/\n[ \t]*\n\s*/)
    .map((paragraph) => `<p>${paragraph.split('\n').map(escapeHtml).join('<br />\n')}</p>`)
    .join('\n');
}
