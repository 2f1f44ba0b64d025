import { randomBytes } from 'node:crypto';
import { rfc5322Date } from '../core/dates.js';

export interface FailedRecipient {
  readonly address: string;
  /** The upstream's reply, or a local reason. */
  readonly reply: string;
  /** True when the recipient failed because the message grew too old while deferred. */
  readonly expired: boolean;
}

export interface DsnInput {
  readonly relayName: string;
  /** Header From of the report, e.g. postmaster@<practice domain>. */
  readonly from: string;
  /** The original envelope sender: the report goes to them. */
  readonly to: string;
  readonly queueId: string;
  readonly arrivalDate: Date;
  readonly failures: readonly FailedRecipient[];
  /** The original message's header section (CRLF line endings, no final blank line). */
  readonly originalHeaders: Buffer;
  readonly now: Date;
}

/** The RFC 3463 status in a reply ("550 5.1.1 ..."), or one derived from the basic code. */
export function statusOf(failure: FailedRecipient): string {
  if (failure.expired) return '4.4.7';
  const enhanced = /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})\b/.exec(failure.reply);
  if (enhanced) return enhanced[1]!;
  const basic = /^([245])\d\d\b/.exec(failure.reply);
  return basic ? `${basic[1]}.0.0` : '5.0.0';
}

/** Folds a long header-field value at spaces so no line passes 998 octets. */
function field(name: string, value: string): string {
  const words = value.split(' ');
  const lines: string[] = [];
  let line = `${name}: `;
  for (const word of words) {
    if (line.length + word.length > 76 && line.trim().length > name.length + 1) {
      lines.push(line.trimEnd());
      line = ' ';
    }
    line += `${word} `;
  }
  lines.push(line.trimEnd());
  return lines.map((l) => l.slice(0, 990)).join('\r\n') + '\r\n';
}

function humanPart(input: DsnInput): string {
  const lines = [
    `This is the mail relay at ${input.relayName}.`,
    '',
    'Your message could not be delivered to the recipients below. This is a permanent',
    'failure: the relay will not try again.',
    '',
    ...input.failures.flatMap((f) => [
      `  <${f.address}>:`,
      `    ${f.expired ? 'delivery time expired; last reply: ' : ''}${f.reply}`.slice(0, 900),
    ]),
    '',
    `Queue id: ${input.queueId}`,
  ];
  return lines.join('\r\n') + '\r\n';
}

const nonAscii = (text: string): boolean => /\P{ASCII}/u.test(text);

/** RFC 6533 utf-8-addr-unitext: UTF-8 as it is, but "\\", "+", "=" and controls as \\x{HH}. */
function unitext(address: string): string {
  return address.replace(/[\\+=\p{Cc}]/gu, (c) => `\\x{${c.codePointAt(0)!.toString(16).toUpperCase()}}`);
}

function statusPart(input: DsnInput): string {
  const perMessage = field('Reporting-MTA', `dns; ${input.relayName}`) + field('Arrival-Date', rfc5322Date(input.arrivalDate));
  const perRecipient = input.failures.map(
    (f) =>
      // An internationalised address (SMTPUTF8) is of the utf-8 type, in RFC 6533's unitext form.
      field('Final-Recipient', nonAscii(f.address) ? `utf-8; ${unitext(f.address)}` : `rfc822; ${f.address}`) +
      'Action: failed\r\n' +
      `Status: ${statusOf(f)}\r\n` +
      field('Diagnostic-Code', `smtp; ${f.reply}`) +
      field('Last-Attempt-Date', rfc5322Date(input.now)),
  );
  return [perMessage, ...perRecipient].join('\r\n');
}

/**
 * An RFC 3464 delivery status notification (multipart/report; report-type=delivery-status)
 * naming the failed recipients and the upstream's reply, with the original header section.
 * Sent from the null sender, so it can never bounce back. When a failed address or a reply is
 * not ASCII (mail sent with SMTPUTF8), the report takes RFC 6533's global forms: UTF-8 text,
 * message/global-delivery-status and utf-8 addresses; 8-bit original headers go in
 * message/global-headers. The report's own header fields stay ASCII unless the sender's address
 * itself is internationalised.
 */
export function buildDsn(input: DsnInput): Buffer {
  const boundary = `mouthguard-dsn-${randomBytes(12).toString('hex')}`;
  const eightBitHeaders = input.originalHeaders.some((b) => b > 0x7e);
  const global = input.failures.some((f) => nonAscii(f.address) || nonAscii(f.reply));
  const eightBit = eightBitHeaders || global;
  const head =
    field('From', `Mail Delivery System <${input.from}>`) +
    field('To', `<${input.to}>`) +
    'Subject: Undelivered Mail Returned to Sender\r\n' +
    `Date: ${rfc5322Date(input.now)}\r\n` +
    `Message-ID: <${input.queueId}.${randomBytes(6).toString('hex')}@${input.relayName}>\r\n` +
    'Auto-Submitted: auto-replied\r\n' +
    'MIME-Version: 1.0\r\n' +
    `Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary="${boundary}"\r\n` +
    // A part in 8bit makes the whole multipart 8bit (RFC 2045 6.4).
    `Content-Transfer-Encoding: ${eightBit ? '8bit' : '7bit'}\r\n` +
    '\r\n' +
    'This is a MIME-encapsulated delivery status notification.\r\n';
  const text = global ? 'text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit' : 'text/plain; charset=us-ascii';
  const status = global ? 'message/global-delivery-status\r\nContent-Transfer-Encoding: 8bit' : 'message/delivery-status';
  const parts = [
    `--${boundary}\r\nContent-Type: ${text}\r\nContent-Description: Notification\r\n\r\n${humanPart(input)}`,
    `--${boundary}\r\nContent-Type: ${status}\r\nContent-Description: Delivery report\r\n\r\n${statusPart(input)}`,
    `--${boundary}\r\nContent-Type: ${eightBitHeaders ? 'message/global-headers' : 'text/rfc822-headers'}\r\n` +
      `Content-Description: Undelivered message headers\r\nContent-Transfer-Encoding: ${eightBitHeaders ? '8bit' : '7bit'}\r\n\r\n`,
  ];
  return Buffer.concat([
    Buffer.from(head + parts.join('\r\n')),
    input.originalHeaders,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
}
