import { htmlHasDisclaimer, markerAttribute } from './presence.js';
import { htmlReplyBoundary } from './reply-boundary.js';
import type { DisclaimerContent, RewriteSettings } from './types.js';

export interface HtmlInsertOptions {
  readonly placement: RewriteSettings['placement'];
  readonly repeat: RewriteSettings['repeat'];
  /** The line break the part uses. */
  readonly eol: string;
}

/**
 * Neutral and inline: mail clients drop <style> blocks and external CSS, and the disclaimer
 * should look like small print under any theme, never like part of the sender's text.
 */
const WRAPPER_STYLE = [
  'margin:16px 0 0 0',
  'padding:8px 0 0 0',
  'border-top:1px solid #d0d0d0',
  'font-family:Arial,Helvetica,sans-serif',
  'font-size:11px',
  'line-height:1.4',
  'color:#555555',
].join(';');

/** The disclaimer element, recognisable later by its marker attribute. */
export function disclaimerElement(content: DisclaimerContent, eol: string): string {
  return `<div ${markerAttribute(content.marker)} style="${WRAPPER_STYLE}">${eol}${content.html.replace(/\r?\n/g, eol)}${eol}</div>`;
}

/**
 * The HTML with the disclaimer element inside the document: before the quoted earlier
 * messages (placement reply, when the reply's quote is recognised), else before `</body>`,
 * else before `</html>`, else at the end. null as for text.
 */
export function insertIntoHtml(html: string, content: DisclaimerContent, options: HtmlInsertOptions): string | null {
  const boundary = options.placement === 'reply' ? htmlReplyBoundary(html) : null;
  const scope = options.repeat === 'once-per-thread' || boundary === null ? html : html.slice(0, boundary);
  if (htmlHasDisclaimer(scope, content)) return null;

  const { markup, end } = withoutHiddenText(html);
  const at = boundary ?? lastTagStart(markup, /<\/body\s*>/gi) ?? lastTagStart(markup, /<\/html\s*>/gi) ?? end;
  const { eol } = options;
  const before = html.slice(0, at);
  const gap = before === '' || /\n$/.test(before) ? '' : eol;
  return before + gap + disclaimerElement(content, eol) + eol + html.slice(at);
}

/**
 * When the part had to change charset (to UTF-8), a <meta> that still names the old one would
 * make a browser-based client misread it.
 */
export function retargetMetaCharset(html: string, charset: string): string {
  return html
    .replace(/(<meta\b[^>]*?\bcharset\s*=\s*["']?)[\w.:-]+/gi, `$1${charset}`);
}

const HIDDEN = /<!--[\s\S]*?(?:-->|$)|<(script|style)\b[^>]*>[\s\S]*?(?:<\/\1\s*>|$)/gi;
const CLOSED = /(?:-->|<\/(?:script|style)\s*>)$/i;

/**
 * The HTML with comments, scripts and styles blanked out (same length, so positions still
 * match): a `</body>` written inside one of them is not the end of the document, and the
 * disclaimer put there would never be seen. `end`: where the shown document ends, before a
 * comment, script or style left open to the end of the part.
 */
function withoutHiddenText(html: string): { markup: string; end: number } {
  let end = html.length;
  const markup = html.replace(HIDDEN, (hidden: string, _tag: string | undefined, at: number) => {
    if (!CLOSED.test(hidden)) end = at;
    return ' '.repeat(hidden.length);
  });
  return { markup, end };
}

function lastTagStart(html: string, tag: RegExp): number | null {
  let last: number | null = null;
  for (const match of html.matchAll(tag)) last = match.index;
  return last;
}
