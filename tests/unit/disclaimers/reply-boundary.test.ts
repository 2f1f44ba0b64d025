import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { htmlReplyBoundary, textReplyBoundary } from '../../../src/disclaimers/reply-boundary.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/replies');
const MARK = '⟦boundary⟧';

interface Sample {
  readonly name: string;
  readonly body: string;
  readonly expected: number | null;
}

function samples(ext: '.txt' | '.html'): Sample[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith(ext))
    .sort()
    .map((name) => {
      const raw = readFileSync(join(FIXTURES, name), 'utf8');
      const at = raw.indexOf(MARK);
      return { name, body: raw.replace(MARK, ''), expected: at < 0 ? null : at };
    });
}

/** Where the earlier messages begin, shown as the text from there (readable failures). */
function from(body: string, index: number | null): string | null {
  return index === null ? null : body.slice(index, index + 60);
}

const TEXT = samples('.txt');
const HTML = samples('.html');

describe('textReplyBoundary on client samples', () => {
  it('has samples of every client and of the negative cases', () => {
    for (const client of ['gmail', 'apple', 'thunderbird', 'outlook', 'negative']) {
      expect(TEXT.filter((s) => s.name.startsWith(client)).length).toBeGreaterThanOrEqual(2);
    }
  });

  it.each(TEXT.map((s) => [s.name, s] as const))('%s', (_name, sample) => {
    const found = textReplyBoundary(sample.body);
    expect(from(sample.body, found)).toBe(from(sample.body, sample.expected));
    expect(found).toBe(sample.expected);
  });

  it.each(TEXT.map((s) => [s.name, s] as const))('%s with CRLF line ends', (_name, sample) => {
    const crlf = sample.body.replace(/\n/g, '\r\n');
    const expected = sample.expected === null ? null : sample.expected + (sample.body.slice(0, sample.expected).match(/\n/g)?.length ?? 0);
    expect(textReplyBoundary(crlf)).toBe(expected);
  });
});

describe('textReplyBoundary rules', () => {
  it('returns a line start', () => {
    for (const s of TEXT) {
      const found = textReplyBoundary(s.body);
      if (found !== null) expect(found === 0 || s.body[found - 1] === '\n').toBe(true);
    }
  });

  it('puts the boundary after the signature, never at "-- "', () => {
    const body = 'Fine.\n\n-- \nJane\n\nOn Tue, 3 Mar 2026 at 10:00, Bob <bob@example.org> wrote:\n> Hello\n';
    expect(from(body, textReplyBoundary(body))).toMatch(/^On Tue/);
    expect(textReplyBoundary('Fine.\n\n-- \nJane\n')).toBeNull();
  });

  it('takes a trailing quote without attribution from its first quoted line', () => {
    const body = 'Yes.\n\n> Can you do Thursday?\n>\n> Bob\n\n\n';
    expect(textReplyBoundary(body)).toBe(body.indexOf('> Can'));
  });

  it('does not take a wrapped line as an attribution unless it opens like one', () => {
    const body = 'I agree with what\nBob wrote:\n> the crown is loose\n';
    expect(textReplyBoundary(body)).toBe(body.indexOf('Bob wrote:'));
  });

  it('needs Sent or Date, and To or Subject, for a header block', () => {
    expect(textReplyBoundary('Hi\n\nFrom: Bob\nTo: Jane\n\nText\n')).toBeNull();
    const body = 'Hi\n\nFrom: Bob\nDate: Tue\nSubject: X\n\nText\n';
    expect(textReplyBoundary(body)).toBe(body.indexOf('From:'));
  });

  it('ignores a separator inside an interleaved quote', () => {
    const body = '> -----Original Message-----\n> From: Bob\n\nMy answer.\n';
    expect(textReplyBoundary(body)).toBeNull();
  });

  it('handles empty and one-line input', () => {
    expect(textReplyBoundary('')).toBeNull();
    expect(textReplyBoundary('\n')).toBeNull();
    expect(textReplyBoundary('> only a quote')).toBe(0);
    expect(textReplyBoundary('Begin forwarded message:')).toBe(0);
  });
});

describe('htmlReplyBoundary on client samples', () => {
  it('has samples of every client and of the negative cases', () => {
    for (const client of ['gmail', 'apple', 'thunderbird', 'outlook', 'negative']) {
      expect(HTML.filter((s) => s.name.startsWith(client)).length).toBeGreaterThanOrEqual(2);
    }
  });

  it.each(HTML.map((s) => [s.name, s] as const))('%s', (_name, sample) => {
    const found = htmlReplyBoundary(sample.body);
    expect(from(sample.body, found)).toBe(from(sample.body, sample.expected));
    expect(found).toBe(sample.expected);
  });
});

describe('htmlReplyBoundary rules', () => {
  it('stays inside the container that holds the reply (Outlook WordSection1)', () => {
    const sample = HTML.find((s) => s.name === 'outlook-desktop-reply.html')!;
    const found = htmlReplyBoundary(sample.body)!;
    const before = sample.body.slice(0, found);
    expect(before).toContain('<div class="WordSection1">');
    expect(sample.body.slice(found)).toMatch(/^<div style="border:none;border-top/);
  });

  it('ignores markers in the quoted content of an earlier marker (first one wins)', () => {
    const html = '<div>Yes.</div><div class="gmail_quote"><blockquote class="gmail_quote"><div id="x_divRplyFwdMsg"><b>From:</b> A</div></blockquote></div>';
    expect(htmlReplyBoundary(html)).toBe(html.indexOf('<div class="gmail_quote">'));
  });

  it('works without html and body elements, and on plain text in HTML', () => {
    expect(htmlReplyBoundary('Hi<br><br>-----Original Message-----<br>From: A<br>')).toBe('Hi<br><br>'.length);
    expect(htmlReplyBoundary('')).toBeNull();
    expect(htmlReplyBoundary('just text')).toBeNull();
  });

  it('survives malformed markup', () => {
    expect(htmlReplyBoundary('<div>Yes<blockquote type=cite>old')).toBe('<div>Yes'.length);
    expect(htmlReplyBoundary('<div>Yes</div><div class="gmail_quote"><p>old<!-- never closed')).toBe(14);
    expect(htmlReplyBoundary('<p>Yes</p><div class="gmail_quote')).toBeNull();
    // A quote that never closes ends the tag at the next '>' (a browser would hide the rest).
    expect(htmlReplyBoundary('<p title="x>Yes</p><blockquote type=cite>old</blockquote>')).toBe(19);
    // A balanced one swallows the blockquote into the attribute, as a browser does.
    expect(htmlReplyBoundary('<p title="x>Yes</p><blockquote type="cite">old</blockquote>')).toBeNull();
    expect(htmlReplyBoundary('a < b and c <3 d<blockquote type=cite>q</blockquote>')).toBe('a < b and c <3 d'.length);
  });
});

/** A tiny seeded generator, so a failure can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * Whole tokens to build documents from. Each token's start is a tag boundary; nothing
 * inside a token is (comments, style, script and attribute values hide markers).
 */
const TOKENS = [
  '<div>', '</div>', '<p>', '</p>', '<br>', '<span>', '</span>', '<b>', '</b>', 'Hello there. ', 'Thanks, ',
  'On Tue, 3 Mar 2026, Bob wrote:', '-----Original Message-----', 'From: Bob', 'Sent: Tuesday', 'To: Jane',
  'Subject: X', '________________________________', '<blockquote type="cite">', '<blockquote>', '</blockquote>',
  '<div class="gmail_quote">', '<div id="divRplyFwdMsg">', '<hr style="display:inline-block;width:98%">',
  '<div class="moz-cite-prefix">', '<div class="moz-forward-container">', '-------- Forwarded Message --------',
  '<div style="border:none;border-top:solid #E1E1E1 1.0pt">', '<!-- <div class="gmail_quote"> -->',
  '<style>div.gmail_quote{} <blockquote type="cite"></style>', '<script>x="<div id=\'divRplyFwdMsg\'>"</script>',
  '<a title="x > <div class=gmail_quote>" href="#">', '</a>', '&nbsp;', '\n', '<img src="x.png" alt="a>b">',
  '<table><tr><td>', '</td></tr></table>', 'Begin forwarded message:', '<div id="mail-editor-reference-message-container">',
];

describe('htmlReplyBoundary never lands inside a tag, comment, style or script', () => {
  it('on 400 generated documents', () => {
    const random = prng(20260303);
    let found = 0;
    for (let doc = 0; doc < 400; doc++) {
      let html = '';
      const starts = new Set<number>();
      const count = 5 + Math.floor(random() * 40);
      for (let t = 0; t < count; t++) {
        starts.add(html.length);
        html += TOKENS[Math.floor(random() * TOKENS.length)];
      }
      starts.add(html.length);
      const at = htmlReplyBoundary(html);
      if (at === null) continue;
      found++;
      if (!starts.has(at)) throw new Error(`boundary ${at} inside a token of ${JSON.stringify(html)}`);
    }
    expect(found).toBeGreaterThan(100);
  });

  it('on every sample', () => {
    for (const s of HTML) {
      const at = htmlReplyBoundary(s.body);
      if (at === null) continue;
      expect(s.body[at] === '<' || s.body[at - 1] === '>').toBe(true);
    }
  });
});

describe('bounded work on pathological input', () => {
  const SIZE = 5 * 1024 * 1024;
  const fill = (unit: string) => unit.repeat(Math.ceil(SIZE / unit.length));

  it('returns on 5 MB inputs built to defeat regexes', () => {
    expect(textReplyBoundary(fill('> '))).toBe(0);
    expect(textReplyBoundary(fill('>\n'))).toBe(0);
    expect(textReplyBoundary(fill('-'))).toBeNull();
    expect(textReplyBoundary(fill('On Tue wrote: '))).toBeNull();
    expect(textReplyBoundary(fill('From: a\n'))).toBeNull();
    expect(textReplyBoundary(`${fill('x\n> q\n')}end\n`)).toBeNull();
    expect(textReplyBoundary(fill('On Tue, Bob wrote:\n'))).toBeNull();
    expect(htmlReplyBoundary(fill('<'))).toBeNull();
    expect(htmlReplyBoundary(fill('<div class="'))).toBeNull();
    expect(htmlReplyBoundary(fill('<div a=\'b" c="d\'>'))).toBeNull();
    expect(htmlReplyBoundary(fill('<blockquote>'))).toBeNull();
    expect(htmlReplyBoundary(fill('<div style="border:none;border-top:solid 1pt">x'))).toBeNull();
    expect(htmlReplyBoundary(fill('&nbsp;'))).toBeNull();
    expect(htmlReplyBoundary(`<p>Hi</p>${fill('<blockquote type="cite">x</blockquote>y')}`)).toBeNull();
    expect(htmlReplyBoundary(`<p>Hi</p><blockquote type="cite">${fill('<!--x-->')}</blockquote>`)).toBe(9);
  });
});
