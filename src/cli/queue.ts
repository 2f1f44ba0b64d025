import { parseArgs } from 'node:util';
import { relayHoldingDataDir } from '../store/data-dir-lock.js';
import { openStore } from '../store/open-store.js';
import { MESSAGE_STATES, type MessageState, type MessageSummary } from '../store/types.js';
import { UsageError } from './common.js';
import { configFrom } from './config-from.js';

const USAGE = `usage:
  mouthguard queue list [--state ${MESSAGE_STATES.join('|')}] [--limit N] [--json]
  mouthguard queue show ID [--json]
  mouthguard queue retry ID      (deliver now)
  mouthguard queue delete ID     (drop a queued message; no bounce)`;

/** A recipient still pending in a message that will not be sent (deleted, rejected) reads "not sent". */
function recipientStatus(m: MessageSummary, status: string): string {
  return status === 'pending' && (m.state === 'deleted' || m.state === 'rejected') ? 'not sent' : status;
}

/** A queued message an attempt's lease still holds (by a running relay, or one that was killed). */
function leased(m: MessageSummary, now = Date.now()): boolean {
  return m.state === 'queued' && m.leasedUntil !== null && m.leasedUntil > now;
}

/** What the state line adds for a leased message: being delivered now, or left by a relay that stopped. */
function leaseNote(m: MessageSummary, relayRunning: boolean): string {
  if (!leased(m)) return '';
  return relayRunning
    ? ` (being delivered now; the attempt holds it until ${new Date(m.leasedUntil!).toISOString()} at most)`
    : ' (leased by a relay that is no longer running: released when one starts, or by queue retry)';
}

function line(m: MessageSummary, relayRunning: boolean): string {
  const when = new Date(m.receivedAt).toISOString();
  const rcpts = m.recipients.map((r) => `${r.address}(${recipientStatus(m, r.status)})`).join(' ');
  return `${m.id}  ${(leased(m) && relayRunning ? 'sending' : m.state).padEnd(9)} ${when}  ${String(m.size).padStart(9)}B  try ${m.attempts}  <${m.mailFrom}> -> ${rcpts}`;
}

function details(m: MessageSummary, relayRunning: boolean): string {
  const out = [
    `id:          ${m.id} (${m.kind})`,
    `state:       ${m.state}${leaseNote(m, relayRunning)}`,
    `received:    ${new Date(m.receivedAt).toISOString()}${m.client ? ` from [${m.client.address}] ${m.client.user ? `login ${m.client.user}` : 'trusted network'}` : ''}`,
    `size:        ${m.size} bytes`,
    `sender:      <${m.mailFrom}>`,
    `attempts:    ${m.attempts}`,
    `next try:    ${m.nextAttemptAt ? new Date(m.nextAttemptAt).toISOString() : '-'}`,
    `finished:    ${m.finishedAt ? new Date(m.finishedAt).toISOString() : '-'}`,
    `last error:  ${m.lastError ?? '-'}`,
    'recipients:',
    ...m.recipients.map((r) => `  ${r.address}  ${recipientStatus(m, r.status)}${r.reply ? `  ${r.reply}` : ''}`),
  ];
  return out.join('\n');
}

/** --limit: how many messages to list (default 100). */
function listLimit(value: string | undefined): number {
  if (value === undefined) return 100;
  const limit = Number(value);
  if (!/^\d+$/.test(value) || limit < 1 || limit > 100_000) throw new UsageError(`--limit ${value}: expected a whole number from 1 to 100000`);
  return limit;
}

export async function queueCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { config: { type: 'string' }, state: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } },
  });
  const [action, id, ...extra] = positionals;
  // Usage mistakes first: they need no configuration to explain.
  const needsId = action === 'show' || action === 'retry' || action === 'delete';
  if ((action !== 'list' && !needsId) || (needsId && !id) || (action === 'list' && id !== undefined) || extra.length > 0) throw new UsageError(USAGE);
  const state = values.state as MessageState | undefined;
  if (state && !MESSAGE_STATES.includes(state)) throw new UsageError(`--state ${state}: expected one of ${MESSAGE_STATES.join(', ')}`);
  const config = configFrom(values.config);
  const { store } = await openStore(config);
  /**
   * Runs an operator action; when a lease was in the way and no relay holds the data directory,
   * the lease was left by one that was killed: released (as the next start would) and run again.
   */
  const act = async <T extends string>(action: () => Promise<T>): Promise<T> => {
    const outcome = await action();
    if (outcome !== 'in-flight' || relayHoldingDataDir(config.dataDir) !== null) return outcome;
    return (await store.releaseAllLeases()) > 0 ? action() : outcome;
  };
  try {
    switch (action) {
      case 'list': {
        const limit = listLimit(values.limit);
        const messages = await store.listMessages({ state: state ?? 'queued', limit });
        const relayRunning = relayHoldingDataDir(config.dataDir) !== null;
        console.log(values.json ? JSON.stringify(messages, null, 2) : messages.map((m) => line(m, relayRunning)).join('\n') || '(no messages)');
        return;
      }
      case 'show': {
        const m = await store.getMessage(id!);
        if (!m) throw new UsageError(`no message ${id}`);
        console.log(values.json ? JSON.stringify(m, null, 2) : details(m, relayHoldingDataDir(config.dataDir) !== null));
        return;
      }
      case 'retry': {
        const outcome = await act(() => store.retryNow(id!, Date.now()));
        if (outcome === 'not-queued') throw new UsageError(`no queued message ${id}`);
        // Being delivered is what retry asks for: nothing to change, and no second copy.
        console.log(outcome === 'due' ? `${id} is due now` : `${id} is being delivered now; nothing changed`);
        return;
      }
      case 'delete': {
        const outcome = await act(() => store.deleteMessage(id!, Date.now()));
        if (outcome === 'not-queued') throw new UsageError(`no queued message ${id}`);
        if (outcome === 'in-flight') {
          throw new UsageError(`${id} is being delivered now and cannot be deleted; see \`mouthguard queue show ${id}\` once the attempt ends`);
        }
        console.log(`${id} deleted`);
        return;
      }
      default:
        throw new UsageError(USAGE);
    }
  } finally {
    await store.close();
  }
}
