/**
 * `npm run eval`: runs the labelled corpus through the relay's inspection and policy (the
 * same code as the relay and `mouthguard scan`) and prints per-kind precision and recall,
 * chain-count accuracy and verdict accuracy, with the targets of issue 3. Exits 1 when a
 * target is missed, so it can gate a change.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateConfig } from '../src/config/load.js';
import { inspectMessage } from '../src/pipeline/inspect-message.js';
import { detectorsFor } from '../src/policies/registry.js';

interface Label {
  file: string;
  mail_from: string;
  rcpt_to: string[];
  category: string;
  expected: {
    verdict: string;
    findings: { kind: string; value: string; also?: string[] }[];
    chain: { earlierRecipients: number; earlierExternalRecipients: number; visibleExternalRecipients: number };
  };
}

const here = dirname(fileURLToPath(import.meta.url));
// Works from the source tree and from dist/eval alike.
const corpusDir = [resolve(here, 'corpus'), resolve(here, '../../eval/corpus')].find((d) => {
  try {
    readFileSync(join(d, 'labels.jsonl'));
    return true;
  } catch {
    return false;
  }
});

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** A date of birth as yyyy-mm-dd, from any of the written forms; null if it is not one. */
function calendarDate(value: string): string | null {
  const v = value.toLowerCase().replace(/(\d)(st|nd|rd|th)\b/g, '$1').replace(/,/g, ' ');
  const pad = (n: number) => String(n).padStart(2, '0');
  const year = (y: string) => (y.length === 2 ? (Number(y) > 30 ? 1900 : 2000) + Number(y) : Number(y));
  let m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(v.trim());
  if (m) return `${m[1]}-${m[2]}-${m[3]}`;
  m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$/.exec(v.trim());
  if (m) return `${year(m[3]!)}-${pad(Number(m[2]))}-${pad(Number(m[1]))}`;
  const words = v.split(/\s+/).filter(Boolean);
  const monthIndex = words.findIndex((w) => MONTHS.includes(w.slice(0, 3)));
  if (monthIndex === -1) return null;
  const numbers = words.filter((w) => /^\d+$/.test(w));
  const day = numbers.find((n) => n.length <= 2);
  const yr = numbers.find((n) => n.length === 4 || (n !== day && n.length === 2));
  if (!day || !yr) return null;
  return `${year(yr)}-${pad(MONTHS.indexOf(words[monthIndex]!.slice(0, 3)) + 1)}-${pad(Number(day))}`;
}

const TITLES = /\b(mr|mrs|ms|miss|dr|master|mx|prof)\b\.?/g;
function nameWords(value: string): string[] {
  return value.toLowerCase().replace(/\^/g, ' ').replace(TITLES, ' ').split(/[^a-z'-]+/).filter(Boolean);
}

/** Does a detected value stand for a labelled one? Compared by what identifies them. */
function sameValue(kind: string, detected: string, labelled: string): boolean {
  const a = detected.toLowerCase();
  const b = labelled.toLowerCase();
  if (['nhs_number', 'chi_number', 'hc_number', 'phone'].includes(kind)) return a.replace(/\D/g, '').replace(/^44/, '0') === b.replace(/\D/g, '').replace(/^44/, '0');
  if (kind === 'postcode' || kind === 'hospital_number') return a.replace(/[^a-z0-9]/g, '') === b.replace(/[^a-z0-9]/g, '');
  if (kind === 'dob') {
    const da = calendarDate(a);
    return da !== null && da === calendarDate(b);
  }
  if (kind === 'patient_name') {
    const words = new Set(nameWords(b));
    const found = nameWords(a);
    return found.length > 0 && found.every((w) => words.has(w));
  }
  return a.replace(/\s+/g, ' ').trim() === b.replace(/\s+/g, ' ').trim();
}

async function main(): Promise<void> {
  if (!corpusDir) throw new Error('eval/corpus/labels.jsonl not found');
  const labels = readFileSync(join(corpusDir, 'labels.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Label);
  const config = validateConfig(
    {
      practice: {
        name: 'Bright Smile Dental',
        domains: ['brightsmile-dental.co.uk'],
        postcodes: ['LS1 4AB'],
        phones: ['0113 496 0123'],
        staffNames: ['Sarah Patel', 'Tom Brown', 'Emma Wilson'],
      },
      upstream: { type: 'capture' },
    },
    'eval',
  );
  const deps = { config, detectors: detectorsFor(config) };
  const perKind = new Map<string, { tp: number; fp: number; fn: number }>();
  const bump = (kind: string, key: 'tp' | 'fp' | 'fn') => {
    const c = perKind.get(kind) ?? { tp: 0, fp: 0, fn: 0 };
    c[key]++;
    perKind.set(kind, c);
  };
  let verdictOk = 0;
  let chainOk = 0;
  let harmless = 0;
  let harmlessHeld = 0;
  let leaked = 0;
  const misses: string[] = [];
  const started = performance.now();
  for (const label of labels) {
    const result = await inspectMessage(createReadStream(join(corpusDir, 'messages', label.file)), { mailFrom: label.mail_from, rcptTo: label.rcpt_to }, deps);
    const actual = result.findings.filter((f) => f.confidence >= config.policy.minConfidence && f.kind !== 'clinical_context');
    const matches = (f: { kind: string; value: string }, l: Label['expected']['findings'][number]) =>
      f.kind === l.kind && [l.value, ...(l.also ?? [])].some((v) => sameValue(l.kind, f.value, v));
    // Each label counts once however many detections hit it; a detection that matches no label is a false positive.
    for (const l of label.expected.findings) bump(l.kind, actual.some((f) => matches(f, l)) ? 'tp' : 'fn');
    for (const f of actual) if (!label.expected.findings.some((l) => matches(f, l))) bump(f.kind, 'fp');
    const verdict = result.verdict.action;
    if (verdict === label.expected.verdict) verdictOk++;
    else misses.push(`${label.file}: verdict ${verdict}, expected ${label.expected.verdict} (${label.category})`);
    const c = label.expected.chain;
    if (
      result.chain.earlierRecipients === c.earlierRecipients &&
      result.chain.earlierExternalRecipients === c.earlierExternalRecipients &&
      result.chain.visibleExternalRecipients === c.visibleExternalRecipients
    )
      chainOk++;
    if (label.expected.verdict === 'deliver' || label.expected.verdict === 'warn') {
      harmless++;
      if (verdict === 'hold' || verdict === 'reject') harmlessHeld++;
    }
    const toConsumer = label.rcpt_to.some((r) => /@(gmail\.com|hotmail\.co\.uk|outlook\.com|yahoo\.co\.uk|icloud\.com|btinternet\.com)$/i.test(r));
    if (toConsumer && (label.expected.verdict === 'hold' || label.expected.verdict === 'reject') && (verdict === 'deliver' || verdict === 'warn')) leaked++;
  }
  const seconds = (performance.now() - started) / 1000;
  const f1 = (c: { tp: number; fp: number; fn: number }) => {
    const p = c.tp + c.fp ? c.tp / (c.tp + c.fp) : 1;
    const r = c.tp + c.fn ? c.tp / (c.tp + c.fn) : 1;
    return { p, r, f: p + r ? (2 * p * r) / (p + r) : 0 };
  };
  const targets: { name: string; ok: boolean; detail: string }[] = [];
  console.log(`corpus: ${labels.length} messages, inspected in ${seconds.toFixed(1)} s\n`);
  console.log('kind              TP    FP    FN  precision  recall     F1');
  for (const [kind, c] of [...perKind.entries()].sort()) {
    const { p, r, f } = f1(c);
    console.log(`${kind.padEnd(16)} ${String(c.tp).padStart(4)}  ${String(c.fp).padStart(4)}  ${String(c.fn).padStart(4)}  ${p.toFixed(3).padStart(9)}  ${r.toFixed(3).padStart(6)}  ${f.toFixed(3)}`);
    const health = ['nhs_number', 'chi_number', 'hc_number'].includes(kind);
    targets.push({ name: `${kind} F1 >= ${health ? '0.99' : '0.95'}`, ok: f >= (health ? 0.99 : 0.95), detail: f.toFixed(3) });
  }
  console.log(`\nverdict accuracy: ${((verdictOk / labels.length) * 100).toFixed(1)}%  chain counts exact: ${((chainOk / labels.length) * 100).toFixed(1)}%`);
  targets.push({ name: 'no identifiable message to a consumer address delivered', ok: leaked === 0, detail: String(leaked) });
  targets.push({ name: 'harmless messages held <= 1%', ok: harmlessHeld <= harmless * 0.01, detail: `${harmlessHeld}/${harmless}` });
  console.log('');
  for (const t of targets) console.log(`${t.ok ? 'PASS' : 'MISS'}  ${t.name}: ${t.detail}`);
  if (misses.length) console.log(`\nverdict differences (${misses.length}):\n  ${misses.slice(0, 40).join('\n  ')}`);
  process.exitCode = targets.every((t) => t.ok) ? 0 : 1;
}

await main();
