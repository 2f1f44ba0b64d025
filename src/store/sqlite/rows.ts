import type { ClientInfo } from '../../core/envelope.js';
import type { Account, AuditEntry, HeldMessage, HoldDetails, MessageKind, MessageState, MessageSummary, RecipientRecord, RecipientStatus } from '../types.js';

export interface MessageRow {
  id: string;
  kind: string;
  state: string;
  mail_from: string;
  client_json: string | null;
  size: number;
  trace_header: string;
  received_at: number;
  next_attempt_at: number | null;
  attempts: number;
  lease_owner: string | null;
  lease_until: number | null;
  last_error: string | null;
  finished_at: number | null;
  hold_json: string | null;
}

export interface AuditRow {
  message_id: string;
  at: number;
  actor: string;
  action: string;
  note: string | null;
}

export interface RecipientRow {
  message_id: string;
  idx: number;
  address: string;
  status: string;
  reply: string | null;
}

export interface AccountRow {
  name: string;
  password_hash: string;
  allowed_senders_json: string;
  created_at: number;
}

export function toRecipient(row: RecipientRow): RecipientRecord {
  return { address: row.address, status: row.status as RecipientStatus, reply: row.reply };
}

export function toSummary(row: MessageRow, recipients: RecipientRecord[]): MessageSummary {
  return {
    id: row.id,
    kind: row.kind as MessageKind,
    state: row.state as MessageState,
    mailFrom: row.mail_from,
    recipients,
    size: row.size,
    receivedAt: row.received_at,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    finishedAt: row.finished_at,
    client: row.client_json ? (JSON.parse(row.client_json) as ClientInfo) : null,
    leasedUntil: row.lease_until,
  };
}

export function toAccount(row: AccountRow): Account {
  return {
    name: row.name,
    passwordHash: row.password_hash,
    allowedSenders: JSON.parse(row.allowed_senders_json) as string[],
    createdAt: row.created_at,
  };
}

export function toHeld(row: MessageRow, recipients: RecipientRecord[]): HeldMessage {
  const hold = row.hold_json ? (JSON.parse(row.hold_json) as HoldDetails) : { reasons: [], findings: [], chain: { earlierRecipients: 0, earlierExternalRecipients: 0, visibleExternalRecipients: 0 } };
  return { ...toSummary(row, recipients), hold };
}

export function toAudit(row: AuditRow): AuditEntry {
  return { messageId: row.message_id, at: row.at, actor: row.actor, action: row.action as AuditEntry['action'], note: row.note };
}
