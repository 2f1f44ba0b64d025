import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCli } from '../helpers/relay-process.js';
import { tempDir } from '../helpers/test-config.js';

interface ScanLine {
  file: string;
  verdict: string;
  reasons: string[];
  findings: { kind: string; value: string; confidence: number; location: string }[];
  chain: { earlierRecipients: number; earlierExternalRecipients: number; visibleExternalRecipients: number };
}

const REFERRAL = [
  'From: Dr Sarah Patel <sarah@brightsmile-dental.co.uk>',
  'To: Jane Smith <jane.smith@gmail.com>',
  'Subject: Your referral',
  '',
  'Patient: Mrs Jane Smith',
  'DOB: 12/03/1967',
  'NHS No: 943 476 5919',
  '',
  'Kind regards,',
  'Dr Sarah Patel',
  '',
].join('\r\n');

const NEWSLETTER = ['From: info@brightsmile-dental.co.uk', 'To: list@brightsmile-dental.co.uk', 'Subject: Opening hours', '', 'We are open on Saturday 14/12/2026 from 9am.', ''].join('\r\n');

let dir: string;
let config: string;
beforeAll(() => {
  dir = tempDir('mouthguard-scan-');
  writeFileSync(join(dir, 'referral.eml'), REFERRAL);
  writeFileSync(join(dir, 'newsletter.eml'), NEWSLETTER);
  config = join(dir, 'mouthguard.yaml');
  writeFileSync(
    config,
    stringify({
      practice: { name: 'Bright Smile', domains: ['brightsmile-dental.co.uk'], staffNames: ['Sarah Patel'] },
      dataDir: join(dir, 'data'),
      upstream: { type: 'capture' },
    }),
  );
});

function lines(stdout: string): ScanLine[] {
  return stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as ScanLine);
}

describe('mouthguard scan', () => {
  it('prints one JSON line per file with verdict, reasons, findings and chain counts', async () => {
    const result = await runCli(['scan', '--json', '--config', config, join(dir, 'referral.eml'), join(dir, 'newsletter.eml')]);
    expect(result.code, result.stderr).toBe(0);
    const [referral, newsletter] = lines(result.stdout);
    expect(referral!.file).toBe('referral.eml');
    expect(referral!.verdict).toBe('hold');
    expect(referral!.reasons).toContain('hold-identifiable-outside');
    expect(referral!.findings).toContainEqual(expect.objectContaining({ kind: 'nhs_number', value: '943 476 5919', location: 'body:text' }));
    expect(referral!.findings).toContainEqual(expect.objectContaining({ kind: 'dob', value: '12/03/1967' }));
    expect(referral!.findings.every((f) => f.confidence >= 0 && f.confidence <= 1)).toBe(true);
    // Staff named in the signature and the addressee are not patients.
    expect(referral!.findings.some((f) => f.kind === 'patient_name' && /Patel/.test(f.value))).toBe(false);
    expect(referral!.chain).toEqual({ earlierRecipients: 0, earlierExternalRecipients: 0, visibleExternalRecipients: 1 });
    expect(newsletter).toMatchObject({ file: 'newsletter.eml', verdict: 'deliver', reasons: [], findings: [] });
  });

  it('takes the envelope from an envelopes file, matched by base name', async () => {
    const envelopes = join(dir, 'envelopes.jsonl');
    writeFileSync(envelopes, JSON.stringify({ file: 'some/where/referral.eml', mail_from: 'sarah@brightsmile-dental.co.uk', rcpt_to: ['consultant@nhs.net'] }) + '\n');
    const result = await runCli(['scan', '--json', '--config', config, '--envelopes', envelopes, join(dir, 'referral.eml')]);
    expect(result.code, result.stderr).toBe(0);
    expect(lines(result.stdout)[0]!.verdict).toBe('deliver');
  });

  it('takes recipients from --to and rejects identifiers to a publishing address', async () => {
    const result = await runCli(['scan', '--json', '--config', config, '--to', 'myblog123@post.wordpress.com', join(dir, 'referral.eml')]);
    expect(lines(result.stdout)[0]!.verdict).toBe('reject');
  });

  it('works without a configuration file, and refuses a missing file clearly', async () => {
    const ok = await runCli(['scan', '--json', join(dir, 'referral.eml')]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(lines(ok.stdout)[0]!.verdict).toBe('hold');
    const missing = await runCli(['scan', '--json', join(dir, 'nope.eml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.eml: no such file/);
  });

  it('scans every shared real-world fixture (malformed ones included) without failing', async () => {
    const fixtures = join(import.meta.dirname, '../../../shared/fixtures/mime');
    const files = readdirSync(fixtures, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.eml'))
      .map((f) => join(fixtures, f));
    expect(files.length).toBeGreaterThan(100);
    const result = await runCli(['scan', '--json', ...files]);
    expect(result.code, result.stderr).toBe(0);
    const out = lines(result.stdout);
    expect(out).toHaveLength(files.length);
    expect(out.every((l) => ['deliver', 'warn', 'hold', 'reject'].includes(l.verdict))).toBe(true);
  });
});
