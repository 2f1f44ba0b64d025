/** Pieces many categories share: signatures, disclaimers, body shapes, staff senders. */
import { lines, type Block, type HtmlFlavour } from './doc.js';
import type { Charset } from './mime.js';
import type { BodyOptions, Shape } from './message.js';
import { EMMA, SARAH, TOM, type Org, type Staff } from './people.js';
import type { Rng } from './random.js';

/** A staff signature with the practice's own address and phone (never labelled). */
export function signature(rng: Rng, staff: Staff): Block {
  const phone = rng.pick(['0113 496 0123', '0113 4960123', '(0113) 496 0123', '+44 113 496 0123', '0113-496-0123']);
  const sign = rng.pick(['Kind regards,', 'Many thanks,', 'Best wishes,', 'Regards,', 'Thanks,']);
  const variants: string[][] = [
    [sign, '', staff.name, staff.role, 'Brightsmile Dental', '12 High Street, Leeds LS1 4AB', `Tel: ${phone}`, 'www.brightsmile-dental.co.uk'],
    [sign, staff.first, '', '--', `${staff.name} | ${staff.role}`, 'Brightsmile Dental Practice | 12 High Street | Leeds | LS1 4AB', `T: ${phone} | E: ${staff.email}`],
    [sign, '', staff.name, `${staff.role}, Brightsmile Dental`, phone],
  ];
  if (staff === SARAH) {
    variants.push([sign, '', 'Dr Sarah Patel BDS (Leeds) MFDS RCS (Ed)', 'Dentist | GDC No. 104512', 'Brightsmile Dental, 12 High Street, Leeds, LS1 4AB', `Tel ${phone}`]);
    variants.push([sign, '', 'Sarah', '', 'Dr Sarah Patel', 'GDC 104512 | NHS Performer No. 718204', 'Brightsmile Dental', '12 High Street', 'Leeds', 'LS1 4AB', phone]);
  }
  if (staff === TOM) variants.push([sign, '', 'Tom Brown', 'Practice Manager', 'Brightsmile Dental Ltd, Company No. 08412375, VAT Reg. 162 4471 85', 'Registered office: 12 High Street, Leeds LS1 4AB', `Telephone ${phone}`]);
  if (staff === EMMA) variants.push([sign, 'Emma', '', 'Reception Team, Brightsmile Dental', '12 High St, Leeds, LS1 4AB  |  0113 496 0123', 'Opening hours: Mon-Fri 8:30-17:30']);
  return lines(rng.pick(variants));
}

export function disclaimer(rng: Rng): Block[] {
  if (!rng.chance(0.35)) return [];
  return [
    lines([
      'CONFIDENTIALITY NOTICE: This email and any attachments are confidential and intended solely for the addressee.',
      'If you have received it in error please notify the sender and delete it. Brightsmile Dental Ltd, registered in England No. 08412375.',
    ]),
  ];
}

/** An external organisation's signature: its own address and phone (not patient data, not labelled). */
export function orgSignature(rng: Rng, org: Org, person: string): Block {
  return lines([rng.pick(['Kind regards', 'Thanks', 'Best regards']), '', person, org.name, org.address, `Tel: ${org.phone}`, `www.${org.domain}`]);
}

export const FLAVOURS: readonly HtmlFlavour[] = ['outlook', 'gmail', 'apple', 'thunderbird', 'plain'];

/** A body shape: plain text, HTML only or multipart/alternative, with a charset and encodings. */
export function anyBody(rng: Rng, flavour?: HtmlFlavour, shapes: readonly Shape[] = ['text', 'text', 'alt', 'alt', 'alt', 'html']): BodyOptions {
  const f = flavour ?? rng.pick(FLAVOURS);
  const shape = rng.pick(shapes);
  const charset: Charset = rng.pick(['utf-8', 'utf-8', 'utf-8', 'utf-8', 'utf-8', 'utf-8', 'iso-8859-1', 'windows-1252']);
  return {
    shape,
    flavour: f,
    charset,
    textEncoding: rng.pick(['7bit', '7bit', 'quoted-printable', 'base64']),
    htmlEncoding: rng.pick(['quoted-printable', 'quoted-printable', '7bit', 'base64']),
  };
}

export function reSubject(rng: Rng, subject: string, forward: boolean): string {
  if (forward) return `${rng.pick(['Fwd', 'FW', 'Fw'])}: ${subject}`;
  return `${rng.pick(['Re', 'RE'])}: ${subject}`;
}
