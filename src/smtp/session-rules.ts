import type { SMTPServerAddress, SMTPServerSession } from 'smtp-server';
import { isSenderAllowed } from '../accounts/sender-rules.js';
import { SmtpError } from '../core/smtp-error.js';
import type { ClientInfo, Envelope } from '../core/envelope.js';
import { senderFields } from '../mime/header-fields.js';
import { addressRoutingProblem } from './address-rules.js';
import type { TrustedNetworks } from './trusted-networks.js';

/** What a successful AUTH leaves on the session. */
export interface SessionUser {
  readonly name: string;
  readonly allowedSenders: readonly string[];
}

export interface SessionRulesConfig {
  readonly trusted: TrustedNetworks;
  readonly practiceDomains: readonly string[];
}

export function sessionUser(session: SMTPServerSession): SessionUser | null {
  return (session.user as SessionUser | undefined) ?? null;
}

/** Never an open relay: a client must have logged in or come from a trusted network. */
export function checkMayRelay(session: SMTPServerSession, rules: SessionRulesConfig): SmtpError | null {
  if (sessionUser(session) || rules.trusted.contains(session.remoteAddress)) return null;
  return new SmtpError('authRequired', { detail: 'unauthenticated client outside trusted networks' });
}

function senderAllowed(address: string, session: SMTPServerSession, rules: SessionRulesConfig): boolean {
  const user = sessionUser(session);
  return isSenderAllowed(address, user ? user.allowedSenders : [], rules.practiceDomains);
}

/**
 * The MAIL FROM parameters of the extensions we advertise (RFC 1870 SIZE, RFC 6152 BODY, RFC 6531
 * SMTPUTF8, RFC 4954 AUTH); RCPT TO has none (DSN is not offered). Anything else is refused
 * (RFC 5321 4.1.1.11): a parameter we would ignore is a promise we would not keep.
 */
const MAIL_PARAMETERS = new Set(['SIZE', 'BODY', 'SMTPUTF8', 'AUTH']);
const RCPT_PARAMETERS = new Set<string>();
const NON_ASCII = /\P{ASCII}/u;

/** A parameter outside `allowed`, or a non-ASCII address without SMTPUTF8: the refusal, or null. */
function parameterProblem(command: 'MAIL FROM' | 'RCPT TO', address: SMTPServerAddress, allowed: ReadonlySet<string>, utf8: boolean): SmtpError | null {
  const unknown = Object.keys(address.args || {}).find((key) => !allowed.has(key.toUpperCase()));
  if (unknown) return new SmtpError('parameterNotRecognized', { detail: `${command} ${unknown}` });
  return NON_ASCII.test(address.address) && !utf8 ? new SmtpError('utf8NotDeclared', { detail: command }) : null;
}

function declaredUtf8(session: SMTPServerSession, mailFrom?: SMTPServerAddress): boolean {
  const from = mailFrom ?? (session.envelope.mailFrom || undefined);
  const args = from?.args;
  return Boolean(args && Object.keys(args).some((key) => key.toUpperCase() === 'SMTPUTF8'));
}

export function checkMailFrom(address: SMTPServerAddress, session: SMTPServerSession, rules: SessionRulesConfig): SmtpError | null {
  const relay = checkMayRelay(session, rules);
  if (relay) return relay;
  const parameters = parameterProblem('MAIL FROM', address, MAIL_PARAMETERS, declaredUtf8(session, address));
  if (parameters) return parameters;
  if (!address.address) return new SmtpError('nullSenderRefused');
  const routing = addressRoutingProblem(address.address);
  if (routing) return new SmtpError(routing, { detail: 'MAIL FROM' });
  if (!senderAllowed(address.address, session, rules)) return new SmtpError(sessionUser(session) ? 'senderNotAllowed' : 'senderNotAllowedHere');
  return null;
}

export function checkRcptTo(address: SMTPServerAddress, session: SMTPServerSession, rules: SessionRulesConfig): SmtpError | null {
  const relay = checkMayRelay(session, rules);
  if (relay) return relay;
  const parameters = parameterProblem('RCPT TO', address, RCPT_PARAMETERS, declaredUtf8(session));
  if (parameters) return parameters;
  const routing = addressRoutingProblem(address.address);
  return routing ? new SmtpError(routing, { detail: 'RCPT TO' }) : null;
}

/**
 * The From addresses must also be the login's, and so must every address-shaped string in the
 * From field (display names, comments, malformed syntax, encoded words): whatever a reader
 * might take for the sender. A From field that names no address at all is refused too. A
 * message without From is left to MAIL FROM, which was checked already. The same holds for
 * Sender, Resent-From and Resent-Sender, which mail clients show too ("on behalf of").
 */
export function fromHeaderCheck(session: SMTPServerSession, rules: SessionRulesConfig): (section: Buffer) => SmtpError | null {
  return (section) => {
    const refusal = sessionUser(session) ? 'fromNotAllowed' : 'fromNotAllowedHere';
    const allowed = (address: string) => senderAllowed(address, session, rules);
    for (const field of senderFields(section)) {
      if (field.mailboxes.length === 0) return new SmtpError(refusal, { detail: `${field.name} names no address` });
      if (![...field.mailboxes, ...field.mentioned].every(allowed)) return new SmtpError(refusal, { detail: field.name });
    }
    return null;
  };
}

export function envelopeOf(session: SMTPServerSession, listener: string): Envelope {
  const client: ClientInfo = {
    address: session.remoteAddress,
    helo: session.hostNameAppearsAs,
    user: sessionUser(session)?.name ?? null,
    tls: session.secure,
    listener,
  };
  const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
  return { mailFrom, rcptTo: session.envelope.rcptTo.map((r) => r.address), client };
}
