/**
 * The inspection thread: receives message bytes as they arrive, runs the same inspection as
 * the main thread (inspectMessage) and posts the result back. It holds no state between
 * messages; the main thread may terminate it at any time (hard time and memory bounds).
 */
import { PassThrough } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../config/schema.js';
import { bufferReclaim } from '../core/buffer-reclaim.js';
import { PatientIndex } from '../policies/patient-list.js';
import { detectorsFor } from '../policies/registry.js';
import { attachmentBudget, inspectMessage, type InspectionResult } from './inspect-message.js';
import type { WorkerRequest, WorkerReply } from './inspection-pool.js';

const config = (workerData as { config: Readonly<Config> }).config;
const budget = attachmentBudget(config.policy.inspection);
let deps = { config, detectors: detectorsFor(config), budget };
const streams = new Map<number, PassThrough>();
const port = parentPort!;

port.on('message', (request: WorkerRequest) => {
  switch (request.type) {
    case 'data': {
      const bytes = request.bytes ? Buffer.from(request.bytes.buffer, request.bytes.byteOffset, request.bytes.byteLength) : null;
      const reply = (job: number) => (result: InspectionResult) => {
        streams.delete(job);
        port.postMessage({ type: 'result', job, result } satisfies WorkerReply);
      };
      if (request.start && request.end) {
        // A small message arrives whole, in one request: inspected from the buffer.
        void inspectMessage(bytes ?? Buffer.alloc(0), request.start, deps).then(reply(request.job));
        return;
      }
      if (request.start) {
        // More than one request: a body from a spool file, whose Buffers are reclaimed as it streams.
        const fresh = new PassThrough();
        streams.set(request.job, fresh);
        const moved = bufferReclaim.track();
        void inspectMessage(fresh, request.start, deps)
          .finally(moved)
          .then(reply(request.job));
      }
      const stream = streams.get(request.job);
      if (request.end) {
        if (bytes) stream?.end(bytes);
        else stream?.end();
        return;
      }
      // Acknowledge once the parser has room: the relay sends more only then (flow control).
      const ack = () => port.postMessage({ type: 'ack', job: request.job } satisfies WorkerReply);
      if (!stream || !bytes || stream.write(bytes)) ack();
      else stream.once('drain', ack);
      return;
    }
    case 'patient-list': {
      const list = request.list;
      deps = { config, detectors: detectorsFor(config, list ? new PatientIndex(Buffer.from(list.secret), new Set(list.hashes)) : null), budget };
      return;
    }
  }
});
