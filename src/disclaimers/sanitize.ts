/**
 * Reduces a manager's HTML to the small, safe subset a disclaimer needs, and says what it
 * removed so the manager can be told (nothing is dropped silently).
 *
 * Kept: p, br, div, span, b, strong, i, em, u, small, a, ul, ol, li, table, thead, tbody, tr,
 * td, th, hr; the style attribute anywhere (unless it could load something: url(), image-set(),
 * expression(), @import, CSS escapes); href on links when it is http:, https: or mailto:;
 * a few layout attributes on tables. Gone: scripts, images and every other embedded or remote
 * resource, forms, style sheets, event handlers, comments and document structure (html, head,
 * body: a disclaimer is a fragment). The text inside a removed formatting tag stays; the text
 * inside script, style, title, button and other form controls goes with it. Headings,
 * blockquote, pre, center and other block structure become <p> or <div>; <font> becomes <span>.
 */
import sanitizeHtml from 'sanitize-html';

export interface SanitizedHtml {
  readonly html: string;
  /** One line per kind of removal, e.g. `<img> (2): images and other remote resources are not allowed`. */
  readonly removed: readonly string[];
}

export const ALLOWED_TAGS = ['p', 'br', 'div', 'span', 'b', 'strong', 'i', 'em', 'u', 'small', 'a', 'ul', 'ol', 'li', 'table', 'thead', 'tbody', 'tr', 'td', 'th', 'hr'];

const ALLOWED_ATTRIBUTES: Record<string, string[]> = {
  '*': ['style'],
  a: ['href', 'title'],
  table: ['border', 'cellpadding', 'cellspacing', 'width', 'align'],
  td: ['colspan', 'rowspan', 'width', 'align', 'valign'],
  th: ['colspan', 'rowspan', 'width', 'align', 'valign'],
  p: ['align'],
  div: ['align'],
};

const SCRIPT = ['script', 'noscript', 'template'];
const RESOURCE = ['img', 'picture', 'source', 'video', 'audio', 'track', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'link', 'svg', 'math', 'canvas', 'base', 'image'];
const FORM = ['form', 'input', 'button', 'select', 'option', 'optgroup', 'textarea', 'label', 'fieldset', 'legend', 'datalist', 'output'];
const DOCUMENT = ['html', 'head', 'body', 'title', 'meta'];

/** Structure worth keeping as a line or block of its own, in an allowed tag, rather than run into its neighbours. */
const RENAME: Record<string, string> = {
  ...Object.fromEntries(['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((h) => [h, 'p'])),
  ...Object.fromEntries(['blockquote', 'pre', 'center', 'section', 'article', 'header', 'footer', 'main', 'nav', 'aside', 'address', 'figure', 'figcaption'].map((t) => [t, 'div'])),
  font: 'span',
};

/** CSS that can fetch or run something. Escapes are refused because they can spell url( in disguise. */
const UNSAFE_STYLE = /url\s*\(|image-set\s*\(|image\s*\(|expression\s*\(|@import|\\|behavior\s*:|-moz-binding|javascript:/i;
const LINK = /^\s*(https?:|mailto:)/i;

function tagReason(tag: string): string {
  if (SCRIPT.includes(tag)) return 'scripts are not allowed';
  if (tag === 'style') return 'style sheets are not allowed (use the style attribute)';
  if (RESOURCE.includes(tag)) return 'images and other embedded or remote resources are not allowed';
  if (FORM.includes(tag)) return 'forms are not allowed';
  if (DOCUMENT.includes(tag)) return 'a disclaimer is part of a message, not a whole HTML document';
  return `not one of the allowed tags (${ALLOWED_TAGS.join(', ')}); its text is kept`;
}

function attributeAllowed(tag: string, attribute: string): boolean {
  return (ALLOWED_ATTRIBUTES['*'] ?? []).includes(attribute) || (ALLOWED_ATTRIBUTES[tag] ?? []).includes(attribute);
}

/** Collects removals as "what: why", counting repeats. */
class Removals {
  readonly #counts = new Map<string, number>();

  add(what: string, why: string): void {
    const key = `${what}\u0000${why}`;
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
  }

  list(): string[] {
    return [...this.#counts].map(([key, n]) => {
      const [what, why] = key.split('\u0000') as [string, string];
      return `${what}${n > 1 ? ` (${n})` : ''}: ${why}`;
    });
  }
}

/** Checks one tag's attributes, deleting the unsafe ones that sanitize-html would otherwise keep. */
function inspectTag(tag: string, attribs: sanitizeHtml.Attributes, removals: Removals): void {
  if (!ALLOWED_TAGS.includes(tag)) {
    removals.add(`<${tag}>`, tagReason(tag));
    return;
  }
  for (const [name, value] of Object.entries(attribs)) {
    if (/^on/i.test(name)) removals.add(`${name} on <${tag}>`, 'event handlers are not allowed');
    else if (!attributeAllowed(tag, name)) removals.add(`${name} on <${tag}>`, 'attribute not allowed');
    else if (name === 'style' && UNSAFE_STYLE.test(value)) {
      removals.add(`style on <${tag}>`, 'styles that could load or run something (url(), expression(), escapes) are not allowed');
      delete attribs[name];
    } else if (name === 'href' && !LINK.test(value)) {
      removals.add(`href on <${tag}>`, 'only http:, https: and mailto: links are allowed');
      delete attribs[name];
    }
  }
}

const BLOCK_END = /(<br \/>|<hr \/>|<\/(?:p|div|li|ul|ol|tr|thead|tbody|table)>)(?!\n)/g;

export function sanitizeDisclaimerHtml(input: string): SanitizedHtml {
  const removals = new Removals();
  if (/<!--/.test(input)) removals.add('HTML comments', 'removed (including Outlook conditional comments)');
  const html = sanitizeHtml(input, {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: ALLOWED_ATTRIBUTES,
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesAppliedToAttributes: ['href'],
    allowProtocolRelative: false,
    disallowedTagsMode: 'discard',
    nonTextTags: ['script', 'style', 'title', 'textarea', 'option', 'button', 'select', 'noscript', 'template'],
    transformTags: {
      '*': (tagName, attribs) => {
        const name = tagName.toLowerCase();
        const renamed = RENAME[name];
        if (renamed) removals.add(`<${name}>`, `not one of the allowed tags: made a <${renamed}>`);
        inspectTag(renamed ?? name, attribs, removals);
        return { tagName: renamed ?? tagName, attribs };
      },
    },
  });
  // One block per source line: keeps lines short and gives the empty-field rule its lines.
  const lined = html.replace(BLOCK_END, '$1\n').replace(/\n+$/, '');
  return { html: lined, removed: removals.list() };
}
