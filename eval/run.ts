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
    findings: { kind: string; value: string }[];
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

/** Values compare by what identifies them, not by how they are written. */
function norm(kind: string, value: string): string {
  const v = value.toLowerCase();
  if (['nhs_number', 'chi_number', 'hc_number', 'phone'].includes(kind)) return v.replace(/\D/g, '').replace(/^44/, '0');
  if (kind === 'postcode' || kind === 'hospital_number') return v.replace(/[^a-z0-9]/g, '');
  if (kind === 'patient_name') return v.replace(/\b(mr|mrs|ms|miss|dr|master|mx)\b\.?/g, '').replace(/[^a-z]+/g, ' ').trim();
  return v.replace(/\s+/g, ' ').trim();
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
    const actual = new Set(
      result.findings.filter((f) => f.confidence >= config.policy.minConfidence && f.kind !== 'clinical_context').map((f) => `${f.kind}\u0000${norm(f.kind, f.value)}`),
    );
    const expected = new Set(label.expected.findings.map((f) => `${f.kind}\u0000${norm(f.kind, f.value)}`));
    for (const key of actual) bump(key.split('\u0000')[0]!, expected.has(key) ? 'tp' : 'fp');
    for (const key of expected) if (!actual.has(key)) bump(key.split('\u0000')[0]!, 'fn');
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
