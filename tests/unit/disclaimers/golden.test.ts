import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rewriteBuffer } from '../../../src/disclaimers/rewrite.js';
import type { RewriteSettings } from '../../../src/disclaimers/types.js';
import { DEFAULT_SETTINGS, sampleDisclaimer } from '../../helpers/disclaimer-sample.js';

/**
 * Golden files: a representative set of messages and exactly what the rewriter makes of them,
 * so a change in output is a reviewed diff. Regenerate with UPDATE_GOLDEN=1 and read the diff.
 */

const SHARED = join(import.meta.dirname, '../../../../shared/fixtures/mime');
const OURS = join(import.meta.dirname, '../../golden/disclaimers/inputs');
const GOLDEN = join(import.meta.dirname, '../../golden/disclaimers');

interface Case {
  readonly name: string;
  readonly input: string;
  readonly settings?: Partial<RewriteSettings>;
  readonly expect: 'inserted' | 'wrapped' | 'unchanged';
}

const CASES: readonly Case[] = [
  { name: 'plain-latin1-qp', input: join(SHARED, 'charsets_8bit/mime4j--german-qp.eml'), expect: 'inserted' },
  { name: 'plain-format-flowed', input: join(SHARED, 'alternative/commcentral--format-flowed.eml'), expect: 'inserted' },
  { name: 'alternative', input: join(SHARED, 'alternative/commcentral--06-plaintext+HMTL.eml'), expect: 'inserted' },
  { name: 'mixed-with-attachments', input: join(SHARED, 'mixed_attachments/mailparser--mixed.eml'), expect: 'inserted' },
  { name: 'related-inline-images', input: join(SHARED, 'nested/enmime--html-mime-inline.eml'), expect: 'inserted' },
  { name: 'windows-1252-base64', input: join(SHARED, 'nested/commcentral--10-plaintext+_HTML+embedded-image_+attachment.eml'), expect: 'inserted' },
  { name: 'html-without-body', input: join(SHARED, 'long_lines/commcentral--long-html-line.eml'), expect: 'inserted' },
  { name: 'outlook-reply', input: join(OURS, 'outlook-reply.eml'), expect: 'inserted' },
  { name: 'gmail-reply', input: join(OURS, 'gmail-reply.eml'), expect: 'inserted' },
  { name: 'apple-reply', input: join(OURS, 'apple-reply.eml'), expect: 'inserted' },
  { name: 'signed-skipped', input: join(SHARED, 'smime/commcentral--alice.dsig.SHA256.multipart.eml'), expect: 'unchanged' },
  { name: 'signed-wrapped', input: join(SHARED, 'pgp_mime/commcentral--signed-by-0xfbfcc82a015e7330-to-0xf231550c4f47e38e-unencrypted.eml'), settings: { signed: 'wrap' }, expect: 'wrapped' },
  { name: 'calendar-invite', input: join(SHARED, 'calendar/commcentral--outlook-test-invite.eml'), expect: 'inserted' },
  { name: 'delivery-report', input: join(SHARED, 'reports/mailparser--delivery-status.eml'), expect: 'unchanged' },
];

const update = process.env.UPDATE_GOLDEN === '1';

describe('golden files', () => {
  it.each(CASES)('$name', async (c) => {
    const input = readFileSync(c.input);
    const { output, report } = await rewriteBuffer(input, {
      settings: { ...DEFAULT_SETTINGS, ...c.settings },
      choose: () => sampleDisclaimer('Sarah Patel'),
      seed: c.name,
    });
    expect(report.outcome).toBe(c.expect);
    const golden = join(GOLDEN, `${c.name}.eml`);
    if (update || !existsSync(golden)) {
      mkdirSync(GOLDEN, { recursive: true });
      writeFileSync(golden, output);
    }
    expect(output.equals(readFileSync(golden)), `${c.name}: output differs from ${golden} (UPDATE_GOLDEN=1 to accept)`).toBe(true);
  });
});
