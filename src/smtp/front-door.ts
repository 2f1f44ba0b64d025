import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { SMTPServer, type SMTPServerAuthentication, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { decoyPasswordHash, verifyPassword } from '../accounts/passwords.js';
import { SmtpError, toSmtpError } from '../core/smtp-error.js';
import { replyText, replies } from '../core/replies.js';
import type { Config, ListenerConfig } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Received, ReceiveInput } from '../pipeline/receive.js';
import type { AccountStore } from '../store/types.js';
import { AuthThrottle } from './auth-throttle.js';
import { markAuthNeverOffered, useOwnEnhancedCodes } from './enhanced-codes.js';
import { checkMailFrom, checkRcptTo, envelopeOf, fromHeaderCheck, type SessionRulesConfig, type SessionUser } from './session-rules.js';
import type { TlsMaterial } from './tls-material.js';
import { RecipientLimit } from './recipient-limit.js';
import { TrustedNetworks } from './trusted-networks.js';

const MAX_REFUSALS_PER_CONNECTION = 20;
/**
 * Recipients over the limit a transaction may send before each further one counts towards
 * MAX_REFUSALS_PER_CONNECTION: a client that sends more than the limit is within the protocol
 * (it sends the rest later), one that goes on and on is not (Postfix's recipient overshoot limit).
 */
const RECIPIENT_OVERSHOOT = 1000;

export interface FrontDoorDeps {
  readonly config: Pick<Config, 'smtp' | 'practice'>;
  readonly relayName: string;
  readonly tls: TlsMaterial;
  readonly accounts: Pick<AccountStore, 'getAccount'>;
  readonly receive: (input: ReceiveInput) => Promise<Received>;
  readonly metrics: Metrics;
  readonly log: Logger;
  /** How long a draining listener waits for transactions in progress (then 421). */
  readonly closeTimeout?: number;
}

export interface BoundListener {
  readonly name: string;
  readonly mode: ListenerConfig['mode'];
  readonly host: string;
  readonly port: number;
}

/**
 * The SMTP listeners: protocol only. Authentication, relay and sender rules, limits, then
 * the message goes to the pipeline, and the client hears back from the reply table.
 */
/** Socket errors that mean only that the client went away. */
const CLIENT_GONE = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT']);
/** Refusals caused by the relay, not the client. */
const OWN_FAILURES = new Set<string>(['storeUnavailable', 'localError']);

/** What front-door reads of smtp-server's connections (not in its typings). */
interface OpenConnection {
  session?: { envelope?: { mailFrom?: unknown } };
  _dataStream?: unknown;
  send(code: number, text: string): void;
  close(): void;
}

/** While a listener drains, how often sessions are looked at again: one whose transaction ended is then idle. */
const DRAIN_SWEEP_MS = 100;

/**
 * On stop, sessions with no transaction open are told 421 and closed at once; a transaction in
 * progress finishes (and its next command gets 421). Without this an idle client kept the
 * relay from stopping for the whole close timeout.
 */
function closeIdleSessions(server: SMTPServer): void {
  const connections = (server as unknown as { connections?: Set<OpenConnection> }).connections ?? new Set<OpenConnection>();
  for (const connection of connections) {
    if (connection.session?.envelope?.mailFrom || connection._dataStream) continue;
    connection.send(replies.shuttingDown.code, replyText(replies.shuttingDown));
    connection.close();
  }
}

/**
 * AUTH PLAIN may name an identity to act as (authzid) beside the one that logs in (authcid).
 * Many clients put their user name in the authzid and leave the authcid empty (smtp-server then
 * logs in the authzid), or repeat it in both; naming someone else is refused.
 */
function actsForAnother(auth: SMTPServerAuthentication): boolean {
  const { authzid, authcid } = auth;
  return !!authzid && !!authcid && authzid.toLowerCase() !== authcid.toLowerCase();
}

export class FrontDoor {
  readonly #servers: { listener: BoundListener; server: SMTPServer }[] = [];
  readonly #throttle: AuthThrottle;
  /** Refusals per connection: a client that keeps being refused is cut off (Postfix's hard error limit). */
  readonly #refusals = new WeakMap<SMTPServerSession, number>();
  readonly #rules: SessionRulesConfig;
  readonly #recipientLimit: RecipientLimit;
  /** Sessions counted in smtpActiveSessions (onConnect ran for them). */
  readonly #active = new WeakSet<SMTPServerSession>();
  #listening = false;

  constructor(private readonly deps: FrontDoorDeps) {
    useOwnEnhancedCodes();
    const { smtp, practice } = deps.config;
    this.#throttle = new AuthThrottle(smtp.limits.authFailures);
    this.#rules = { trusted: new TrustedNetworks(smtp.trustedNetworks), practiceDomains: practice.domains };
    this.#recipientLimit = new RecipientLimit(smtp.limits.maxRecipients);
  }

  get listening(): boolean {
    return this.#listening;
  }

  get listeners(): BoundListener[] {
    return this.#servers.map((s) => s.listener);
  }

  async listen(): Promise<BoundListener[]> {
    for (const listener of this.deps.config.smtp.listeners) {
      const name = listener.name ?? `${listener.mode}-${listener.port}`;
      const server = new SMTPServer(this.#options(listener, name));
      server.on('error', (err: NodeJS.ErrnoException) => {
        // A client that drops its connection is routine; anything else is worth an operator's look.
        const level = err.code !== undefined && CLIENT_GONE.has(err.code) ? 'debug' : 'error';
        this.deps.log[level]({ event: 'smtp_error', listener: name, err: err.message }, 'SMTP listener error');
      });
      server.listen(listener.port, listener.host);
      await once(server.server, 'listening');
      const port = (server.server.address() as AddressInfo).port;
      const bound = { name, mode: listener.mode, host: listener.host, port };
      this.#servers.push({ listener: bound, server });
      this.deps.log.info({ event: 'smtp_listening', ...bound }, 'SMTP listener ready');
    }
    this.#listening = true;
    return this.listeners;
  }

  /** Stops accepting; transactions in progress finish, later commands get 421. */
  async close(): Promise<void> {
    this.#listening = false;
    await Promise.all(
      this.#servers.map(async ({ server }) => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        closeIdleSessions(server);
        // A transaction that finishes during the drain leaves its session idle: close it then,
        // not at the close timeout (a client that keeps its connection open would hold the stop).
        const sweep = setInterval(() => closeIdleSessions(server), DRAIN_SWEEP_MS);
        try {
          await closed;
        } finally {
          clearInterval(sweep);
        }
      }),
    );
  }

  #options(listener: ListenerConfig, name: string): SMTPServerOptions {
    const { smtp } = this.deps.config;
    return {
      name: this.deps.relayName,
      banner: 'Mouthguard', // smtp-server writes "220 <name> ESMTP <banner>"
      secure: listener.mode === 'tls',
      key: this.deps.tls.key,
      cert: this.deps.tls.cert,
      authMethods: ['PLAIN', 'LOGIN'],
      authOptional: true, // enforced at MAIL FROM, so trusted networks need no AUTH
      allowInsecureAuth: smtp.allowInsecureAuth,
      size: smtp.limits.maxMessageSize,
      maxRecipients: 0, // RecipientLimit: the reply from our table, and counted
      maxClients: smtp.limits.maxClients,
      socketTimeout: smtp.limits.idleTimeout,
      closeTimeout: this.deps.closeTimeout ?? 30_000,
      disableReverseLookup: !smtp.reverseDnsLookup,
      hideENHANCEDSTATUSCODES: false,
      hideDSN: true,
      hideREQUIRETLS: true,
      logger: false,
      onConnect: (session, cb) => {
        if (listener.mode === 'plain') markAuthNeverOffered(session);
        session.disabledCommands = this.#disabledCommands(listener, session.secure);
        cb(this.#onConnect(session, listener, name) ?? undefined);
      },
      onSecure: (_socket, session, cb) => {
        session.disabledCommands = this.#disabledCommands(listener, true);
        cb();
      },
      onClose: (session) => {
        // smtp-server closes a connection over maxClients without onConnect: it was never counted.
        if (this.#active.delete(session)) this.deps.metrics.smtpActiveSessions.dec();
      },
      onAuth: (auth, session, cb) => {
        this.#onAuth(auth, session).then(
          (user) => cb(null, { user }),
          (err: unknown) => cb(this.#refuse(toSmtpError(err), session)),
        );
      },
      onMailFrom: (address, session, cb) => cb(this.#refuseIf(checkMailFrom(address, session, this.#rules), session)),
      onRcptTo: (address, session, cb) =>
        cb(this.#refuseIf(checkRcptTo(address, session, this.#rules), session) ?? this.#overRecipientLimit(address.address, session)),
      onData: (stream, session, cb) => {
        this.#onData(stream, session, name).then(
          (message) => cb(null, message),
          (err: unknown) => cb(this.#refuse(toSmtpError(err), session)),
        );
      },
    };
  }

  /** AUTH is offered only over TLS (unless allowInsecureAuth), never on a plain listener. */
  #disabledCommands(listener: ListenerConfig, secure: boolean): string[] {
    const offerAuth = listener.mode !== 'plain' && (secure || this.deps.config.smtp.allowInsecureAuth);
    return offerAuth ? [] : ['AUTH'];
  }

  #onConnect(session: SMTPServerSession, listener: ListenerConfig, name: string): SmtpError | null {
    this.deps.metrics.smtpSessions.inc({ listener: name, mode: listener.mode });
    this.#active.add(session);
    this.deps.metrics.smtpActiveSessions.inc();
    if (this.#throttle.isBlocked(session.remoteAddress)) return this.#refuse(new SmtpError('authThrottled'), session);
    if (listener.mode === 'plain' && !this.#rules.trusted.contains(session.remoteAddress)) {
      return this.#refuse(new SmtpError('relayDenied', { detail: 'plain listener, untrusted client' }), session);
    }
    return null;
  }

  async #onAuth(auth: SMTPServerAuthentication, session: SMTPServerSession): Promise<SessionUser> {
    if (actsForAnother(auth)) {
      // RFC 4616: an account may act only as itself; no password is checked, so none is guessed.
      if (this.#throttle.isBlocked(session.remoteAddress)) throw new SmtpError('authThrottled');
      this.deps.metrics.smtpAuthFailures.inc({ outcome: 'invalid' });
      this.deps.log.warn({ event: 'auth', session: session.id, client: session.remoteAddress, result: 'failed', reason: 'authzid' }, 'failed login');
      throw new SmtpError('authFailed');
    }
    const endTurn = await this.#throttle.turn(session.remoteAddress);
    if (!endTurn) throw new SmtpError('authThrottled');
    try {
      const name = auth.username ?? '';
      const account = name ? await this.deps.accounts.getAccount(name) : null;
      const ok = await verifyPassword(auth.password ?? '', account?.passwordHash ?? (await decoyPasswordHash()));
      if (account && ok) {
        this.#throttle.recordSuccess(session.remoteAddress);
        this.deps.log.info({ event: 'auth', session: session.id, user: account.name, result: 'ok' }, 'login');
        return { name: account.name, allowedSenders: account.allowedSenders };
      }
      const blocked = this.#throttle.recordFailure(session.remoteAddress);
      this.deps.metrics.smtpAuthFailures.inc({ outcome: blocked ? 'throttled' : 'invalid' });
      this.deps.log.warn({ event: 'auth', session: session.id, client: session.remoteAddress, result: 'failed', blocked }, 'failed login');
      throw new SmtpError(blocked ? 'authThrottled' : 'authFailed');
    } finally {
      endTurn();
    }
  }

  async #onData(stream: Readable, session: SMTPServerSession, listener: string): Promise<string> {
    const started = performance.now();
    const envelope = envelopeOf(session, listener);
    const received = await this.deps.receive({
      stream,
      envelope,
      checkHeaders: fromHeaderCheck(session, this.#rules),
    });
    this.deps.log.info(
      {
        event: 'received',
        id: received.id,
        session: session.id,
        user: envelope.client.user,
        result: received.action === 'hold' ? 'held' : 'queued',
        verdict: received.action,
        reasons: received.reasons,
        size: received.size,
        rcpts: envelope.rcptTo.length,
        ms: Math.round(performance.now() - started),
      },
      received.action === 'hold' ? 'message held for review' : 'message queued',
    );
    return replyText(replies.queued, received.id);
  }

  #overRecipientLimit(address: string, session: SMTPServerSession): SmtpError | undefined {
    const excess = this.#recipientLimit.admit(session.envelope, address);
    if (excess === null) return undefined;
    const err = new SmtpError('tooManyRecipients', { detail: `over smtp.limits.maxRecipients (${this.deps.config.smtp.limits.maxRecipients})` });
    if (excess > RECIPIENT_OVERSHOOT) return this.#refuse(err, session);
    this.#report(err, err, session, excess === 1); // the first of a transaction is enough in the log
    return err;
  }

  #refuseIf(err: SmtpError | null, session: SMTPServerSession): SmtpError | undefined {
    return err ? this.#refuse(err, session) : undefined;
  }

  #refuse(err: SmtpError, session: SMTPServerSession): SmtpError {
    const count = (this.#refusals.get(session) ?? 0) + 1;
    this.#refusals.set(session, count);
    const reply = count >= MAX_REFUSALS_PER_CONNECTION && err.responseCode !== 421 ? new SmtpError('tooManyRefusals', { cause: err }) : err;
    this.#report(reply, err, session);
    return reply;
  }

  /** Counts the reply given in the metrics and, if `log`, logs the refusal with its private reason. */
  #report(reply: SmtpError, err: SmtpError, session: SMTPServerSession, log = true): void {
    this.deps.metrics.smtpRejects.inc({ reason: reply.reply });
    if (!log) return;
    // Our own failure (the store cannot take mail) needs an operator; a client's mistake does not.
    const level = OWN_FAILURES.has(err.reply) ? 'error' : 'info';
    this.deps.log[level]({ event: 'refused', session: session.id, client: session.remoteAddress, ...err.fields() }, 'SMTP refusal');
  }
}
