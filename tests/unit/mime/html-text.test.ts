import { readFileSync } from 'node:fs';
import { compile } from 'html-to-text';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { everyTestMessage } from '../../helpers/eml-files.js';
import { htmlToText } from '../../../src/mime/html-text.js';
import type { TextUnit } from '../../../src/policies/detector.js';
import { analyseChain } from '../../../src/policies/recipient-chain.js';
import { defaultDetectors } from '../../../src/policies/registry.js';

describe('htmlToText: the layout the detectors read', () => {
  const cases: [string, string, string][] = [
    ['paragraphs: a blank line between, whitespace collapsed', '<p>Hello   <b>John</b>\n Smith</p><p>Second</p>', 'Hello John Smith\n\nSecond'],
    ['divisions: a line each', '<div>a</div>   <div>b</div>', 'a\nb'],
    ['an empty line a mail client writes as <div><br></div>', '<div>Dear Colleague,</div>\n<div><br></div>\n<div>Please find</div>', 'Dear Colleague,\n\n\nPlease find'],
    ['<br> ends a line; two make a blank one', 'line1<br>line2<br/><br>line3', 'line1\nline2\n\nline3'],
    ['<br> between paragraphs adds one line', '<p>x</p><br><p>y</p>', 'x\n\n\ny'],
    ['table cells end with a tab, rows are lines', '<table><tr><th>Name</th><th>DOB</th></tr><tr><td>John Smith</td><td>01/02/1980</td></tr></table>after', 'Name\tDOB\t\nJohn Smith\t01/02/1980\t\n\nafter'],
    ['lists', '<ul><li>one</li><li>two</li></ul><ol><li>a</li><li>b</li></ol>', ' * one\n * two\n\n 1. a\n 2. b'],
    ['quoted blocks are prefixed, blank lines too', '<blockquote>quoted <p>para</p></blockquote>', '> quoted\n> \n> para'],
    ['nested quotes', '<blockquote><blockquote>deep</blockquote>mid</blockquote>', '> > deep\n> \n> mid'],
    ['headings in capitals', '<h2>Patient: John Smith</h2>text', 'PATIENT: JOHN SMITH\n\ntext'],
    ['link targets in brackets, mailto: dropped, #anchors left out', '<a href="mailto:jane@x.com">Jane</a> and <a href="https://e.com/x">link</a> <a href="#top">top</a>', 'Jane [jane@x.com] and link [https://e.com/x] top'],
    ['a link without text is its target', '<a href="https://x.com"></a>z', 'https://x.comz'],
    ['images: alt text and source', '<img src="x.png" alt="Xray of John"> text <img src="y.png">', 'Xray of John [x.png] text [y.png]'],
    ['inline image data is left out', '<img src="data:image/png;base64,AAAA" alt="scan">', 'scan'],
    ['preformatted text kept as it is', '<pre>  a   b\n  c</pre>', '  a   b\n  c'],
    ['script and style skipped', '<div>a<script>var x="<p>";</script>b<style>.c{}</style>c</div>', 'abc'],
    ['the head is skipped', '<html><head><title>T</title></head><body><p>x</p></body></html>', 'x'],
    ['without a head, everything', '<title>T</title>text', 'Ttext'],
    ['text after </body> is read (a browser shows it)', '<html><body><p>Reply</p><html><body><p>original</p></body></html><p>NHS 943 476 5919</p></body></html>', 'Reply\n\noriginal\n\nNHS 943 476 5919'],
    ['a <body> in a comment hides nothing', '<html><head><!-- <body> --></head><p>Patient NHS 943 476 5919</p></html>', 'Patient NHS 943 476 5919'],
    ['entities decoded; a no-break space stays one', '<p>Smith &amp; Jones&nbsp;Ltd &lt;b&gt;</p>', 'Smith & Jones\u00a0Ltd <b>'],
    ['entities as browsers read them: numeric, legacy without a semicolon, windows-1252 numbers', '<p>NHS&#32;943&#x20;476 5919 &copy 2026 &amp co &#128;5 &notit;</p>', 'NHS 943 476 5919 \u00a9 2026 & co \u20ac5 \u00acit;'],
    ['entities that make white space are collapsed like it', '<p>a&#9;&#10; b</p><pre>x&#10;y</pre>', 'a b\n\nx\ny'],
    ['entities in headings are capitalised with the rest', '<h1>caf&eacute; &amp; co</h1>', 'CAF\u00c9 & CO'],
    ['entities in link targets and image text are decoded, by attribute rules', '<a href="https://x.org/?a=1&amp;b=2&copy=3">x</a> <img alt="Dr &amp; Mrs Patel" src="scan&amp;1.png">', 'x [https://x.org/?a=1&b=2&copy=3] Dr & Mrs Patel [scan&1.png]'],
    ['<textarea> content decoded, as a browser shows it; <xmp> shown as written', '<textarea>NHS&#32;943 476 5919</textarea><xmp>a &amp; b</xmp>', 'NHS 943 476 5919a &amp; b'],
    ['inline elements join without spaces unless the source has them', '<span>a</span><span>b</span> <span> c </span>', 'ab c'],
    ['a rule', '<hr>x', '----------------------------------------\n\nx'],
  ];
  it.each(cases)('%s', (_name, html, text) => {
    expect(htmlToText(html)).toBe(text);
  });

  it('stops at maxChars, and deep quoting does not grow the text without bound', () => {
    const deep = '<blockquote>'.repeat(2_000) + '<p>line</p>'.repeat(2_000);
    const text = htmlToText(deep, 100_000);
    expect(text.length).toBeLessThanOrEqual(100_000);
    expect(text.startsWith('> > > > > > > > > > line')).toBe(true); // ten levels of prefix at most
  });

  it('has no recursion to run out of: deeply nested markup converts', () => {
    const depth = 50_000;
    const html = '<div>'.repeat(depth) + 'deep' + '</div>'.repeat(depth);
    expect(htmlToText(html)).toBe('deep');
  });
});

/**
 * html-to-text as inspection used it before this converter: the layout it replaced, which the
 * detectors' tests and the labelled corpus were built against.
 */
const reference = compile({
  wordwrap: false,
  selectors: [
    { selector: 'tr', format: 'block', options: { leadingLineBreaks: 1, trailingLineBreaks: 1 } },
    { selector: 'td', format: 'inlineSurround', options: { suffix: '\t' } },
    { selector: 'th', format: 'inlineSurround', options: { suffix: '\t' } },
  ],
});


describe('htmlToText against html-to-text, on every HTML message we have', () => {
  const detectors = defaultDetectors({ maxTextChars: 2_000_000, maxAttachmentBytes: 2_000_000, pdfTimeoutMs: 5_000 });
  const context = { practicePostcodes: [], practicePhones: [], knownNames: [] };
  /** What inspection concludes from a text: every finding and the recipient chain. */
  const conclusions = (text: string) => {
    const unit: TextUnit = { location: 'body:html', text };
    const findings = detectors.text.flatMap((detect) => detect(unit, context)).map((f) => `${f.kind}:${f.value}`);
    const chain = analyseChain({ units: [unit], embeddedHeaders: [], visible: { to: '', cc: '' }, practiceDomains: ['brightsmile-dental.co.uk'] });
    return { findings: new Set(findings), chain };
  };

  it('finds everything html-to-text let inspection find, and the same on nearly all (labelled corpus and shared MIME fixtures)', async () => {
    let compared = 0;
    let same = 0;
    const missing: string[] = [];
    for (const file of everyTestMessage()) {
      const parsed = await simpleParser(readFileSync(file), { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true }).catch(() => null);
      if (typeof parsed?.html !== 'string' || parsed.html === '') continue;
      compared++;
      const ours = conclusions(htmlToText(parsed.html));
      const theirs = conclusions(reference(parsed.html));
      const lost = [...theirs.findings].filter((f) => !ours.findings.has(f));
      if (lost.length > 0 || ours.chain.earlierRecipients < theirs.chain.earlierRecipients) missing.push(`${file}: ${lost.join(', ')}`);
      if (lost.length === 0 && ours.findings.size === theirs.findings.size && JSON.stringify(ours.chain) === JSON.stringify(theirs.chain)) same++;
    }
    expect(compared).toBeGreaterThan(300);
    expect(missing).toEqual([]);
    // Where they differ, it is text html-to-text dropped after </body> (a forwarded document's headers).
    expect(same).toBeGreaterThanOrEqual(compared - 2);
  });
});
