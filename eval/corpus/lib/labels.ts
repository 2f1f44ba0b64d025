/**
 * Labels are recorded while the text is written: every helper that puts a patient detail into
 * a message also records it, so the expected findings are exactly what the message shows.
 */
import {
  format334,
  formatChi,
  formatDate,
  formatPhone,
  formatPostcode,
  isoDate,
  type DateStyle,
  type NumberStyle,
  type PhoneStyle,
  type PostcodeStyle,
} from './identifiers.js';
import { isInternal, type Person } from './people.js';

export type LabelKind = 'nhs_number' | 'chi_number' | 'hc_number' | 'hospital_number' | 'patient_name' | 'dob' | 'postcode' | 'phone' | 'exif_gps' | 'dicom';

export interface FindingLabel {
  readonly kind: LabelKind;
  /** The value as it first appears in the message. */
  readonly value: string;
  /** Other written forms of the same finding in this message (same person, same number or date). */
  readonly also?: readonly string[];
}

export type NameStyle = 'full' | 'title' | 'upper_last' | 'last_first' | 'title_upper_last';

type PersonField = 'name' | 'dob' | 'postcode';

export class Labels {
  private readonly findings = new Map<string, { kind: LabelKind; value: string; also: string[] }>();
  private readonly personFields = new Map<string, Set<PersonField>>();
  private strongSeen = false;
  /** Earlier-recipient addresses disclosed by embedded header blocks (lowercased). */
  private readonly earlier = new Set<string>();
  /** Patients who are correspondents of this message (named in its own From/To/Cc): their names are not findings. */
  private readonly correspondents = new Set<string>();

  /** Marks a patient as a correspondent: the message is addressed to them by name. */
  correspondent(p: Person): void {
    this.correspondents.add(p.id);
  }

  private record(kind: LabelKind, key: string, value: string, personId?: string, field?: PersonField): void {
    const existing = this.findings.get(key);
    if (existing) {
      if (existing.value !== value && !existing.also.includes(value)) existing.also.push(value);
    } else {
      this.findings.set(key, { kind, value, also: [] });
    }
    if (kind === 'nhs_number' || kind === 'chi_number' || kind === 'hc_number' || kind === 'hospital_number') this.strongSeen = true;
    if (personId && field) {
      const fields = this.personFields.get(personId) ?? new Set<PersonField>();
      fields.add(field);
      this.personFields.set(personId, fields);
    }
  }

  /** A patient's name, written in `style`; the label's value leaves out the title. */
  name(p: Person, style: NameStyle = 'full'): string {
    let value: string;
    let written: string;
    switch (style) {
      case 'full':
        value = written = `${p.first} ${p.last}`;
        break;
      case 'title':
        value = `${p.first} ${p.last}`;
        written = `${p.title} ${value}`;
        break;
      case 'upper_last':
        value = written = `${p.first} ${p.last.toUpperCase()}`;
        break;
      case 'title_upper_last':
        value = `${p.first} ${p.last.toUpperCase()}`;
        written = `${p.title} ${value}`;
        break;
      case 'last_first':
        value = written = `${p.last.toUpperCase()}, ${p.first}`;
        break;
    }
    if (!this.correspondents.has(p.id)) this.record('patient_name', `name:${p.id}`, value, p.id, 'name');
    return written;
  }

  /** A later, shorter mention ("Mrs Smith") of a patient already named in this message. */
  nameAgain(p: Person): string {
    const written = `${p.title} ${p.last}`;
    if (this.correspondents.has(p.id)) return written;
    if (!this.findings.has(`name:${p.id}`)) throw new Error('nameAgain before name');
    this.record('patient_name', `name:${p.id}`, written, p.id, 'name');
    return written;
  }

  /** A name written some other way (DICOM "SMITH^JANE", a CSV cell) for the same patient. */
  nameAs(p: Person, written: string): string {
    if (this.correspondents.has(p.id)) return written;
    this.record('patient_name', `name:${p.id}`, written, p.id, 'name');
    return written;
  }

  /** A date of birth written some other way (a DICOM DA value) for the same patient. */
  dobAs(p: Person, written: string): string {
    this.record('dob', `dob:${p.id}:${isoDate(p.dob)}`, written, p.id, 'dob');
    return written;
  }

  dob(p: Person, style: DateStyle): string {
    const written = formatDate(p.dob, style);
    this.record('dob', `dob:${p.id}:${isoDate(p.dob)}`, written, p.id, 'dob');
    return written;
  }

  nhs(p: Person, style: NumberStyle): string {
    const written = format334(p.nhs, style);
    this.record('nhs_number', `nhs:${p.nhs}`, written);
    return written;
  }

  chi(p: Person, style: 'plain' | 'split' | 'space334'): string {
    const written = formatChi(p.chi, style);
    this.record('chi_number', `chi:${p.chi}`, written);
    return written;
  }

  hc(p: Person, style: NumberStyle): string {
    const written = format334(p.hc, style);
    this.record('hc_number', `hc:${p.hc}`, written);
    return written;
  }

  hospitalNo(p: Person): string {
    this.record('hospital_number', `hosp:${p.hospitalNo}`, p.hospitalNo);
    return p.hospitalNo;
  }

  postcode(p: Person, style: PostcodeStyle = 'normal'): string {
    const written = formatPostcode(p.postcode, style);
    this.record('postcode', `postcode:${p.postcode}`, written, p.id, 'postcode');
    return written;
  }

  phone(p: Person, which: 'mobile' | 'landline', style: PhoneStyle): string {
    const digits = which === 'mobile' ? p.mobile : p.landline;
    const written = formatPhone(digits, style);
    this.record('phone', `phone:${digits}`, written);
    return written;
  }

  gps(value: string): void {
    this.record('exif_gps', `gps:${value}`, value);
  }

  dicom(filename: string): void {
    this.record('dicom', `dicom:${filename}`, filename);
  }

  /** An address disclosed in an embedded header block's To or Cc. */
  earlierRecipient(email: string): void {
    this.earlier.add(email.toLowerCase());
  }

  get findingsList(): FindingLabel[] {
    return [...this.findings.values()].map((f) => (f.also.length > 0 ? { kind: f.kind, value: f.value, also: [...f.also] } : { kind: f.kind, value: f.value }));
  }

  get hasFindings(): boolean {
    return this.findings.size > 0;
  }

  /** One strong identifier, or two of name, date of birth and postcode for the same patient. */
  get identifiable(): boolean {
    if (this.strongSeen) return true;
    for (const fields of this.personFields.values()) if (fields.size >= 2) return true;
    return false;
  }

  get earlierRecipients(): number {
    return this.earlier.size;
  }

  get earlierExternalRecipients(): number {
    return [...this.earlier].filter((e) => !isInternal(e)).length;
  }
}
