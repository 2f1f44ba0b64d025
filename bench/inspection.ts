import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { validateConfig } from '../src/config/load.js';
import { extractMessage } from '../src/mime/extract.js';
import { inspectMessage } from '../src/pipeline/inspect-message.js';
import { detectorsFor } from '../src/policies/registry.js';
import { textUnits } from '../src/policies/inspect.js';
import { percentile, sortedCopy } from './clock.js';

export interface InspectionBench {
  readonly messages: number;
  readonly textMB: number;
  readonly seconds: number;
  readonly mbPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/**
 * Inspection alone, in this process: every message of the labelled corpus (plus any extra
 * bodies given) through the relay's inspection and policy, `rounds` times. Throughput is in
 * MB of decoded text (what the detectors read), latency per message.
 */
export async function benchInspection(extra: readonly Buffer[], rounds = 3): Promise<InspectionBench> {
  const dir = resolve(import.meta.dirname, '../../eval/corpus/messages');
  const corpus = readdirSync(dir)
    .filter((f) => f.endsWith('.eml'))
    .map((f) => readFileSync(join(dir, f)));
  const bodies = [...corpus, ...extra];
  const config = validateConfig({ practice: { domains: ['brightsmile-dental.co.uk'] }, upstream: { type: 'capture' } }, 'bench');
  const detectors = detectorsFor(config);
  const deps = { config, detectors };
  let textChars = 0;
  for (const body of bodies) {
    const message = await extractMessage(Readable.from([body]), { maxTextChars: 2_000_000, maxAttachmentBytes: 2_000_000 });
    const units = await textUnits(message, detectors, Number.POSITIVE_INFINITY);
    textChars += units.reduce((n, u) => n + u.text.length, 0);
  }
  const times: number[] = [];
  const started = performance.now();
  for (let round = 0; round < rounds; round++) {
    for (const body of bodies) {
      const t = performance.now();
      await inspectMessage(Readable.from([body]), { mailFrom: 'bench@brightsmile-dental.co.uk', rcptTo: ['someone@example.org'] }, deps);
      times.push(performance.now() - t);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const sorted = sortedCopy(times);
  const textMB = (textChars * rounds) / 1e6;
  return {
    messages: times.length,
    textMB,
    seconds,
    mbPerSec: textMB / seconds,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted[sorted.length - 1] ?? 0,
  };
}
