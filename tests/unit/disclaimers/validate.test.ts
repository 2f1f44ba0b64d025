import { describe, expect, it } from 'vitest';
import { FIELD_MAX_OCTETS } from '../../../src/disclaimers/template.js';
import { MAX_HTML_CHARS, MAX_LINE_OCTETS, MAX_TEXT_CHARS, prepareDisclaimer, templateProblems } from '../../../src/disclaimers/validate.js';

function problems(input: { text?: string; html?: string }): readonly string[] {
  const out = prepareDisclaimer(input);
  return out.ok ? [] : out.problems;
}

describe('prepareDisclaimer', () => {
  it('accepts a text alone and derives the HTML', () => {
    const out = prepareDisclaimer({ text: 'Smile Dental Care\nConfidential: for {{sender_name}}.\n\nThank you.' });
    expect(out).toEqual({
      ok: true,
      text: 'Smile Dental Care\nConfidential: for {{sender_name}}.\n\nThank you.',
      html: '<p>Smile Dental Care<br />\nConfidential: for {{sender_name}}.</p>\n<p>Thank you.</p>',
      derived: 'html',
      removed: [],
    });
  });

  it('accepts HTML alone, sanitised, and derives the text', () => {
    const out = prepareDisclaimer({ html: '<p onclick="x()">Smile<br>{{practice_address}}</p>' });
    expect(out).toEqual({ ok: true, text: 'Smile\n{{practice_address}}', html: '<p>Smile<br />\n{{practice_address}}</p>', derived: 'text', removed: ['onclick on <p>: event handlers are not allowed'] });
  });

  it('keeps both when both are given', () => {
    const out = prepareDisclaimer({ text: 'Plain', html: '<b>Rich</b>' });
    expect(out).toMatchObject({ ok: true, text: 'Plain', html: '<b>Rich</b>', derived: null });
  });

  it('needs at least one of the two', () => {
    expect(problems({})).toEqual(['give a plain text, an HTML version, or both']);
  });

  it('reads Windows files: BOM and CRLF, blank lines at the ends dropped', () => {
    const out = prepareDisclaimer({ text: '\uFEFF\r\n\r\nHello {{sender_name}}\r\n\r\n-- \r\nBye\r\n\r\n' });
    expect(out).toMatchObject({ ok: true, text: 'Hello {{sender_name}}\n\n-- \nBye' });
  });

  it('refuses an empty text and HTML that sanitising empties', () => {
    expect(problems({ text: '  \n\n ' })).toContain('text: is empty');
    expect(problems({ html: '<img src="https://t.example/x.png"><script>x</script>' })).toContain('HTML: nothing is left once what is not allowed is removed');
  });

  it('refuses control characters, naming them and their line', () => {
    const found = problems({ text: 'ok\nbad\rline\nnul\u0000 and esc\u001b\ntab\tis fine\nsep\u2028' });
    expect(found).toEqual([
      'text, line 2: a carriage return (CR) on its own (U+000D) is not allowed (only line feeds and tabs)',
      'text, line 3: NUL (U+0000) is not allowed (only line feeds and tabs)',
      'text, line 3: ESC (U+001B) is not allowed (only line feeds and tabs)',
      'text, line 5: a Unicode line separator (U+2028) is not allowed (only line feeds and tabs)',
    ]);
  });

  it('finds a control character spelled as an HTML entity', () => {
    expect(problems({ html: '<p>a&#27;b</p>' })).toContain('HTML, line 1: ESC (U+001B) is not allowed (only line feeds and tabs)');
  });

  it(`limits the text to ${MAX_TEXT_CHARS} characters and the HTML to ${MAX_HTML_CHARS}`, () => {
    const line = 'x'.repeat(99) + '\n';
    expect(problems({ text: line.repeat(40) })).toEqual([]); // 3999 characters
    expect(problems({ text: line.repeat(41) })).toContain(`text: 4099 characters, more than the ${MAX_TEXT_CHARS} allowed`);
    expect(problems({ text: 'ok', html: `<p>${line}</p>`.repeat(170) }).some((p) => p.startsWith('HTML: ') && p.includes(`more than the ${MAX_HTML_CHARS} allowed`))).toBe(true);
  });

  it('counts characters, not octets, for the length limit', () => {
    expect(problems({ text: ('é'.repeat(99) + '\n').repeat(40) })).toEqual([]);
  });

  it(`refuses a line over ${MAX_LINE_OCTETS} octets of UTF-8, counting each field at its longest`, () => {
    expect(problems({ text: 'x'.repeat(MAX_LINE_OCTETS), html: '<p>ok</p>' })).toEqual([]);
    expect(problems({ text: 'é'.repeat(500), html: '<p>ok</p>' })).toEqual([`text, line 1: 1000 octets long, more than the ${MAX_LINE_OCTETS} a mail line may have: split it`]);
    const fits = 'x'.repeat(MAX_LINE_OCTETS - 2 * FIELD_MAX_OCTETS) + '{{sender_name}}{{practice_name}}';
    expect(problems({ text: fits, html: '<p>ok</p>' })).toEqual([]);
    const over = 'x' + fits;
    expect(problems({ text: over, html: '<p>ok</p>' })).toEqual([
      `text, line 1: up to 999 octets long once its 2 field(s) are filled in (each counts up to ${FIELD_MAX_OCTETS}), more than the ${MAX_LINE_OCTETS} a mail line may have: split it`,
    ]);
  });

  it('checks the lines of the derived half too, and says it was derived', () => {
    const found = problems({ text: 'x'.repeat(MAX_LINE_OCTETS - 4) });
    expect(found).toEqual([expect.stringMatching(/^HTML \(derived from the text\), line 1: 1001 octets long/)]);
  });

  it('refuses a text that starts like a header block', () => {
    const msg = /line 1: starts with lines that look like mail headers/;
    expect(problems({ text: 'Content-Type: text/html\n\n<script>' })).toEqual([expect.stringMatching(msg)]);
    expect(problems({ text: 'X-Evil: 1\nBcc: all@example.org\n folded\n\nbody' })).toEqual([expect.stringMatching(msg)]);
    expect(problems({ text: 'Disclaimer: confidential\n\nMore' })).toEqual([expect.stringMatching(msg)]);
    // No blank line after, a space before the colon, or not at the start: not a header block.
    expect(problems({ text: 'Disclaimer: confidential\nMore' })).toEqual([]);
    expect(problems({ text: 'Important notice: confidential\n\nMore' })).toEqual([]);
    expect(problems({ text: 'Hello\nSubject: x\n\nMore' })).toEqual([]);
  });

  it('refuses boundary-looking lines but allows the "-- " signature separator', () => {
    const found = problems({ text: 'Hi\n-- \nName\n--boundary42\n----------\n--\n-- Dr Smith' });
    expect(found.map((p) => p.split(':')[0])).toEqual([
      'text, line 4',
      'text, line 5',
      'text, line 6',
      'text, line 7',
    ]);
  });

  it('refuses unknown fields, listing the known ones, and stray braces', () => {
    const found = problems({ text: 'Hi {{senderName}} from {{ practice_name }}\n{{date}} {{ company number\n}} done' });
    expect(found).toEqual([
      'text, line 1: unknown field {{senderName}}; the fields are {{sender_name}}, {{sender_address}}, {{practice_name}}, {{practice_address}}, {{practice_owner}}, {{company_number}}, {{date}}',
      'text, line 2: a "{{" or "}}" that is not part of a {{field}}',
      'text, line 3: a "{{" or "}}" that is not part of a {{field}}',
    ]);
  });

  it('does not repeat for the derived half what the written half already reports', () => {
    expect(problems({ text: '--x' })).toEqual([expect.stringMatching(/^text, line 1: starts with "--"/)]);
    // But a problem only the derived half has is reported, marked as derived.
    expect(problems({ html: '<p>a</p><p>--b</p>' })).toEqual([expect.stringMatching(/^text \(derived from the HTML\), line 3: starts with "--"/)]);
  });

  it('reports every problem of both halves at once', () => {
    const found = problems({ text: 'Subject: x\n\n{{nope}}', html: '<p>{{nope2}}</p>\n--b' });
    expect(found).toHaveLength(4);
  });
});

describe('templateProblems', () => {
  it('finds nothing wrong with a typical disclaimer', () => {
    const text = '-- \n{{practice_name}}, {{practice_address}}\nRegistered in England no. {{company_number}}. Owner: {{practice_owner}} (GDC registered).\nSent by {{sender_name}} <{{sender_address}}> on {{date}}.';
    expect(templateProblems('text', text)).toEqual([]);
  });
});
