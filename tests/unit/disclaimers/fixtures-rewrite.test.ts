import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { rewriteBuffer } from '../../../src/disclaimers/rewrite.js';
import type { RewriteReport } from '../../../src/disclaimers/types.js';
import { DEFAULT_SETTINGS, sampleDisclaimer } from '../../helpers/disclaimer-sample.js';
import { decodedText, hasAncestor, splitParts, type SplitPart } from '../../helpers/mime-parts.js';

/**
 * Every real-world message in the shared fixtures goes through the rewriter: the output
 * parses, every part that is not a body part is byte-identical, each changed body part
 * carries the disclaimer exactly once and otherwise reads as before, and a message left
 * alone is byte-identical.
 */

const FIXTURES = join(import.meta.dirname, '../../../../shared/fixtures/mime');
const files = readdirSync(FIXTURES, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.eml'))
  .sort();

const content = sampleDisclaimer();
const squash = (s: string): string => s.replace(/\s+/g, '');

/** The decoded text with the inserted disclaimer taken out, for comparison with the original. */
function withoutDisclaimer(part: SplitPart, text: string): { rest: string; count: number } {
  if (part.node.contentType === 'text/html') {
    const start = text.indexOf(`<div data-mouthguard-disclaimer="${content.marker}"`);
    const count = text.split(`data-mouthguard-disclaimer="${content.marker}"`).length - 1;
    if (start < 0) return { rest: text, count };
    const end = text.indexOf('</div>', text.indexOf(content.html.slice(-40).replace(/\n/g, ''), start)) + '</div>'.length;
    return { rest: text.slice(0, start) + text.slice(end), count };
  }
  const block = squash(content.text);
  const squashed = squash(text);
  const count = squashed.split(block).length - 1;
  return { rest: squashed.replace(`--${block}`, '').replace(block, ''), count };
}

const normaliseMeta = (html: string): string => html.replace(/charset\s*=\s*["']?[\w.:-]+/gi, 'charset=X');

describe('the rewriter on every shared fixture', () => {
  it('finds the fixtures', () => {
    expect(files.length).toBeGreaterThan(100);
  });

  const reports = new Map<string, RewriteReport>();

  it.each(files)('%s', async (file) => {
    const input = readFileSync(join(FIXTURES, file));
    const { output, report } = await rewriteBuffer(input, { settings: DEFAULT_SETTINGS, choose: () => content, seed: file });
    reports.set(file, report);

    if (report.outcome === 'unchanged') {
      expect(output.equals(input)).toBe(true);
      return;
    }
    await expect(simpleParser(output)).resolves.toBeDefined();
    const before = await splitParts(input);
    const after = await splitParts(output);
    expect(after.map((p) => p.node.contentType)).toEqual(before.map((p) => p.node.contentType));

    let changed = 0;
    before.forEach((orig, i) => {
      const out = after[i]!;
      // Which part the line break before a boundary is counted in is the splitter's choice.
      const boundaryBytes = (p: SplitPart): string => p.after.toString('latin1').replace(/^\r?\n/, '');
      expect(boundaryBytes(out), `boundaries after part ${i}`).toBe(boundaryBytes(orig));
      if (out.headers.equals(orig.headers) && out.body.equals(orig.body)) return;
      changed++;
      // Only a text or HTML body part may change, and never inside signed or encrypted content.
      expect(['text/plain', 'text/html']).toContain(orig.node.contentType || 'text/plain');
      expect(hasAncestor(orig, ['multipart/signed', 'multipart/encrypted'])).toBe(false);
      const { rest, count } = withoutDisclaimer(out, decodedText(out));
      expect(count, `disclaimer copies in part ${i}`).toBe(1);
      const original = decodedText(orig);
      if (orig.node.contentType === 'text/html') expect(squash(normaliseMeta(rest))).toBe(squash(normaliseMeta(original)));
      else expect(rest).toBe(squash(original));
      for (const line of out.body.toString('latin1').split(/\r?\n/)) expect(line.length).toBeLessThanOrEqual(998);
    });
    expect(changed).toBe(report.partsChanged);
  });

  it('inserts into most of them and says why it left the others', () => {
    const outcomes = [...reports.values()];
    const inserted = outcomes.filter((r) => r.outcome === 'inserted').length;
    expect(inserted).toBeGreaterThan(files.length / 2);
    for (const [file, r] of reports) {
      if (r.outcome === 'unchanged') expect(r.reason, file).not.toBeNull();
      if (file.startsWith('smime/') || file.startsWith('pgp_mime/')) expect(r.outcome, file).not.toBe('wrapped');
    }
  });
});

describe('signed: wrap on every shared fixture', () => {
  it.each(files)('%s', async (file) => {
    const input = readFileSync(join(FIXTURES, file));
    const { output, report } = await rewriteBuffer(input, { settings: { ...DEFAULT_SETTINGS, signed: 'wrap' }, choose: () => content, seed: file });
    if (report.outcome !== 'wrapped') return;
    // The original content, headers aside, goes inside byte for byte: its signature still verifies.
    const end = /\r?\n\r?\n/.exec(input.toString('latin1'))!;
    const originalBody = input.subarray(end.index + end[0].length);
    expect(output.includes(originalBody)).toBe(true);
    const parsed = await simpleParser(output);
    expect(parsed.text ?? '').toContain('Registered in England');
    const parts = await splitParts(output);
    expect(parts[0]!.node.contentType).toBe('multipart/mixed');
    expect(parts[parts.length - 1]!.node.contentType).toBe('text/html');
  });
});
