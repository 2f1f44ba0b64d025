import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { UpstreamConfig } from '../config/schema.js';
import { SmtpPool, type SmtpError } from './smtp-pool.js';
import { cleanReply, type RecipientOutcome, type Upstream } from './upstream.js';

type SmtpUpstreamConfig = Extract<UpstreamConfig, { type: 'smtp' }>;

/** nodemailer's codes for a refusal of this message (its envelope or its content), as opposed to trouble with the session. */
const MESSAGE_CODES = new Set(['EENVELOPE', 'EMESSAGE']);

/** Delivery to the practice's provider over pooled SMTP connections (see SmtpPool). */
export class SmtpUpstream implements Upstream {
  readonly description: string;
  readonly #pool: SmtpPool;

  constructor(config: SmtpUpstreamConfig, localName: string) {
    this.description = `${config.host}:${config.port} (${config.secure})`;
    this.#pool = new SmtpPool({
      connection: {
        host: config.host,
        port: config.port,
        secure: config.secure === 'tls',
        requireTLS: config.secure === 'starttls',
        ignoreTLS: config.secure === 'none',
        name: localName,
        tls: {
          rejectUnauthorized: config.tls.rejectUnauthorized,
          servername: config.tls.servername,
          ca: config.tls.ca ? readFileSync(config.tls.ca) : undefined,
        },
        connectionTimeout: config.connectionTimeout,
        greetingTimeout: config.connectionTimeout,
        socketTimeout: config.socketTimeout,
        logger: false,
      },
      // Open for XOAUTH2 later: nodemailer's login takes { type: 'OAuth2', ... } in the same slot.
      auth: config.auth,
      maxConnections: config.maxConnections,
      maxMessages: config.maxMessagesPerConnection,
      idleTimeoutMs: config.idleTimeout,
    });
  }

  async send(mailFrom: string, recipients: readonly string[], raw: Readable): Promise<RecipientOutcome[]> {
    try {
      // BODY=8BITMIME whenever the provider offers it: the body goes on as the client sent it.
      const info = await this.#pool.send({ from: mailFrom, to: [...recipients], use8BitMime: true }, raw);
      const rejected = new Map((info.rejectedErrors ?? []).map((e) => [String(e.recipient), e]));
      const reply = cleanReply(info.response || '250 accepted');
      return recipients.map((address) => {
        const err = rejected.get(address);
        return err ? outcomeFor(address, err) : { address, status: 'delivered', reply };
      });
    } catch (error) {
      const err = error as SmtpError;
      const perRecipient = new Map((err.rejectedErrors ?? []).map((e) => [String(e.recipient), e]));
      return recipients.map((address) => outcomeFor(address, perRecipient.get(address) ?? err));
    } finally {
      raw.destroy();
    }
  }

  close(): Promise<void> {
    this.#pool.close();
    return Promise.resolve();
  }
}

/**
 * A refusal of the message decides by its reply code (5xx: bounce now; 4xx: retry); one made
 * before sending (over the provider's SIZE, an address it cannot carry) is permanent. Trouble
 * with the session itself (connection, TLS, login, timeouts, a greeting refused) is never the
 * message's fault: it waits for a retry, so a wrong upstream password does not bounce the queue.
 */
function outcomeFor(address: string, err: SmtpError): RecipientOutcome {
  const reply = cleanReply(err.response ?? `${err.code ?? 'error'}: ${err.message}`);
  if (!MESSAGE_CODES.has(err.code ?? '')) return { address, status: 'deferred', reply };
  if (err.responseCode) return { address, status: err.responseCode >= 500 ? 'failed' : 'deferred', reply };
  return { address, status: 'failed', reply };
}
