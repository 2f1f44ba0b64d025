import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

export interface RecordedMessage {
  readonly mailFrom: string;
  readonly rcptTo: string[];
  readonly raw: Buffer;
}

export interface UpstreamBehaviour {
  /** Reply for RCPT TO: return an error reply like "550 5.1.1 no such user", or null to accept. */
  rcpt?: (address: string) => string | null;
  /** Reply after DATA: an error reply, or null to accept. */
  data?: (message: RecordedMessage) => string | null;
  /** Awaited after the message has arrived and before the reply to DATA (an upstream that is slow to answer). */
  beforeReply?: (message: RecordedMessage) => Promise<void>;
}

function smtpError(reply: string): Error & { responseCode: number } {
  const err = new Error(reply.slice(4)) as Error & { responseCode: number };
  err.responseCode = Number(reply.slice(0, 3));
  return err;
}

/** A real smtp-server on 127.0.0.1, port 0, that records every message it accepts. */
export class RecordingUpstream {
  readonly messages: RecordedMessage[] = [];
  behaviour: UpstreamBehaviour = {};
  #server: SMTPServer;
  port = 0;

  constructor() {
    this.#server = new SMTPServer({
      authOptional: true,
      disableReverseLookup: true,
      hideSTARTTLS: true,
      logger: false,
      size: 100 * 1024 * 1024,
      onRcptTo: (address, _session, cb) => {
        const reply = this.behaviour.rcpt?.(address.address) ?? null;
        cb(reply ? smtpError(reply) : undefined);
      },
      onData: (stream, session: SMTPServerSession, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const message: RecordedMessage = {
            mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks),
          };
          const answer = () => {
            const reply = this.behaviour.data?.(message) ?? null;
            if (reply) return cb(smtpError(reply));
            this.messages.push(message);
            cb(null, 'recorded');
          };
          const waiting = this.behaviour.beforeReply?.(message);
          if (waiting) void waiting.then(answer);
          else answer();
        });
      },
    });
  }

  async start(port = 0): Promise<this> {
    // A relay killed mid-transaction resets its connections: expected, not a test failure.
    this.#server.on('error', () => undefined);
    this.#server.listen(port, '127.0.0.1');
    await once(this.#server.server, 'listening');
    this.port = (this.#server.server.address() as AddressInfo).port;
    return this;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  /** Resolves once `count` messages are recorded, or rejects after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 10_000): Promise<RecordedMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length < count) {
      if (Date.now() > deadline) throw new Error(`upstream has ${this.messages.length} of ${count} messages after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.messages;
  }
}

/** Strips the relay's Received trace field from the start of a relayed message. */
export function withoutTrace(raw: Buffer): Buffer {
  const text = raw.toString('latin1');
  const match = /^Received: [^\r\n]*(?:\r\n[ \t][^\r\n]*)*\r\n/.exec(text);
  return match ? raw.subarray(match[0].length) : raw;
}
