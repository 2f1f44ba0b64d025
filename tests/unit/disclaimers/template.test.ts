import { describe, expect, it } from 'vitest';
import { FIELD_MAX_OCTETS, TEMPLATE_FIELDS, formatDisclaimerDate, renderHtml, renderText, type TemplateValues } from '../../../src/disclaimers/template.js';

const FULL: TemplateValues = {
  sender_name: 'Ann Jones',
  sender_address: 'ann@smile.example',
  practice_name: 'Smile Dental Care Ltd',
  practice_address: '12 High Street, Leeds LS1 4AB',
  practice_owner: 'Dr R. Patel',
  company_number: '01234567',
  date: '24 November 2026',
};
const without = (...names: (keyof TemplateValues)[]): TemplateValues => ({ ...FULL, ...Object.fromEntries(names.map((n) => [n, ''])) });

describe('formatDisclaimerDate', () => {
  it('writes the UK calendar day in words', () => {
    expect(formatDisclaimerDate(new Date('2026-11-24T12:00:00Z'))).toBe('24 November 2026');
  });

  it('uses the day in London, not UTC (summer time)', () => {
    expect(formatDisclaimerDate(new Date('2026-06-30T23:30:00Z'))).toBe('1 July 2026');
    expect(formatDisclaimerDate(new Date('2026-12-31T23:30:00Z'))).toBe('31 December 2026');
  });

  it('turns the day at midnight in London, whatever was asked just before', () => {
    const at = (iso: string) => formatDisclaimerDate(new Date(iso));
    expect([at('2026-06-30T22:59:00Z'), at('2026-06-30T22:59:59.999Z'), at('2026-06-30T23:00:00Z'), at('2026-06-30T22:59:30Z')]).toEqual([
      '30 June 2026',
      '30 June 2026',
      '1 July 2026',
      '30 June 2026',
    ]);
    expect([at('2026-12-31T23:59:59.999Z'), at('2027-01-01T00:00:00Z'), at('2027-01-01T00:00:30Z')]).toEqual(['31 December 2026', '1 January 2027', '1 January 2027']);
  });

  it('leaves instants it cannot vouch for to Intl: before 1970, fractions of a millisecond, out of range', () => {
    // London kept local mean time (-0:01:15) until 1847: the day turned off the minute.
    expect([formatDisclaimerDate(Date.UTC(1800, 0, 1, 0, 1, 0)), formatDisclaimerDate(Date.UTC(1800, 0, 1, 0, 1, 30))]).toEqual(['31 December 1799', '1 January 1800']);
    expect([formatDisclaimerDate(-3849724830000), formatDisclaimerDate(-3849724800000.5)]).toEqual(['3 January 1848', '4 January 1848']);
    expect(formatDisclaimerDate(8.64e15)).toBe('13 September 275760');
    expect(() => formatDisclaimerDate(8.64e15 + 1)).toThrow(RangeError);
    expect(() => formatDisclaimerDate(new Date(NaN))).toThrow(RangeError);
  });
});

describe('renderText', () => {
  it('fills every field, with or without spaces inside the braces', () => {
    const template = TEMPLATE_FIELDS.map((f) => `${f}={{${f}}}`).join('\n') + '\nagain {{ sender_name }}';
    expect(renderText(template, FULL)).toBe(
      'sender_name=Ann Jones\nsender_address=ann@smile.example\npractice_name=Smile Dental Care Ltd\n' +
        'practice_address=12 High Street, Leeds LS1 4AB\npractice_owner=Dr R. Patel\ncompany_number=01234567\ndate=24 November 2026\nagain Ann Jones',
    );
  });

  it('does not escape anything in plain text', () => {
    expect(renderText('From {{sender_name}}', { ...FULL, sender_name: 'O\'Brien & <Sons> "Ltd"' })).toBe('From O\'Brien & <Sons> "Ltd"');
  });

  it('drops the whole line of an empty field, and a blank line it would leave doubled', () => {
    const template = '{{practice_name}}\n{{practice_address}}\nReg. no. {{company_number}}, owner {{practice_owner}}\n\nConfidential.';
    expect(renderText(template, without('company_number'))).toBe('Smile Dental Care Ltd\n12 High Street, Leeds LS1 4AB\n\nConfidential.');
    expect(renderText('A\n\nCompany {{company_number}}\n\nB', without('company_number'))).toBe('A\n\nB');
    expect(renderText('Company {{company_number}}\n\nB', without('company_number'))).toBe('B');
    expect(renderText('A\n\nCompany {{company_number}}', without('company_number'))).toBe('A');
  });

  it('treats a value of only spaces as empty', () => {
    expect(renderText('A\nOwner {{practice_owner}}\nB', { ...FULL, practice_owner: '  \t ' })).toBe('A\nB');
  });

  it('keeps every line when nothing is empty', () => {
    const template = 'A\n\n{{practice_name}}\n\nB';
    expect(renderText(template, FULL)).toBe('A\n\nSmile Dental Care Ltd\n\nB');
  });

  it('puts a multi-line value on one line and strips control characters', () => {
    expect(renderText('At {{practice_address}}.', { ...FULL, practice_address: '12 High Street\r\nLeeds\nLS1 4AB\n' })).toBe('At 12 High Street, Leeds, LS1 4AB.');
    expect(renderText('By {{sender_name}}', { ...FULL, sender_name: 'Ann\u0000\u001b[31m Jones' })).toBe('By Ann [31m Jones');
  });

  it('cuts a long value to FIELD_MAX_OCTETS octets of UTF-8, at a whole character, with an ellipsis', () => {
    const out = renderText('{{sender_name}}', { ...FULL, sender_name: 'é'.repeat(500) });
    expect(Buffer.byteLength(out, 'utf8')).toBeLessThanOrEqual(FIELD_MAX_OCTETS);
    expect(out).toMatch(/^é+…$/);
  });

  it('leaves an unknown field as written', () => {
    expect(renderText('{{nope}} {{sender_name}}', FULL)).toBe('{{nope}} Ann Jones');
  });
});

describe('renderHtml', () => {
  it('escapes values for HTML text and attributes', () => {
    const html = renderHtml('<p><a href="mailto:{{sender_address}}">{{sender_name}}</a></p>', { ...FULL, sender_name: 'Ann "<b>" & co', sender_address: 'a"b@x.example' });
    expect(html).toBe('<p><a href="mailto:a&quot;b@x.example">Ann &quot;&lt;b&gt;&quot; &amp; co</a></p>');
  });

  it('cuts a long value by its escaped size, never inside an entity', () => {
    const out = renderHtml('{{sender_name}}', { ...FULL, sender_name: '&'.repeat(300) });
    expect(Buffer.byteLength(out, 'utf8')).toBeLessThanOrEqual(FIELD_MAX_OCTETS);
    expect(out).toMatch(/^(&amp;)+…$/);
  });

  it('drops a paragraph that holds only the empty line', () => {
    expect(renderHtml('<p>A</p>\n<p>Company no. {{company_number}}.</p>\n<p>B</p>', without('company_number'))).toBe('<p>A</p>\n<p>B</p>');
    expect(renderHtml('<div style="color:#555">Owner: <b>{{practice_owner}}</b></div>\nB', without('practice_owner'))).toBe('B');
    expect(renderHtml('<ul><li>{{company_number}}</li><li>x</li></ul>', without('company_number'))).toBe('<ul><li>x</li></ul>');
  });

  it('drops one <br>-separated line, with its <br>, and keeps the rest of the paragraph', () => {
    const template = '<p>{{practice_name}}<br />\n{{practice_address}}<br />\nOwner {{practice_owner}}</p>';
    expect(renderHtml(template, without('practice_address'))).toBe('<p>Smile Dental Care Ltd<br />\nOwner Dr R. Patel</p>');
    expect(renderHtml(template, without('practice_owner'))).toBe('<p>Smile Dental Care Ltd<br />\n12 High Street, Leeds LS1 4AB</p>');
    expect(renderHtml(template, without('practice_name'))).toBe('<p>12 High Street, Leeds LS1 4AB<br />\nOwner Dr R. Patel</p>');
    expect(renderHtml('<p>A<br><br>{{company_number}}<br><br>B</p>', without('company_number'))).toBe('<p>A<br><br>B</p>');
  });

  it('drops the paragraph once its last line goes', () => {
    expect(renderHtml('<p>{{company_number}}<br />{{practice_owner}}</p>\n<p>z</p>', without('company_number', 'practice_owner'))).toBe('<p>z</p>');
  });

  it('drops the table row of an empty field in a cell', () => {
    const template = '<table>\n<tr><td>Owner</td><td>{{practice_owner}}</td></tr>\n<tr><td>Company</td><td>{{company_number}}</td></tr>\n</table>';
    expect(renderHtml(template, without('company_number'))).toBe('<table>\n<tr><td>Owner</td><td>Dr R. Patel</td></tr>\n</table>');
  });

  it('treats source lines as lines too', () => {
    expect(renderHtml('<p>{{practice_name}}\n{{practice_address}}</p>', without('practice_address'))).toBe('<p>Smile Dental Care Ltd</p>');
    expect(renderHtml('Top {{company_number}}\n<p>B</p>', without('company_number'))).toBe('<p>B</p>');
  });

  it('keeps inline tags that the dropped line opens or closes for other lines', () => {
    expect(renderHtml('<p>A<br />\n<b>Reg {{company_number}}<br />\nsecond</b></p>', without('company_number'))).toBe('<p>A<br />\n<b>second</b></p>');
  });

  it('drops the line of an empty field used in a link', () => {
    expect(renderHtml('<p>Call us<br />\nWrite to <a href="mailto:{{sender_address}}">us</a></p>', without('sender_address'))).toBe('<p>Call us</p>');
  });

  it('a field in a block element attribute drops nothing', () => {
    expect(renderHtml('<p title="{{company_number}}">Hello</p>', without('company_number'))).toBe('<p title="">Hello</p>');
  });

  it('changes nothing when no field is empty', () => {
    const template = '<p>{{practice_name}}<br />\n{{practice_address}}</p>\n<table><tr><td>{{company_number}}</td></tr></table>';
    expect(renderHtml(template, FULL)).toBe(
      '<p>Smile Dental Care Ltd<br />\n12 High Street, Leeds LS1 4AB</p>\n<table><tr><td>01234567</td></tr></table>',
    );
  });
});
