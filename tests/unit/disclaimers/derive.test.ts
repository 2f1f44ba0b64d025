import { describe, expect, it } from 'vitest';
import { htmlFromText, textFromHtml } from '../../../src/disclaimers/derive.js';
import { renderHtml, renderText, TEMPLATE_FIELDS, type TemplateValues } from '../../../src/disclaimers/template.js';

const ALL_FIELDS = TEMPLATE_FIELDS.map((f) => `{{${f}}}`).join(' ');

describe('htmlFromText', () => {
  it('makes paragraphs of blank-line-separated blocks and <br /> of single line breaks, one per source line', () => {
    expect(htmlFromText('Smile Dental\n12 High Street\n\nConfidential.\n\n\nBye')).toBe(
      '<p>Smile Dental<br />\n12 High Street</p>\n<p>Confidential.</p>\n<p>Bye</p>',
    );
  });

  it('escapes markup and links nothing', () => {
    expect(htmlFromText('a < b & "c" https://smile.example ann@smile.example')).toBe('<p>a &lt; b &amp; &quot;c&quot; https://smile.example ann@smile.example</p>');
  });

  it('keeps {{fields}}, spaced or not', () => {
    expect(htmlFromText(`${ALL_FIELDS}\n{{ sender_name }}`)).toBe(`<p>${ALL_FIELDS}<br />\n{{ sender_name }}</p>`);
  });

  it('keeps the signature separator\'s space', () => {
    expect(htmlFromText('-- \nAnn')).toBe('<p>-- <br />\nAnn</p>');
  });
});

describe('textFromHtml', () => {
  it('turns paragraphs, breaks, lists and table rows into lines, without wrapping', () => {
    const long = 'word '.repeat(40).trim();
    const html = `<p>Smile <b>Dental</b><br />\n12 High Street</p>\n<p>${long}</p><ul><li>one</li><li>two</li></ul><table><tr><td>Owner</td><td>Dr Patel</td></tr><tr><td>Company</td><td>0123</td></tr></table>`;
    expect(textFromHtml(html)).toBe(`Smile Dental\n12 High Street\n\n${long}\n\n * one\n * two\n\nOwner Dr Patel\nCompany 0123`);
  });

  it('draws <hr> with underscores, not a boundary-like line of dashes', () => {
    expect(textFromHtml('<p>a</p><hr /><p>b</p>')).toBe(`a\n\n${'_'.repeat(40)}\n\nb`);
  });

  it('shows a link target unless it is the link text', () => {
    expect(textFromHtml('<a href="https://smile.example/privacy">Privacy</a> <a href="https://smile.example">https://smile.example</a>')).toBe(
      'Privacy [https://smile.example/privacy] https://smile.example',
    );
  });

  it('keeps {{fields}} in text and in link targets', () => {
    expect(textFromHtml(`<p>${ALL_FIELDS}</p><p>{{ practice_name }} <a href="mailto:{{sender_address}}">write</a></p>`)).toBe(
      `${ALL_FIELDS}\n\n{{ practice_name }} write [{{sender_address}}]`,
    );
  });

  it('decodes entities', () => {
    expect(textFromHtml('<p>Smile &amp; Co &mdash; &lt;ok&gt;</p>')).toBe('Smile & Co — <ok>');
  });
});

describe('derived halves render alike', () => {
  const values: TemplateValues = { sender_name: 'Ann', sender_address: 'ann@smile.example', practice_name: 'Smile', practice_address: '', practice_owner: 'Dr P', company_number: '', date: '1 July 2026' };

  it('an empty field drops the same line from a text and the HTML derived from it', () => {
    const text = 'From {{sender_name}}\n{{practice_address}}\nOwner {{practice_owner}}\n\nCompany {{company_number}}\n\nBye';
    expect(renderText(text, values)).toBe('From Ann\nOwner Dr P\n\nBye');
    expect(renderHtml(htmlFromText(text), values)).toBe('<p>From Ann<br />\nOwner Dr P</p>\n<p>Bye</p>');
  });
});
