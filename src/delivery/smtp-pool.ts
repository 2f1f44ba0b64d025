import { Readable } from 'node:stream';
import SMTPConnection, { type Envelope, type Options, type SentMessageInfo, type SMTPError } from 'nodemailer/lib/smtp-connection';

export type SendInfo = SentMessageInfo;
export type SmtpError = SMTPError;

export interface SmtpPoolOptions {
  readonly connection: Options;
  readonly auth?: { readonly user: string; readonly pass: string } | undefined;
  readonly maxConnections: number;
  /** A connection is closed (QUIT) after this many messages and a fresh one opened. */
  readonly maxMessages: number;
  /** An idle connection is closed after this long, before the upstream drops it on its own. */
  readonly idleTimeoutMs: number;
}

/** One pooled connection: its SMTP session and how it stands. */
interface Pooled {
  readonly smtp: SMTPConnection;
  messages: number;
  alive: boolean;
  idleTimer: NodeJS.Timeout | null;
}

/** nodemailer records an attempt's results (mailError, rejected, ...) on the envelope it is given: one copy per attempt. */
function copyOf(envelope: Envelope): Envelope {
  return { ...envelope, to: Array.isArray(envelope.to) ? [...envelope.to] : envelope.to };
}

/** Replies about this message (envelope or content), after which the session itself is still fine. */
const MESSAGE_REFUSALS = new Set(['EENVELOPE', 'EMESSAGE']);

/**
 * Upstream SMTP connections, opened on demand up to `maxConnections` and reused: nodemailer's
 * SMTPConnection (which pipelines the envelope with PIPELINING) under a small pool of our own.
 * nodemailer's transport builds a MIME tree, a message id and a stream chain for every raw
 * message: four times the CPU of the send itself, for nothing a relay needs.
 * A connection the upstream closed while it sat idle, or closes with 421 at the next command, is
 * found out at the next send; that send goes again on a fresh connection when not a byte of it
 * was read.
 */
export class SmtpPool {
  readonly #idle: Pooled[] = [];
  /** Connections open or opening. */
  #open = 0;
  /** Sends waiting for a connection: woken with one, or with null to open their own. */
  readonly #waiting: ((pooled: Pooled | null) => void)[] = [];
  #closed = false;

  constructor(private readonly options: SmtpPoolOptions) {}

  async send(envelope: Envelope, raw: Readable): Promise<SendInfo> {
    const pooled = await this.#acquire();
    const reused = pooled.messages > 0;
    const attempt = new AttemptBody(raw);
    try {
      return await this.#sendOn(pooled, copyOf(envelope), attempt);
    } catch (error) {
      const err = error as SmtpError;
      // 421 is the provider closing the session (RFC 5321 4.2.3), not a verdict on the message.
      const sessionEnded = !pooled.alive || err.responseCode === 421;
      const aboutMessage = MESSAGE_REFUSALS.has(err.code ?? '') && err.responseCode !== 421;
      if (reused && sessionEnded && !aboutMessage && !attempt.started) {
        // A stale connection: not a byte of the message left, so it may go on a fresh one at once.
        const fresh = await this.#acquire(true);
        return await this.#sendOn(fresh, copyOf(envelope), new AttemptBody(raw));
      }
      throw err;
    }
  }

  close(): void {
    this.#closed = true;
    for (const pooled of this.#idle.splice(0)) this.#quit(pooled);
    for (const wake of this.#waiting.splice(0)) wake(null);
  }

  async #sendOn(pooled: Pooled, envelope: Envelope, raw: Readable): Promise<SendInfo> {
    try {
      const info = await new Promise<SendInfo>((resolve, reject) =>
        pooled.smtp.send(envelope, raw, (err, sent) => (err ? reject(err) : resolve(sent))),
      );
      pooled.messages++;
      this.#release(pooled);
      return info;
    } catch (error) {
      const err = error as SmtpError;
      if (pooled.alive && MESSAGE_REFUSALS.has(err.code ?? '') && err.responseCode !== 421) {
        // The upstream refused this message; the session is fine once reset.
        pooled.smtp.reset((resetErr) => (resetErr ? this.#drop(pooled) : this.#release(pooled)));
      } else {
        this.#drop(pooled);
      }
      throw err;
    }
  }

  /** An idle live connection, else a new one if there is room, else the next one released. */
  async #acquire(fresh = false): Promise<Pooled> {
    for (;;) {
      if (this.#closed) throw Object.assign(new Error('the upstream connection pool is closed'), { code: 'ECONNECTION' });
      if (!fresh) {
        const idle = this.#idle.pop();
        if (idle) {
          if (idle.idleTimer) clearTimeout(idle.idleTimer);
          idle.idleTimer = null;
          if (idle.alive) return idle;
          continue;
        }
      }
      if (this.#open < this.options.maxConnections) return this.#connect();
      const handed = await new Promise<Pooled | null>((resolve) => this.#waiting.push(resolve));
      if (handed) return handed;
    }
  }

  async #connect(): Promise<Pooled> {
    this.#open++;
    const smtp = new SMTPConnection(this.options.connection);
    const pooled: Pooled = { smtp, messages: 0, alive: true, idleTimer: null };
    const lost = () => {
      const at = this.#idle.indexOf(pooled);
      if (at !== -1) this.#idle.splice(at, 1);
      this.#retire(pooled);
    };
    // Every error also arrives as an event: without a listener it would crash the process.
    smtp.on('error', lost);
    smtp.on('end', lost);
    try {
      await new Promise<void>((resolve, reject) => {
        smtp.once('error', reject);
        smtp.connect((err) => (err ? reject(err) : resolve()));
      });
      smtp.removeAllListeners('error');
      smtp.on('error', lost);
      const auth = this.options.auth;
      if (auth) await new Promise<void>((resolve, reject) => smtp.login({ user: auth.user, pass: auth.pass }, (err) => (err ? reject(err) : resolve())));
      return pooled;
    } catch (err) {
      lost();
      smtp.close();
      throw err;
    }
  }

  #release(pooled: Pooled): void {
    if (!pooled.alive) return;
    if (this.#closed || pooled.messages >= this.options.maxMessages) {
      this.#quit(pooled);
      return;
    }
    const wake = this.#waiting.shift();
    if (wake) {
      wake(pooled);
      return;
    }
    pooled.idleTimer = setTimeout(() => {
      pooled.idleTimer = null;
      const at = this.#idle.indexOf(pooled);
      if (at !== -1) this.#idle.splice(at, 1);
      this.#quit(pooled);
    }, this.options.idleTimeoutMs);
    pooled.idleTimer.unref();
    this.#idle.push(pooled);
  }

  /** Closes politely: QUIT, and the socket closes after the reply. The slot is free at once. */
  #quit(pooled: Pooled): void {
    this.#retire(pooled);
    pooled.smtp.quit();
  }

  /** Closes at once: the session is in an unknown state. */
  #drop(pooled: Pooled): void {
    this.#retire(pooled);
    pooled.smtp.close();
  }

  #retire(pooled: Pooled): void {
    if (!pooled.alive) return;
    pooled.alive = false;
    this.#open--;
    if (pooled.idleTimer) clearTimeout(pooled.idleTimer);
    pooled.idleTimer = null;
    this.#waiting.shift()?.(null); // room for a new connection
  }
}

/**
 * The message body as one attempt reads it: nothing is taken from `source` until the attempt
 * reads, so an attempt that gives up before DATA (nodemailer then destroys its stream) leaves
 * the body whole for the next one.
 */
class AttemptBody extends Readable {
  started = false;

  constructor(private readonly source: Readable) {
    super();
  }

  override _read(): void {
    if (this.started) {
      this.source.resume();
      return;
    }
    this.started = true;
    this.source.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) this.source.pause();
    });
    this.source.once('end', () => this.push(null));
    this.source.once('error', (err) => this.destroy(err));
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    if (this.started) this.source.destroy();
    done(err);
  }
}
