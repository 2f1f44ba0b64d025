import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { nowMs } from './clock.js';

/** One SMTP reply: code, full text (multi-line joined by "\n") and when its last line arrived. */
export interface Reply {
  readonly code: number;
  readonly text: string;
  readonly at: number;
}

export interface SendResult {
  readonly ok: boolean;
  /** When the final "." had been handed to the kernel (the write callback). */
  readonly dataEnd: number;
  /** When the reply to the final "." arrived. */
  readonly replyAt: number;
  readonly reply: string;
}

const DOT = Buffer.from('.\r\n', 'latin1');

/**
 * A minimal raw-socket SMTP client for load: one connection, EHLO once, then per message
 * MAIL+RCPT+DATA pipelined in one write, the body, and the terminating dot.
 */
export class SmtpClient {
  readonly #socket: Socket;
  #buffer = '';
  #lines: string[] = [];
  readonly #replies: Reply[] = [];
  #waiter: ((reply: Reply | Error) => void) | null = null;
  #failure: Error | null = null;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.setTimeout(120_000);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('timeout', () => this.#fail(new Error('SMTP client: no traffic for 120 s')));
    socket.on('error', (err) => this.#fail(err));
    socket.on('close', () => this.#fail(new Error('SMTP client: connection closed')));
  }

  /** Connects, reads the greeting (smtp-server waits 100 ms before it) and says EHLO. */
  static async open(port: number, host = '127.0.0.1'): Promise<SmtpClient> {
    const socket = connect({ port, host });
    await Promise.race([
      once(socket, 'connect'),
      once(socket, 'error').then(([err]) => {
        throw err as Error;
      }),
    ]);
    const client = new SmtpClient(socket);
    await client.#expect(220);
    socket.write('EHLO bench.client.test\r\n');
    await client.#expect(250);
    return client;
  }

  async send(mailFrom: string, rcptTo: string, header: Buffer, body: Buffer): Promise<SendResult> {
    this.#socket.write(`MAIL FROM:<${mailFrom}>\r\nRCPT TO:<${rcptTo}>\r\nDATA\r\n`, 'latin1');
    const mail = await this.next();
    const rcpt = await this.next();
    const data = await this.next();
    if (data.code !== 354) {
      this.#socket.write('RSET\r\n');
      await this.next();
      const bad = [mail, rcpt, data].find((r) => r.code >= 400) ?? data;
      return { ok: false, dataEnd: data.at, replyAt: data.at, reply: bad.text };
    }
    let dataEnd = 0;
    const socket = this.#socket;
    socket.cork();
    socket.write(header);
    socket.write(body);
    socket.write(DOT, () => {
      dataEnd = nowMs();
    });
    socket.uncork();
    const final = await this.next();
    // The write callback runs before any reply can be read; guard anyway.
    if (dataEnd === 0 || dataEnd > final.at) dataEnd = final.at;
    return { ok: final.code === 250, dataEnd, replyAt: final.at, reply: final.text };
  }

  /** QUIT without waiting for much: the reply, or at most a second. */
  async quit(): Promise<void> {
    if (this.#failure) return;
    this.#socket.write('QUIT\r\n');
    await Promise.race([this.next().catch(() => undefined), new Promise((r) => setTimeout(r, 1000).unref())]);
    this.#socket.destroy();
  }

  destroy(): void {
    this.#socket.destroy();
  }

  next(): Promise<Reply> {
    const ready = this.#replies.shift();
    if (ready) return Promise.resolve(ready);
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#waiter) return Promise.reject(new Error('SMTP client: concurrent reads'));
    return new Promise((resolve, reject) => {
      this.#waiter = (r) => (r instanceof Error ? reject(r) : resolve(r));
    });
  }

  async #expect(code: number): Promise<Reply> {
    const reply = await this.next();
    if (reply.code !== code) throw new Error(`SMTP client: expected ${code}, got ${JSON.stringify(reply.text)}`);
    return reply;
  }

  #onData(chunk: Buffer): void {
    const at = nowMs();
    this.#buffer += chunk.toString('latin1');
    let eol: number;
    while ((eol = this.#buffer.indexOf('\r\n')) !== -1) {
      const line = this.#buffer.slice(0, eol);
      this.#buffer = this.#buffer.slice(eol + 2);
      this.#lines.push(line);
      if (line.length >= 4 && line[3] === '-') continue;
      const reply: Reply = { code: Number(line.slice(0, 3)), text: this.#lines.join('\n'), at };
      this.#lines = [];
      const waiter = this.#waiter;
      if (waiter) {
        this.#waiter = null;
        waiter(reply);
      } else {
        this.#replies.push(reply);
      }
    }
  }

  #fail(err: Error): void {
    this.#failure ??= err;
    const waiter = this.#waiter;
    this.#waiter = null;
    waiter?.(this.#failure);
    this.#socket.destroy();
  }
}
