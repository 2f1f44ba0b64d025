import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { simpleParser } from 'mailparser';
import type { Config } from '../config/schema.js';
import type { DisclaimerScope } from '../core/disclaimer-scope.js';
import type { DisclaimerTemplates } from '../disclaimers/content.js';
import { rewriteBuffer } from '../disclaimers/rewrite.js';
import type { RewriteReport } from '../disclaimers/types.js';
import { prepareDisclaimer } from '../disclaimers/validate.js';
import { rewriteInputFor } from '../pipeline/disclaimer-plan.js';
import { RenderedDisclaimers } from '../disclaimers/rendered-cache.js';
import type { DisclaimerStore } from '../store/types.js';
import { UsageError } from './common.js';
import { sampleMessage } from './disclaimer-sample.js';

/**
 * `disclaimer apply` and `disclaimer preview`: the exact rewrite delivery performs (same
 * settings, same texts, same choice by sender), so anyone can see what a message will look like.
 */

function describe(report: RewriteReport): string {
  if (report.outcome === 'inserted') return `disclaimer added to ${report.partsChanged} part(s)`;
  if (report.outcome === 'wrapped') return 'signed mail wrapped with the disclaimer';
  return `left unchanged: ${report.reason ?? 'no reason'}`;
}

/** Each FILE rewritten with the current texts: to stdout (one file), or into DIR (any number). */
export async function applyCommand(store: DisclaimerStore, config: Readonly<Config>, files: string[], outDir: string | undefined): Promise<void> {
  if (files.length === 0) throw new UsageError('apply needs at least one FILE.eml');
  if (!outDir && files.length > 1) throw new UsageError('several files need --out-dir DIR (stdout takes one message)');
  const templates = await store.currentDisclaimers();
  if (templates.length === 0) console.error('note: no disclaimer text is saved yet (mouthguard disclaimer set): messages stay as they are');
  if (outDir) mkdirSync(outDir, { recursive: true });
  for (const file of files) {
    const input = readMessage(file);
    const { output, report } = await rewriteBuffer(input, rewriteInputFor(new RenderedDisclaimers(templates, config), new Date(), file, ''));
    if (outDir) {
      const target = join(outDir, basename(file));
      writeFileSync(target, output);
      console.error(`${file} -> ${target}: ${describe(report)}`);
    } else {
      process.stdout.write(output);
      console.error(`${file}: ${describe(report)}`);
    }
  }
}

export interface PreviewOptions {
  readonly scope: DisclaimerScope | null;
  /** Unsaved drafts to preview instead of the saved text. */
  readonly draft: { readonly text: string | null; readonly html: string | null } | null;
  /** A message to preview with instead of the built-in sample. */
  readonly file: string | undefined;
  /** Print the whole rewritten message instead of its text and HTML. */
  readonly raw: boolean;
}

/** A sample reply (or FILE) as it would leave: the plain text and the HTML, decoded, one after the other. */
export async function previewCommand(store: DisclaimerStore, config: Readonly<Config>, options: PreviewOptions): Promise<void> {
  const sender = sampleSender(options.scope, config);
  const templates = options.draft ? [draftTemplates(options.draft)] : await store.currentDisclaimers();
  const input = options.file ? readMessage(options.file) : sampleMessage(sender, new Date());
  const { output, report } = await rewriteBuffer(input, rewriteInputFor(new RenderedDisclaimers(templates, config), new Date(), 'preview', sender.address));
  console.error(`preview for ${sender.name} <${sender.address}>: ${describe(report)}`);
  if (options.raw) {
    process.stdout.write(output);
    return;
  }
  const message = await simpleParser(output, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
  const html = typeof message.html === 'string' ? message.html : '(none)';
  console.log(`===== plain text =====\n${message.text ?? '(none)'}\n===== HTML =====\n${html}`);
}

function draftTemplates(draft: { text: string | null; html: string | null }): DisclaimerTemplates {
  const prepared = prepareDisclaimer(draft);
  if (!prepared.ok) throw new UsageError(`the draft cannot be saved as it is:\n  ${prepared.problems.join('\n  ')}`);
  return { scope: { kind: 'default' }, text: prepared.text, html: prepared.html };
}

/** Who the sample comes from: the scope's own sender, or someone at its domain, group or practice. */
function sampleSender(scope: DisclaimerScope | null, config: Readonly<Config>): { address: string; name: string } {
  const practiceDomain = config.practice.domains[0] ?? 'example.org';
  if (!scope || scope.kind === 'default') return { address: `sarah.patel@${practiceDomain}`, name: 'Sarah Patel' };
  if (scope.kind === 'sender') return { address: scope.value, name: 'Sample Sender' };
  if (scope.kind === 'domain') return { address: `sarah.patel@${scope.value}`, name: 'Sarah Patel' };
  const member = config.disclaimers.groups[scope.value]?.[0] ?? `@${practiceDomain}`;
  return { address: member.startsWith('@') ? `sarah.patel${member}` : member, name: 'Sarah Patel' };
}

function readMessage(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch {
    throw new UsageError(`${file}: cannot be read`);
  }
}
