/**
 * Every SMTP reply the relay gives on its own account, in one table (design decision 4).
 *
 * Each entry carries the basic code, the RFC 3463 enhanced code and generic client text.
 * Clients never learn which rule fired or any configuration value: the private reason goes
 * to the logs through {@link SmtpError.cause}. Anything unexpected is `localError`, a 4xx,
 * so the client's software retries instead of bouncing.
 */
export interface Reply {
  readonly code: number;
  readonly enhanced: string;
  readonly text: string;
}

export const replies = {
  queued: { code: 250, enhanced: '2.0.0', text: 'Ok: queued as' },
  authRequired: { code: 530, enhanced: '5.7.0', text: 'Authentication required' },
  startTlsFirst: { code: 530, enhanced: '5.7.0', text: 'Must issue a STARTTLS command first' },
  authFailed: { code: 535, enhanced: '5.7.8', text: 'Authentication credentials invalid' },
  authThrottled: { code: 421, enhanced: '4.7.0', text: 'Too many failed logins, try again later' },
  authNotOffered: { code: 503, enhanced: '5.5.1', text: 'Authentication is not offered on this port' },
  relayDenied: { code: 554, enhanced: '5.7.1', text: 'Relay access denied' },
  addressRouting: { code: 553, enhanced: '5.7.1', text: 'Address routing syntax is not allowed' },
  addressLiteral: { code: 553, enhanced: '5.1.3', text: 'IP address literals are not accepted' },
  addressIncomplete: { code: 553, enhanced: '5.1.3', text: 'Address needs a local part and a domain' },
  senderNotAllowed: { code: 553, enhanced: '5.7.1', text: 'Sender address not allowed for this login' },
  fromNotAllowed: { code: 550, enhanced: '5.7.1', text: 'From address not allowed for this login' },
  /** The same refusals for a client trusted by its network: it has no login to speak of. */
  senderNotAllowedHere: { code: 553, enhanced: '5.7.1', text: 'Sender address not allowed from this network' },
  fromNotAllowedHere: { code: 550, enhanced: '5.7.1', text: 'From address not allowed from this network' },
  /** RFC 5321 4.5.3.1.10: the client sends the other recipients in a later transaction. */
  tooManyRecipients: { code: 452, enhanced: '4.5.3', text: 'Too many recipients' },
  parameterNotRecognized: { code: 555, enhanced: '5.5.4', text: 'Parameter not recognized' },
  utf8NotDeclared: { code: 553, enhanced: '5.6.7', text: 'A non-ASCII address needs SMTPUTF8 on MAIL FROM' },
  nullSenderRefused: { code: 553, enhanced: '5.7.1', text: 'A null sender is not accepted from clients' },
  bareLineEnding: {
    code: 554,
    enhanced: '5.6.0',
    text: 'Message refused: bare CR or LF line ending; lines must end with CRLF',
  },
  nulOctet: { code: 554, enhanced: '5.6.0', text: 'Message refused: NUL octet in message' },
  lineTooLong: { code: 554, enhanced: '5.6.0', text: 'Message refused: line longer than 998 octets' },
  headerTooLarge: { code: 552, enhanced: '5.3.4', text: 'Message refused: header section too large' },
  messageTooLarge: { code: 552, enhanced: '5.3.4', text: 'Message size exceeds fixed limit' },
  noHeaders: { code: 554, enhanced: '5.6.0', text: 'Message refused: no header section' },
  policyRejected: { code: 550, enhanced: '5.7.1', text: 'Message refused by the practice data protection policy' },
  storeUnavailable: {
    code: 451,
    enhanced: '4.3.0',
    text: 'Temporary local problem storing the message, try again later',
  },
  shuttingDown: { code: 421, enhanced: '4.4.2', text: 'Server shutting down, try again later' },
  tooManyRefusals: { code: 421, enhanced: '4.7.0', text: 'Too many refused commands, closing connection' },
  localError: { code: 451, enhanced: '4.3.0', text: 'Temporary local error, try again later' },
} as const satisfies Record<string, Reply>;

export type ReplyName = keyof typeof replies;

/** The reply text as it goes on the wire after the code: enhanced code first. */
export function replyText(reply: Reply, suffix?: string): string {
  return suffix ? `${reply.enhanced} ${reply.text} ${suffix}` : `${reply.enhanced} ${reply.text}`;
}
