import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import nodemailer, { type Transporter } from 'nodemailer';
import type { UpstreamConfig } from '../config/schema.js';
import { cleanReply, type RecipientOutcome, type Upstream } from './upstream.js';

type SmtpUpstreamConfig = Extract<UpstreamConfig, { type: 'smtp' }>;

interface NodemailerError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
  recipient?: string;
  rejectedErrors?: NodemailerError[];
}

/** Refusals nodemailer makes itself, before sending, about the message: they will not change. */
const PERMANENT_LOCAL_CODES = new Set(['EMESSAGE', 'EENVELOPE']);

/** Delivery to the practice's provider over pooled nodemailer SMTP connections. */
export class SmtpUpstream implements Upstream {
  readonly description: string;
  readonly #transport: Transporter;

  constructor(config: SmtpUpstreamConfig, localName: string) {
    this.description = `${config.host}:${config.port} (${config.secure})`;
    this.#transport = nodemailer.createTransport({
      pool: true,
      host: config.host,
      port: config.port,
      secure: config.secure === 'tls',
      requireTLS: config.secure === 'starttls',
      ignoreTLS: config.secure === 'none',
      name: localName,
      // Open for XOAUTH2 later: nodemailer takes { type: 'OAuth2', ... } in the same slot.
      auth: config.auth ? { user: config.auth.user, pass: config.auth.pass } : undefined,
      tls: {
        rejectUnauthorized: config.tls.rejectUnauthorized,
        servername: config.tls.servername,
        ca: config.tls.ca ? readFileSync(config.tls.ca) : undefined,
      },
      maxConnections: config.maxConnections,
      maxMessages: 1000,
      connectionTimeout: config.connectionTimeout,
      greetingTimeout: config.connectionTimeout,
      socketTimeout: config.socketTimeout,
      logger: false,
    });
  }

  async send(mailFrom: string, recipients: readonly string[], raw: Readable): Promise<RecipientOutcome[]> {
    try {
      const info = (await this.#transport.sendMail({ envelope: { from: mailFrom, to: [...recipients] }, raw })) as {
        accepted?: unknown[];
        rejectedErrors?: NodemailerError[];
        response?: string;
      };
      const rejected = new Map((info.rejectedErrors ?? []).map((e) => [String(e.recipient), e]));
      const reply = cleanReply(info.response ?? '250 accepted');
      return recipients.map((address) => {
        const err = rejected.get(address);
        return err ? outcomeFor(address, err) : { address, status: 'delivered', reply };
      });
    } catch (error) {
      const err = error as NodemailerError;
      const perRecipient = new Map((err.rejectedErrors ?? []).map((e) => [String(e.recipient), e]));
      return recipients.map((address) => outcomeFor(address, perRecipient.get(address) ?? err));
    } finally {
      raw.destroy();
    }
  }

  close(): Promise<void> {
    this.#transport.close();
    return Promise.resolve();
  }
}

function outcomeFor(address: string, err: NodemailerError): RecipientOutcome {
  const reply = cleanReply(err.response ?? `${err.code ?? 'error'}: ${err.message}`);
  if (err.responseCode) {
    return { address, status: err.responseCode >= 500 ? 'failed' : 'deferred', reply };
  }
  // No SMTP reply: a refusal before sending (over the upstream's SIZE, an address it cannot
  // carry) is permanent; connection, TLS, login and timeout errors are temporary.
  const permanent = err.code !== undefined && PERMANENT_LOCAL_CODES.has(err.code);
  return { address, status: permanent ? 'failed' : 'deferred', reply };
}
