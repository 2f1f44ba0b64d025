import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import addressparser from 'nodemailer/lib/addressparser';
import { validateConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { loadPatientList, patientIndexOf } from '../policies/patient-list.js';
import { detectorsFor } from '../policies/registry.js';
import { headerValues } from '../mime/header-fields.js';
import { inspectMessage, type InspectionResult } from '../pipeline/inspect-message.js';
import { openStore } from '../store/open-store.js';
import { describeError, UsageError } from './common.js';
import { configFrom } from './config-from.js';

const USAGE = `usage: mouthguard scan [--config FILE] [--from ADDR] [--to ADDR]... [--envelopes FILE.jsonl] [--json] [--all] FILE.eml...
Runs saved messages through the same inspection and policy as the relay, without sending.
Envelopes: a JSONL file of {"file": "name.eml", "mail_from": "...", "rcpt_to": ["..."]} (matched by base name);
else --from/--to; else From, To and Cc of the message. --all also lists findings below policy.minConfidence.`;

interface EnvelopeLine {
  file: string;
  mail_from?: string;
  rcpt_to?: string[];
}

function readEnvelopes(path: string | undefined): Map<string, EnvelopeLine> {
  const map = new Map<string, EnvelopeLine>();
  if (!path) return map;
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (!line.trim()) return;
      let entry: EnvelopeLine;
      try {
        entry = JSON.parse(line) as EnvelopeLine;
      } catch {
        throw new UsageError(`${path}:${i + 1}: not valid JSON`);
      }
      if (typeof entry.file !== 'string') throw new UsageError(`${path}:${i + 1}: "file" is missing`);
      map.set(basename(entry.file), entry);
    });
  return map;
}

function hasConfig(path: string | undefined): boolean {
  return !!(path || process.env.MOUTHGUARD_CONFIG || existsSync('mouthguard.yaml'));
}

/** Without a configuration, scan still works: defaults, with no practice domain of its own. */
function scanConfig(path: string | undefined): Readonly<Config> {
  if (hasConfig(path)) return configFrom(path);
  return validateConfig({ practice: { domains: ['practice.invalid'] }, upstream: { type: 'capture' } }, 'built-in scan defaults');
}

/**
 * With a configuration, the patient list imported into its store (`mouthguard patients import`),
 * as the relay uses it. A data directory that does not exist has none (and is not created); one
 * that cannot be read is reported, and the scan goes on without the list.
 */
async function patientIndexFor(config: Readonly<Config>) {
  if (!existsSync(config.dataDir)) return null;
  try {
    const { store } = await openStore(config);
    try {
      return patientIndexOf((await loadPatientList(store)).list);
    } finally {
      await store.close();
    }
  } catch (err) {
    console.error(`mouthguard scan: the patient list could not be loaded (${describeError(err)}); scanning without it`);
    return null;
  }
}

function addressesOf(values: string[]): string[] {
  return values.flatMap((v) => addressparser(v, { flatten: true }).map((a) => a.address)).filter((a): a is string => !!a);
}

function envelopeFor(file: string, envelopes: Map<string, EnvelopeLine>, from: string | undefined, to: string[] | undefined) {
  const line = envelopes.get(basename(file));
  if (line) return { mailFrom: line.mail_from ?? '', rcptTo: line.rcpt_to ?? [] };
  const head = readHead(file);
  return {
    mailFrom: from ?? addressesOf(headerValues(head, 'from'))[0] ?? '',
    rcptTo: to?.length ? to : addressesOf([...headerValues(head, 'to'), ...headerValues(head, 'cc')]),
  };
}

function readHead(file: string): Buffer {
  const buf = readFileSync(file);
  return buf.subarray(0, Math.min(buf.length, 256 * 1024));
}

function report(file: string, result: InspectionResult, minConfidence: number, all: boolean) {
  return {
    file: basename(file),
    verdict: result.verdict.action,
    reasons: result.verdict.reasons.map((r) => (r.mode === 'monitor' ? `${r.rule} (monitor)` : r.rule)),
    findings: result.findings
      .filter((f) => all || (f.confidence >= minConfidence && f.kind !== 'clinical_context'))
      .map((f) => ({ kind: f.kind, value: f.value, confidence: Number(f.confidence.toFixed(3)), location: f.location })),
    chain: result.chain,
    ...(result.failure ? { failure: result.failure } : {}),
  };
}

export async function scanCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string', multiple: true },
      envelopes: { type: 'string' },
      json: { type: 'boolean' },
      all: { type: 'boolean' },
    },
  });
  if (!positionals.length) throw new UsageError(USAGE);
  const config = scanConfig(values.config);
  const envelopes = readEnvelopes(values.envelopes);
  const patientIndex = hasConfig(values.config) ? await patientIndexFor(config) : null;
  const deps = { config, detectors: detectorsFor(config, patientIndex) };
  for (const file of positionals) {
    if (!existsSync(file)) throw new UsageError(`${file}: no such file`);
    const envelope = envelopeFor(file, envelopes, values.from, values.to);
    const result = await inspectMessage(createReadStream(file), envelope, deps);
    const out = report(file, result, config.policy.minConfidence, values.all ?? false);
    if (values.json) {
      console.log(JSON.stringify(out));
      continue;
    }
    console.log(`${out.file}: ${out.verdict}${out.reasons.length ? ` (${out.reasons.join(', ')})` : ''}`);
    for (const f of out.findings) console.log(`  ${f.kind.padEnd(16)} ${JSON.stringify(f.value)}  ${f.confidence}  ${f.location}`);
    const c = out.chain;
    console.log(`  chain: ${c.earlierRecipients} earlier recipients (${c.earlierExternalRecipients} external), ${c.visibleExternalRecipients} external visible`);
  }
}
