import { createReadStream, createWriteStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { rewriteMessage } from '../src/disclaimers/rewrite.js';
import type { RewriteReport } from '../src/disclaimers/types.js';

/**
 * One measured rewrite in a fresh process, so its peak RSS is the rewriter's alone:
 * `node disclaimer-child.js MODE IN OUT` with MODE `rewrite` (the disclaimer rewriter) or
 * `copy` (the same file streamed through an empty transform: the baseline). Prints JSON.
 */

const [mode, inPath, outPath] = process.argv.slice(2);
if ((mode !== 'rewrite' && mode !== 'copy') || !inPath || !outPath) throw new Error('usage: disclaimer-child rewrite|copy IN OUT');

const TEMPLATE = 'This email is confidential and meant only for its addressee. Smile Dental Care Ltd, registered in England no. 01234567.';
const content = { marker: 'mg-bench0000000', text: TEMPLATE, html: `<p>${TEMPLATE}</p>`, templateText: TEMPLATE };
const settings = { placement: 'reply', repeat: 'once-per-thread', signed: 'skip', skipMachineMail: true, maxBodyPartSize: 4 * 1024 * 1024 } as const;

const rssBefore = process.memoryUsage().rss;
const started = performance.now();
let report: RewriteReport | null = null;
if (mode === 'rewrite') {
  report = await rewriteMessage(createReadStream(inPath), createWriteStream(outPath), { settings, choose: () => content, seed: 'bench' });
} else {
  const identity = new Transform({ transform: (chunk: Buffer, _e: BufferEncoding, cb: TransformCallback) => cb(null, chunk) });
  await pipeline(createReadStream(inPath), identity, createWriteStream(outPath));
}
const ms = performance.now() - started;
// maxRSS is in kilobytes: the peak of the whole process, start-up included.
console.log(JSON.stringify({ ms, rssBeforeBytes: rssBefore, peakRssBytes: process.resourceUsage().maxRSS * 1024, report }));
