/**
 * Self-check of the labelled evaluation corpus (eval/corpus): every labelled file exists and
 * parses, uses CRLF only, every health-service number passes its checksum, every labelled value
 * can be seen in the message, and the expected verdicts follow the default policy from the labels.
 * It checks the corpus, not the inspection.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import exifr from 'exifr';
import { unzipSync } from 'fflate';
import { convert } from 'html-to-text';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const CORPUS = join(ROOT, 'eval', 'corpus');
const PRACTICE_DOMAIN = 'brightsmile-dental.co.uk';

const CATEGORIES = [
  'referral',
  'referral-scotland',
  'referral-ni',
  'patient-letter',
  'appointment-reminder',
  'lab-docket',
  'supplier-order',
  'payroll',
  'newsletter',
  'it-mail',
  'finance',
  'chain-outlook',
  'chain-gmail',
  'chain-apple',
  'chain-thunderbird',
  'many-recipients',
  'anonymised-case',
  'csv-patient-list',
  'csv-other',
  'photo-gps',
  'photo',
  'dicom',
  'consumer-webmail',
  'publishing',
  'internal',
  'signature',
] as const;

const KINDS = ['nhs_number', 'chi_number', 'hc_number', 'hospital_number', 'patient_name', 'dob', 'postcode', 'phone', 'exif_gps', 'dicom'] as const;
const VERDICTS = ['deliver', 'warn', 'hold', 'reject'] as const;
const CONSUMER = ['gmail.com', 'hotmail.co.uk', 'outlook.com', 'yahoo.co.uk', 'icloud.com', 'btinternet.com'];
const PUBLISHING = ['post.wordpress.com', 'flickr.com', 'tumblr.com', 'blogger.com'];

interface Finding {
  kind: (typeof KINDS)[number];
  value: string;
  also?: string[];
}

interface Label {
  file: string;
  mail_from: string;
  rcpt_to: string[];
  category: string;
  notes: string;
  expected: {
    verdict: (typeof VERDICTS)[number];
    findings: Finding[];
    chain: { earlierRecipients: number; earlierExternalRecipients: number; visibleExternalRecipients: number };
    identifiable: boolean;
  };
}

const labels: Label[] = readFileSync(join(CORPUS, 'labels.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim().length > 0)
  .map((l) => JSON.parse(l) as Label);

// ---- independent checksum rules (deliberately not shared with the generator) ----------------------

function mod11(ten: string): boolean {
  if (!/^\d{10}$/.test(ten) || /^(\d)\1{9}$/.test(ten)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(ten[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 10) return false;
  return (check === 11 ? 0 : check) === Number(ten[9]);
}

function mod10(ten: string): boolean {
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    let d = Number(ten[i]) * (i % 2 === 0 ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  }
  return (10 - (sum % 10)) % 10 === Number(ten[9]);
}

function validChiDate(ten: string): boolean {
  const d = Number(ten.slice(0, 2));
  const m = Number(ten.slice(2, 4));
  const y = Number(ten.slice(4, 6));
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = y % 4 === 0; // two-digit year: any year ending in a multiple of 4 may be a leap year
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
  return d <= days;
}

const digits = (s: string) => s.replace(/\D/g, '');

// ---- what a reader can see in a message ----------------------------------------------------------------

interface Seen {
  text: string;
  filenames: string[];
  jpegs: Buffer[];
}

/**
 * Whitespace-insensitive comparison form. Non-ASCII characters compare as "?": with the
 * libmime 5.3.7 override, mailparser 3.14 cannot decode iso-8859-1 / windows-1252 parts
 * (libmime.createDecodeStream is missing, so each such byte becomes U+FFFD). The corpus is
 * right; the reader is lossy. Digits and ASCII letters still have to match exactly.
 */
const collapse = (s: string) => s.replace(/\s+/g, ' ').replace(/[^ -~]/g, '?');

async function readable(mail: ParsedMail, into: Seen): Promise<void> {
  into.text += `\n${mail.subject ?? ''}\n${mail.text ?? ''}\n`;
  if (typeof mail.html === 'string') into.text += `\n${convert(mail.html, { wordwrap: false })}\n`;
  for (const a of mail.attachments) {
    if (a.filename) into.filenames.push(a.filename);
    const type = a.contentType.toLowerCase();
    if (type === 'message/rfc822') await readable(await simpleParser(a.content), into);
    else if (type.startsWith('text/')) into.text += `\n${a.content.toString('utf8')}\n`;
    else if (type === 'image/jpeg') into.jpegs.push(a.content);
    else if (type.includes('wordprocessingml')) {
      const xml = Buffer.from(unzipSync(new Uint8Array(a.content))['word/document.xml'] ?? new Uint8Array()).toString('utf8');
      into.text += `\n${xml.replace(/<\/w:p>/g, '\n').replace(/<[^>]+>/g, '').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>')}\n`;
    } else into.text += `\n${a.content.toString('latin1')}\n`; // PDF (uncompressed text) and DICOM headers
  }
}

function addresses(value: AddressObject | AddressObject[] | undefined): string[] {
  return [value ?? []].flat().flatMap((group) => group.value.map((v) => (v.address ?? '').toLowerCase()));
}

function domainOf(email: string): string {
  return (email.split('@')[1] ?? '').toLowerCase();
}

describe('evaluation corpus', () => {
  it('has at least 300 labelled messages and every category has examples', () => {
    expect(labels.length).toBeGreaterThanOrEqual(300);
    const counts = new Map<string, number>();
    for (const l of labels) counts.set(l.category, (counts.get(l.category) ?? 0) + 1);
    for (const c of CATEGORIES) expect(counts.get(c) ?? 0, c).toBeGreaterThanOrEqual(5);
    expect([...counts.keys()].sort()).toEqual([...CATEGORIES].sort());
    expect(new Set(labels.map((l) => l.file)).size).toBe(labels.length);
  });

  it('covers every verdict and every finding kind', () => {
    for (const v of VERDICTS) expect(labels.some((l) => l.expected.verdict === v), v).toBe(true);
    for (const k of KINDS) expect(labels.some((l) => l.expected.findings.some((f) => f.kind === k)), k).toBe(true);
  });

  it('labels only valid verdicts, kinds and checksum-valid health numbers', () => {
    for (const l of labels) {
      expect(VERDICTS, l.file).toContain(l.expected.verdict);
      for (const f of l.expected.findings) {
        expect(KINDS, l.file).toContain(f.kind);
        for (const v of [f.value, ...(f.also ?? [])]) {
          const d = digits(v);
          if (f.kind === 'nhs_number') expect(mod11(d), `${l.file} ${v}`).toBe(true);
          if (f.kind === 'hc_number') {
            expect(mod11(d), `${l.file} ${v}`).toBe(true);
            expect(Number(d.slice(0, 9)), `${l.file} ${v}`).toBeGreaterThanOrEqual(320000001);
            expect(Number(d.slice(0, 9)), `${l.file} ${v}`).toBeLessThanOrEqual(399999999);
          }
          if (f.kind === 'chi_number') {
            expect(d, l.file).toHaveLength(10);
            expect(validChiDate(d), `${l.file} ${v}`).toBe(true);
            expect(mod11(d) || mod10(d), `${l.file} ${v}`).toBe(true);
          }
        }
      }
    }
  });

  it('never labels the practice\'s own postcode, phone or staff names', () => {
    for (const l of labels) {
      for (const f of l.expected.findings) {
        const all = [f.value, ...(f.also ?? [])];
        if (f.kind === 'postcode') for (const v of all) expect(v.replace(/\s/g, '').toUpperCase(), l.file).not.toBe('LS14AB');
        if (f.kind === 'phone') for (const v of all) expect(digits(v).replace(/^44/, '0'), l.file).not.toBe('01134960123');
        if (f.kind === 'patient_name') for (const v of all) expect(v.toLowerCase(), l.file).not.toMatch(/^(dr )?(sarah patel|tom brown|emma wilson)$/);
      }
    }
  });

  it('expected verdicts follow the default policy from the labels', () => {
    for (const l of labels) {
      const classes = l.rcpt_to.map((r) => {
        const d = domainOf(r);
        if (d === PRACTICE_DOMAIN) return 'internal';
        if (d === 'nhs.net') return 'secure';
        if (CONSUMER.includes(d)) return 'consumer';
        if (PUBLISHING.includes(d)) return 'publishing';
        return 'external';
      });
      const { findings, identifiable, chain } = l.expected;
      const strong = findings.some((f) => ['nhs_number', 'chi_number', 'hc_number', 'hospital_number'].includes(f.kind));
      if (strong) expect(identifiable, l.file).toBe(true);
      if (findings.length === 0) expect(identifiable, l.file).toBe(false);
      let verdict: string = 'deliver';
      if (classes.includes('publishing') && findings.length > 0) verdict = 'reject';
      else if (identifiable && classes.some((c) => c !== 'internal' && c !== 'secure')) verdict = 'hold';
      else if (classes.some((c) => c !== 'internal') && (chain.earlierExternalRecipients >= 3 || chain.visibleExternalRecipients >= 10)) verdict = 'warn';
      expect(l.expected.verdict, l.file).toBe(verdict);
      expect(chain.earlierExternalRecipients, l.file).toBeLessThanOrEqual(chain.earlierRecipients);
    }
  });

  it('every file parses as MIME, uses CRLF only, and shows every labelled value', async () => {
    for (const l of labels) {
      const path = join(CORPUS, 'messages', l.file);
      expect(existsSync(path), l.file).toBe(true);
      const raw = readFileSync(path);
      const s = raw.toString('latin1');
      expect(/\r(?!\n)|(?<!\r)\n/.test(s), `${l.file}: bare CR or LF`).toBe(false);
      expect(s.endsWith('\r\n'), l.file).toBe(true);
      const mail = await simpleParser(raw);
      expect(mail.headers.has('from'), l.file).toBe(true);
      expect(mail.headers.has('date'), l.file).toBe(true);

      // the envelope holds every visible recipient, and the visible external count matches the headers
      const visible = new Set([...addresses(mail.to), ...addresses(mail.cc)]);
      const rcpt = new Set(l.rcpt_to.map((r) => r.toLowerCase()));
      for (const v of visible) expect(rcpt.has(v), `${l.file}: ${v} not in rcpt_to`).toBe(true);
      const visibleExternal = [...visible].filter((v) => domainOf(v) !== PRACTICE_DOMAIN).length;
      expect(l.expected.chain.visibleExternalRecipients, l.file).toBe(visibleExternal);

      const seen: Seen = { text: '', filenames: [], jpegs: [] };
      await readable(mail, seen);
      const haystack = collapse(seen.text);
      const gps: string[] = [];
      for (const jpeg of seen.jpegs) {
        const fix = await exifr.gps(jpeg).catch(() => undefined);
        if (fix) gps.push(`${fix.latitude.toFixed(6)},${fix.longitude.toFixed(6)}`);
      }
      for (const f of l.expected.findings) {
        if (f.kind === 'exif_gps') expect(gps, `${l.file}: GPS ${f.value}`).toContain(f.value);
        else if (f.kind === 'dicom') {
          expect(seen.filenames, l.file).toContain(f.value);
        } else {
          for (const v of [f.value, ...(f.also ?? [])]) expect(haystack.includes(collapse(v)), `${l.file}: ${f.kind} "${v}" not visible`).toBe(true);
        }
      }
      expect(gps.length, `${l.file}: GPS photos without a label`).toBe(l.expected.findings.filter((f) => f.kind === 'exif_gps').length);
    }
  });
});
