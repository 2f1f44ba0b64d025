import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { nowMs } from './clock.js';
import { findBenchId } from './messages.js';

/**
 * The fast local sink, run as a child process (`node dist/bench/sink.js`, forked with IPC):
 * an smtp-server on 127.0.0.1 port 0 that drains every body, and records when each message
 * arrived in full (matched by its X-Bench-Id header). Messages over IPC:
 *   child → parent  { type: 'ready', port }
 *   parent → child  { type: 'collect', seq }  → { type: 'arrivals', seq, arrivals: [id, ms][], unmatched }
 * Collecting also clears what was collected.
 */

export type SinkRequest = { type: 'collect'; seq: number };
export type SinkReport =
  | { type: 'ready'; port: number }
  | { type: 'arrivals'; seq: number; arrivals: [string, number][]; unmatched: number };

/** How much of a message's start is kept while looking for its X-Bench-Id. */
const SCAN_LIMIT = 16 * 1024;

let arrivals: [string, number][] = [];
let unmatched = 0;

const server = new SMTPServer({
  name: 'sink.bench.test',
  authOptional: true,
  disableReverseLookup: true,
  hideSTARTTLS: true,
  disabledCommands: ['AUTH', 'STARTTLS'],
  logger: false,
  maxClients: 10_000,
  socketTimeout: 300_000,
  onData(stream, _session, cb) {
    let head = '';
    let id: string | null = null;
    let scanning = true;
    stream.on('data', (chunk: Buffer) => {
      if (!scanning) return;
      head += chunk.toString('latin1', 0, Math.min(chunk.length, SCAN_LIMIT));
      id = findBenchId(head);
      if (id !== null || head.length >= SCAN_LIMIT) {
        scanning = false;
        head = '';
      }
    });
    stream.on('end', () => {
      const at = nowMs();
      if (id === null) unmatched++;
      else arrivals.push([id, at]);
      cb(null, 'sunk');
    });
  },
});

server.on('error', (err) => console.error(`sink: ${err.message}`));
server.listen(0, '127.0.0.1');
await once(server.server, 'listening');

function report(msg: SinkReport): void {
  process.send?.(msg);
}

process.on('message', (msg: SinkRequest) => {
  if (msg.type !== 'collect') return;
  const batch = arrivals;
  const lost = unmatched;
  arrivals = [];
  unmatched = 0;
  report({ type: 'arrivals', seq: msg.seq, arrivals: batch, unmatched: lost });
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));

report({ type: 'ready', port: (server.server.address() as AddressInfo).port });
