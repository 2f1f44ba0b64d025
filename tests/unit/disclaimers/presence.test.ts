import { describe, expect, it } from 'vitest';
import { htmlHasDisclaimer, textHasDisclaimer } from '../../../src/disclaimers/presence.js';
import type { DisclaimerContent } from '../../../src/disclaimers/types.js';
import { ASCII_DISCLAIMER } from '../../helpers/disclaimer-sample.js';

const ACCENTED: DisclaimerContent = {
  marker: 'mg-000000000002',
  text: 'Clínica Dental Núñez, Leeds.\nEste correo es confidencial.',
  html: '<p>Clínica Dental Núñez, Leeds.</p>',
  templateText: 'Clínica Dental Núñez, Leeds.\nEste correo es confidencial.',
};

describe('recognising a disclaimer already in a message', () => {
  const quoted = '> Is Tuesday fine?\n>\n> Smile Dental Care Ltd, registered\n> in England no. 01234567. This email\n> is confidential.\n';

  it('finds an ASCII template in an ASCII quote, rewrapped and re-cased', () => {
    expect(textHasDisclaimer(quoted, ASCII_DISCLAIMER)).toBe(true);
    expect(textHasDisclaimer(quoted.toUpperCase(), ASCII_DISCLAIMER)).toBe(true);
  });

  it('finds it the same way when the rest of the message is not ASCII', () => {
    // The haystack then takes the NFKD path and the template the ASCII one: both must agree.
    expect(textHasDisclaimer(`Merci, à mardi — café?\n${quoted}`, ASCII_DISCLAIMER)).toBe(true);
    expect(textHasDisclaimer(`Merci, à mardi — café?\n${quoted.replace('01234567', '0123456')}`, ASCII_DISCLAIMER)).toBe(false);
  });

  it('matches an accented template in text whose accents a client dropped, and the reverse', () => {
    expect(textHasDisclaimer('> Clinica Dental Nunez, Leeds. Este correo es confidencial.', ACCENTED)).toBe(true);
    expect(textHasDisclaimer('> CLÍNICA DENTAL NÚÑEZ, LEEDS. ESTE CORREO ES CONFIDENCIAL.', ACCENTED)).toBe(true);
    const asciiTemplate = { ...ACCENTED, templateText: 'Clinica Dental Nunez, Leeds.\nEste correo es confidencial.' };
    expect(textHasDisclaimer('> Clínica Dental Núñez, Leeds. Este correo es confidencial.', asciiTemplate)).toBe(true);
  });

  it('needs the fixed pieces in order', () => {
    expect(textHasDisclaimer('This email is confidential. Smile Dental Care Ltd, registered in England no. 01234567.', ASCII_DISCLAIMER)).toBe(false);
  });

  it('reads HTML with tags, entities and styles in the way', () => {
    const html = '<style>p{}</style><blockquote><p>Smile Dental Care <b>Ltd</b>, registered in England no.&nbsp;01234567.</p><p>This email is&#32;confidential.</p></blockquote>';
    expect(htmlHasDisclaimer(html, ASCII_DISCLAIMER)).toBe(true);
    expect(htmlHasDisclaimer('<p>Cl&iacute;nica Dental N&#250;&#xF1;ez, Leeds.</p><p>Este correo es confidencial.</p>', ACCENTED)).toBe(true);
    expect(htmlHasDisclaimer('<p>Smile Dental Care Ltd</p>', ASCII_DISCLAIMER)).toBe(false);
  });
});
