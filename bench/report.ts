import type { MemoryMap } from './memory-map.js';
import { STAGES } from './relay-stages.js';
import type { ScenarioResult } from './results.js';

/** The bench's printed output: progress lines and tables (run.ts writes them, targets.ts judges). */

export const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');
export const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '-');
const mb = (bytes: number | null) => (bytes === null ? '-' : (bytes / 1024 / 1024).toFixed(0));
const pair = (s: { p50: number; p99: number } | null) => (s ? `${f1(s.p50)} / ${f1(s.p99)}` : '-');

/** A round's figures, on its progress line. */
export function roundLine(r: ScenarioResult): string {
  return (
    `relay ${f0(r.relay.msgPerSec)} msg/s (delivered ${f0(r.relay.deliveredPerSec)}/s), ` +
    (r.postfix ? `postfix ${f0(r.postfix.msgPerSec)} msg/s (delivered ${f0(r.postfix.deliveredPerSec)}/s), ` : '') +
    `sink ${f0(r.sink.msgPerSec)} msg/s` +
    (r.relay.failed ? `; ${r.relay.failed} refused: ${r.relay.firstFailure}` : '') +
    (r.relay.missingAtSink ? `; ${r.relay.missingAtSink} accepted but not delivered (held for review?)` : '') +
    (r.sink.failed ? `; sink refused ${r.sink.failed}: ${r.sink.firstFailure}` : '') +
    (r.postfix?.failed ? `; postfix refused ${r.postfix.failed}: ${r.postfix.firstFailure}` : '') +
    (r.postfix?.missingAtSink ? `; postfix did not deliver ${r.postfix.missingAtSink}` : '')
  );
}


function sizeLabel(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/** One line: the relay's heaviest memory reading, by kind of mapping. */
export function describeMemoryMap(m: MemoryMap): string {
  const inMb = (bytes: number) => `${mb(bytes)} MB`;
  return (
    `${inMb(m.total)}: main malloc arena ${inMb(m.mainArena)}, anonymous (V8 heaps, other threads' arenas, stacks) ${inMb(m.anonymous)}, ` +
    `Node binary ${inMb(m.nodeBinary)}, other files ${inMb(m.otherFiles)}`
  );
}

/** Where the relay's own time from DATA to 250 went, per scenario (its histograms: approximate). */
export function stagesTable(results: ScenarioResult[]): string {
  const head = ['message', 'clients', ...STAGES.map((st) => `${st} p50/p99 ms`)];
  const rows = results.map((r) => [`${r.message}`, String(r.clients), ...STAGES.map((st) => pair(r.relay.stagesMs?.[st] ?? null))]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The results table: one row per scenario (with --repeat, its median round). */
export function table(results: ScenarioResult[]): string {
  const head = [
    'message',
    'clients',
    'msgs',
    'relay msg/s',
    'relay delivered/s',
    'sink msg/s',
    'ratio',
    'postfix msg/s',
    'postfix delivered/s',
    'relay ÷ postfix',
    'relay DATA→250 p50/p99 ms',
    'postfix DATA→250 p50/p99 ms',
    'sink DATA→250 p50/p99 ms',
    '250→sink p50/p99 ms',
    'relay peak RSS MB',
    'relay CPU ms/msg',
    'postfix CPU ms/msg',
    'refused/undelivered',
  ];
  const rows = results.map((r) => [
    `${r.message} (${sizeLabel(r.messageBytes)})`,
    String(r.clients),
    String(r.total),
    f0(r.relay.msgPerSec),
    f0(r.relay.deliveredPerSec),
    f0(r.sink.msgPerSec),
    `${(r.ratio * 100).toFixed(0)}%`,
    r.postfix ? f0(r.postfix.msgPerSec) : '-',
    r.postfix ? f0(r.postfix.deliveredPerSec) : '-',
    r.postfix ? `${((r.relay.deliveredPerSec / r.postfix.deliveredPerSec) * 100).toFixed(0)}%` : '-',
    pair(r.relay.dataTo250Ms),
    pair(r.postfix?.dataTo250Ms ?? null),
    pair(r.sink.dataTo250Ms),
    pair(r.relay.toSinkMs),
    mb(r.relay.peakRssBytes),
    r.relay.cpuMsPerMsg === null ? '-' : r.relay.cpuMsPerMsg.toFixed(2),
    r.postfix?.cpuMsPerMsg == null ? '-' : r.postfix.cpuMsPerMsg.toFixed(2),
    `${r.relay.failed}/${r.relay.missingAtSink}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
