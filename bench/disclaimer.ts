import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, readSync, closeSync, rmSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface DisclaimerRun {
  readonly attachmentMB: number;
  readonly messageMB: number;
  readonly rewriteMBps: number;
  readonly copyMBps: number;
  /** rewrite throughput ÷ plain stream copy throughput, same file, same run. */
  readonly ratio: number;
  readonly rewritePeakRssMB: number;
  readonly copyPeakRssMB: number;
  readonly outcome: string;
  /** The attachment's bytes are identical in the output (it passed through, never decoded and re-encoded). */
  readonly attachmentUntouched: boolean;
}

export interface DisclaimerBench {
  readonly runs: readonly DisclaimerRun[];
  /** Peak RSS with the big attachment minus with the small one: flat memory means close to 0. */
  readonly rssGrowthMB: number;
  /**
   * The same growth of the rewriter's excess over a plain stream copy of the same file: how much
   * memory the rewriter itself adds as the message grows. (A fresh process's peak RSS also moves
   * with when V8 gets round to collecting spent stream buffers: the copy's moves with it.)
   */
  readonly excessGrowthMB: number;
}

const CHILD = resolve(import.meta.dirname, 'disclaimer-child.js');

/**
 * Disclaimer rewrite throughput and memory: a reply (text and HTML alternatives) with a
 * 2.5 MB and a 25 MB attachment, each rewritten in a fresh process (peak RSS is then the
 * rewriter's), against a plain stream copy of the same file in the same run as the baseline.
 */
export function benchDisclaimer(): DisclaimerBench {
  const dir = mkdtempSync(join(tmpdir(), 'mouthguard-bench-disclaimer-'));
  try {
    const runs = [2.5, 25].map((mb) => runOne(dir, mb));
    const excess = (r: DisclaimerRun) => r.rewritePeakRssMB - r.copyPeakRssMB;
    return { runs, rssGrowthMB: runs[1]!.rewritePeakRssMB - runs[0]!.rewritePeakRssMB, excessGrowthMB: excess(runs[1]!) - excess(runs[0]!) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function runOne(dir: string, attachmentMB: number): DisclaimerRun {
  const input = join(dir, `in-${attachmentMB}.eml`);
  const attachmentOffset = writeMessage(input, attachmentMB * 1024 * 1024);
  const size = statSync(input).size;
  const child = (mode: string, out: string) =>
    JSON.parse(execFileSync(process.execPath, [CHILD, mode, input, out], { encoding: 'utf8' })) as {
      ms: number;
      peakRssBytes: number;
      report: { outcome: string } | null;
    };
  const copy = child('copy', join(dir, 'copy.eml'));
  const rewrite = child('rewrite', join(dir, 'out.eml'));
  const outSize = statSync(join(dir, 'out.eml')).size;
  const tail = size - attachmentOffset;
  const attachmentUntouched = tailHash(input, size - tail, tail) === tailHash(join(dir, 'out.eml'), outSize - tail, tail);
  const mb = size / 1024 / 1024;
  return {
    attachmentMB,
    messageMB: mb,
    rewriteMBps: mb / (rewrite.ms / 1000),
    copyMBps: mb / (copy.ms / 1000),
    ratio: copy.ms / rewrite.ms,
    rewritePeakRssMB: rewrite.peakRssBytes / 1024 / 1024,
    copyPeakRssMB: copy.peakRssBytes / 1024 / 1024,
    outcome: rewrite.report?.outcome ?? 'none',
    attachmentUntouched,
  };
}

/** Writes the message; returns the offset where the attachment part starts. */
function writeMessage(path: string, attachmentBytes: number): number {
  const head = [
    'From: Sarah Patel <sarah@practice.test>',
    'To: <lab@example.net>',
    'Subject: Re: Scans for the crown',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="mixed"',
    '',
    '--mixed',
    'Content-Type: multipart/alternative; boundary="alt"',
    '',
    '--alt',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Scans attached.',
    '',
    'Sarah',
    '',
    'On Mon, 23 Nov 2026 at 16:51, Crown Lab <lab@example.net> wrote:',
    '> Could you send the scans?',
    '--alt',
    'Content-Type: text/html; charset=utf-8',
    '',
    '<html><body><p>Scans attached.</p><p>Sarah</p><div class="gmail_quote">On Mon, 23 Nov 2026, Crown Lab wrote:<blockquote>Could you send the scans?</blockquote></div></body></html>',
    '--alt--',
    '',
  ].join('\r\n');
  writeFileSync(path, head);
  const offset = Buffer.byteLength(head);
  appendFileSync(path, '--mixed\r\nContent-Type: application/octet-stream; name="scan.stl"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="scan.stl"\r\n\r\n');
  // Written in slices so the bench process itself never holds 25 MB of base64 at once.
  const slice = 57 * 1024 * 16;
  for (let written = 0; written < attachmentBytes; written += slice) {
    const b64 = randomBytes(Math.min(slice, attachmentBytes - written)).toString('base64');
    appendFileSync(path, (b64.match(/.{1,76}/g) ?? []).join('\r\n') + '\r\n');
  }
  appendFileSync(path, '--mixed--\r\n');
  return offset;
}

function tailHash(path: string, from: number, length: number): string {
  const hash = createHash('sha256');
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(1024 * 1024);
  try {
    for (let pos = from; pos < from + length; ) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, from + length - pos), pos);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
      pos += n;
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/** Runs the disclaimer bench and prints it; returns the figures and the target lines. */
export function reportDisclaimerBench(): { bench: DisclaimerBench; targetLines: string[] } {
  process.stdout.write('  disclaimer rewrite (2.5 MB and 25 MB attachment, each in a fresh process, vs a plain stream copy) ...\n');
  const bench = benchDisclaimer();
  for (const r of bench.runs) {
    console.log(
      `    ${r.attachmentMB} MB attachment (${r.messageMB.toFixed(1)} MB message): rewrite ${r.rewriteMBps.toFixed(0)} MB/s, ` +
        `copy ${r.copyMBps.toFixed(0)} MB/s (ratio ${(r.ratio * 100).toFixed(0)}%); peak RSS rewrite ${r.rewritePeakRssMB.toFixed(0)} MB, ` +
        `copy ${r.copyPeakRssMB.toFixed(0)} MB; ${r.outcome}; attachment ${r.attachmentUntouched ? 'byte-identical' : 'CHANGED'}`,
    );
  }
  const big = bench.runs[bench.runs.length - 1]!;
  return {
    bench,
    targetLines: [
      `${bench.excessGrowthMB <= 10 ? 'PASS' : 'MISS'}  disclaimer rewrite memory flat with size: from a 2.5 MB to a 25 MB attachment, ` +
        `the rewriter's peak RSS over a plain stream copy's grows ${bench.excessGrowthMB.toFixed(1)} MB (≤ 10 MB; its own peak grows ${bench.rssGrowthMB.toFixed(1)} MB)`,
      `${bench.runs.every((r) => r.attachmentUntouched && r.outcome === 'inserted') ? 'PASS' : 'MISS'}  attachments pass through the rewriter byte-identical, disclaimer inserted`,
      `INFO  disclaimer rewrite throughput, 25 MB attachment: ${big.rewriteMBps.toFixed(0)} MB/s (${(big.ratio * 100).toFixed(0)}% of a plain stream copy)`,
    ],
  };
}
