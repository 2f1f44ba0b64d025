import { parseArgs } from 'node:util';
import { openStore } from '../store/open-store.js';
import { MESSAGE_STATES, type MessageState, type MessageSummary } from '../store/types.js';
import { configFrom, UsageError } from './common.js';

const USAGE = `usage:
  mouthguard queue list [--state queued|delivered|bounced|deleted] [--limit N] [--json]
  mouthguard queue show ID [--json]
  mouthguard queue retry ID      (deliver now)
  mouthguard queue delete ID     (drop a queued message; no bounce)`;

function line(m: MessageSummary): string {
  const when = new Date(m.receivedAt).toISOString();
  const rcpts = m.recipients.map((r) => `${r.address}(${r.status})`).join(' ');
  return `${m.id}  ${m.state.padEnd(9)} ${when}  ${String(m.size).padStart(9)}B  try ${m.attempts}  <${m.mailFrom}> -> ${rcpts}`;
}

function details(m: MessageSummary): string {
  const out = [
    `id:          ${m.id} (${m.kind})`,
    `state:       ${m.state}`,
    `received:    ${new Date(m.receivedAt).toISOString()}${m.client ? ` from [${m.client.address}] ${m.client.user ? `login ${m.client.user}` : 'trusted network'}` : ''}`,
    `size:        ${m.size} bytes`,
    `sender:      <${m.mailFrom}>`,
    `attempts:    ${m.attempts}`,
    `next try:    ${m.nextAttemptAt ? new Date(m.nextAttemptAt).toISOString() : '-'}`,
    `finished:    ${m.finishedAt ? new Date(m.finishedAt).toISOString() : '-'}`,
    `last error:  ${m.lastError ?? '-'}`,
    'recipients:',
    ...m.recipients.map((r) => `  ${r.address}  ${r.status}${r.reply ? `  ${r.reply}` : ''}`),
  ];
  return out.join('\n');
}

export async function queueCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { config: { type: 'string' }, state: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } },
  });
  const [action, id] = positionals;
  const state = values.state as MessageState | undefined;
  if (state && !MESSAGE_STATES.includes(state)) throw new UsageError(`--state ${state}: expected one of ${MESSAGE_STATES.join(', ')}`);
  const { store } = await openStore(configFrom(values.config));
  try {
    switch (action) {
      case 'list': {
        const limit = Number(values.limit ?? 100);
        const messages = await store.listMessages({ state: state ?? 'queued', limit });
        console.log(values.json ? JSON.stringify(messages, null, 2) : messages.map(line).join('\n') || '(no messages)');
        return;
      }
      case 'show': {
        const m = id ? await store.getMessage(id) : null;
        if (!m) throw new UsageError(id ? `no message ${id}` : USAGE);
        console.log(values.json ? JSON.stringify(m, null, 2) : details(m));
        return;
      }
      case 'retry':
      case 'delete': {
        if (!id) throw new UsageError(USAGE);
        const done = action === 'retry' ? await store.retryNow(id, Date.now()) : await store.deleteMessage(id, Date.now());
        if (!done) throw new UsageError(`no queued message ${id}`);
        console.log(action === 'retry' ? `${id} is due now` : `${id} deleted`);
        return;
      }
      default:
        throw new UsageError(USAGE);
    }
  } finally {
    await store.close();
  }
}
