/**
 * Writes the labelled corpus of synthetic practice mail: eval/corpus/messages/*.eml and
 * eval/corpus/labels.jsonl. Deterministic: the same seed gives byte-identical output.
 *
 *   node dist/eval/corpus/generate.js [outDir]      (outDir defaults to eval/corpus under the cwd)
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { anonymisedCase, consumerWebmail, csvOther, csvPatientList, dicomMessage, photoMessage, publishing } from './lib/cat-attach.js';
import { finance, internal, itMail, manyRecipients, newsletter, payroll, signatureOnly, supplierOrder } from './lib/cat-admin.js';
import { chainMessage } from './lib/cat-chains.js';
import { appointmentReminder, labDocket, patientLetter, referral } from './lib/cat-clinical.js';
import type { Built, LabelLine } from './lib/message.js';
import { Rng } from './lib/random.js';

export const SEED = 20250312;

type Maker = (rng: Rng, i: number) => Built;

/** Category, how many, and the function that writes one. Each category has its own random stream. */
export const PLAN: readonly (readonly [string, number, Maker])[] = [
  ['referral', 34, (r) => referral(r, 'england')],
  ['referral-scotland', 18, (r) => referral(r, 'scotland')],
  ['referral-ni', 16, (r) => referral(r, 'northernIreland')],
  ['patient-letter', 18, (r) => patientLetter(r)],
  ['appointment-reminder', 18, (r) => appointmentReminder(r)],
  ['lab-docket', 20, (r) => labDocket(r)],
  ['supplier-order', 20, (r) => supplierOrder(r)],
  ['payroll', 14, (r) => payroll(r)],
  ['newsletter', 12, (r) => newsletter(r)],
  ['it-mail', 18, (r) => itMail(r)],
  ['finance', 8, (r) => finance(r)],
  ['chain-outlook', 18, (r, i) => chainMessage(r, 'outlook', i)],
  ['chain-gmail', 18, (r, i) => chainMessage(r, 'gmail', i)],
  ['chain-apple', 18, (r, i) => chainMessage(r, 'apple', i)],
  ['chain-thunderbird', 18, (r, i) => chainMessage(r, 'thunderbird', i)],
  ['many-recipients', 14, (r, i) => manyRecipients(r, i)],
  ['anonymised-case', 16, (r, i) => anonymisedCase(r, i)],
  ['csv-patient-list', 16, (r, i) => csvPatientList(r, i)],
  ['csv-other', 6, (r, i) => csvOther(r, i)],
  ['photo-gps', 12, (r, i) => photoMessage(r, true, i)],
  ['photo', 10, (r, i) => photoMessage(r, false, i)],
  ['dicom', 14, (r, i) => dicomMessage(r, i)],
  ['consumer-webmail', 16, (r, i) => consumerWebmail(r, i)],
  ['publishing', 12, (r, i) => publishing(r, i)],
  ['internal', 14, (r) => internal(r)],
  ['signature', 8, (r) => signatureOnly(r)],
];

export function generate(outDir: string): LabelLine[] {
  const messagesDir = join(outDir, 'messages');
  mkdirSync(messagesDir, { recursive: true });
  for (const f of readdirSync(messagesDir)) if (f.endsWith('.eml')) rmSync(join(messagesDir, f));
  const labels: LabelLine[] = [];
  let n = 0;
  for (const [category, count, make] of PLAN) {
    const rng = Rng.derive(SEED, category);
    for (let i = 0; i < count; i++) {
      const built = make(rng, i);
      if (built.category !== category) throw new Error(`category mismatch: ${built.category} vs ${category}`);
      n++;
      const file = `${String(n).padStart(4, '0')}-${category}.eml`;
      if (/[^\t\r\n -~]/.test(built.raw)) throw new Error(`${file}: non-ASCII octets in the raw message`);
      writeFileSync(join(messagesDir, file), built.raw, 'ascii');
      labels.push({ file, ...built.label });
    }
  }
  writeFileSync(join(outDir, 'labels.jsonl'), labels.map((l) => JSON.stringify(l)).join('\n') + '\n', 'utf8');
  return labels;
}

const outDir = resolve(process.argv[2] ?? join('eval', 'corpus'));
const labels = generate(outDir);
const verdicts = new Map<string, number>();
for (const l of labels) verdicts.set(l.expected.verdict, (verdicts.get(l.expected.verdict) ?? 0) + 1);
console.log(`wrote ${labels.length} messages to ${join(outDir, 'messages')} (${[...verdicts].map(([v, c]) => `${v} ${c}`).join(', ')})`);
