import { connect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';

/**
 * A scripted SMTP conversation over a raw socket: `send` writes bytes exactly as given,
 * `expect` waits for the next complete reply and checks it against a pattern.
 */
export class SmtpTalk {
  #buffer = '';
  #waiters: (() => void)[] = [];
  #closed = false;

  private constructor(private socket: Socket | TLSSocket) {
    this.#attach(socket);
  }

  static async open(port: number, options: { localAddress?: string; host?: string } = {}): Promise<SmtpTalk> {
    const socket = connect({ port, host: options.host ?? '127.0.0.1', localAddress: options.localAddress });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new SmtpTalk(socket);
  }

  #attach(socket: Socket | TLSSocket): void {
    socket.on('data', (d: Buffer) => {
      this.#buffer += d.toString('latin1');
      this.#wake();
    });
    socket.on('close', () => {
      this.#closed = true;
      this.#wake();
    });
    socket.on('error', () => undefined);
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    waiters.forEach((w) => w());
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(data: string | Buffer): this {
    this.socket.write(data);
    return this;
  }

  line(text: string): this {
    return this.send(`${text}\r\n`);
  }

  /** The next complete (possibly multi-line) reply. */
  async reply(timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = /^(?:\d{3}-[^\r\n]*\r\n)*\d{3}(?: [^\r\n]*)?\r\n/.exec(this.#buffer);
      if (match) {
        this.#buffer = this.#buffer.slice(match[0].length);
        return match[0].trimEnd();
      }
      if (this.#closed) throw new Error(`connection closed; unparsed: ${JSON.stringify(this.#buffer)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no reply within ${timeoutMs} ms; buffer: ${JSON.stringify(this.#buffer)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async expect(pattern: RegExp): Promise<string> {
    const reply = await this.reply();
    if (!pattern.test(reply)) throw new Error(`expected ${String(pattern)}, got ${JSON.stringify(reply)}`);
    return reply;
  }

  /** STARTTLS, then continue the conversation over TLS (certificate not verified: test relay). */
  async startTls(): Promise<void> {
    await this.line('STARTTLS').expect(/^220 /);
    const plain = this.socket;
    plain.removeAllListeners('data');
    const secure = tlsConnect({ socket: plain, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => secure.once('secureConnect', resolve).once('error', reject));
    this.socket = secure;
    this.#attach(secure);
  }

  /** Waits for the server to close the connection. */
  async waitClosed(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#closed) {
      if (Date.now() > deadline) throw new Error('connection still open');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): void {
    this.socket.destroy();
  }
}
