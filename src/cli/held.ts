import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { relayNameOf } from '../config/relay-name.js';
import { releaseHeld, rejectHeld, viewHeld, type ReviewDeps } from '../pipeline/review.js';
import { noticeSettingsFrom } from '../pipeline/policy-notice.js';
import { openStore } from '../store/open-store.js';
import type { AuditEntry, HeldMessage } from '../store/types.js';
import { UsageError } from './common.js';
import { configFrom } from './config-from.js';

const USAGE = `usage:
  mouthguard held list [--json]
  mouthguard held show ID [--json] [--raw]     (the view is audited; --raw prints the message as received)
  mouthguard held release ID [--note TEXT]     (send it through normal delivery)
  mouthguard held reject ID --reason TEXT      (drop it and tell the sender)
All take --actor NAME (default cli:<your login>) and --config FILE.`;

function summaryLine(m: HeldMessage): string {
  const rules = m.hold.reasons.filter((r) => r.mode === 'enforce').map((r) => r.rule);
  return `${m.id}  ${new Date(m.receivedAt).toISOString()}  <${m.mailFrom}> -> ${m.recipients.length} rcpt  ${rules.join(',')}`;
}

function details(m: HeldMessage, audit: AuditEntry[]): string {
  return [
    `id:          ${m.id}`,
    `received:    ${new Date(m.receivedAt).toISOString()}${m.client ? ` from [${m.client.address}] ${m.client.user ? `login ${m.client.user}` : 'trusted network'}` : ''}`,
    `sender:      <${m.mailFrom}>`,
    `recipients:  ${m.recipients.map((r) => r.address).join(', ')}`,
    `size:        ${m.size} bytes`,
    'reasons:',
    ...m.hold.reasons.map((r) => `  ${r.rule} (${r.action}${r.mode === 'monitor' ? ', monitor only' : ''}): ${r.explanation}`),
    `chain:       ${m.hold.chain.earlierRecipients} earlier recipients, ${m.hold.chain.earlierExternalRecipients} external; ${m.hold.chain.visibleExternalRecipients} external in To/Cc`,
    'findings:',
    ...(m.hold.findings.length
      ? m.hold.findings.map((f) => `  ${f.kind.padEnd(16)} ${JSON.stringify(f.value)}  conf ${f.confidence.toFixed(2)}  at ${f.location}${f.offset >= 0 ? `:${f.offset}` : ''}  (${f.why})`)
      : ['  (none)']),
    'audit:',
    ...audit.map((a) => `  ${new Date(a.at).toISOString()}  ${a.actor}  ${a.action}${a.note ? `: ${a.note}` : ''}`),
  ].join('\n');
}

export async function heldCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      json: { type: 'boolean' },
      raw: { type: 'boolean' },
      note: { type: 'string' },
      reason: { type: 'string' },
      actor: { type: 'string' },
      limit: { type: 'string' },
    },
  });
  const [action, id] = positionals;
  const config = configFrom(values.config);
  const actor = values.actor ?? `cli:${userInfo().username}`;
  const { store } = await openStore(config);
  const deps: ReviewDeps = { store, notices: noticeSettingsFrom(config, relayNameOf(config)) };
  try {
    switch (action) {
      case 'list': {
        const held = await store.listHeld(Number(values.limit ?? 500));
        console.log(values.json ? JSON.stringify(held.map(({ hold: _hold, ...m }) => m), null, 2) : held.map(summaryLine).join('\n') || '(nothing held)');
        return;
      }
      case 'show': {
        if (!id) throw new UsageError(USAGE);
        const held = await viewHeld(deps, id, actor);
        if (!held) throw new UsageError(`no held message ${id}`);
        if (values.raw) {
          const body = await store.openBody(id);
          for await (const chunk of body as AsyncIterable<Buffer>) process.stdout.write(chunk);
          return;
        }
        const audit = await store.auditTrail(id);
        console.log(values.json ? JSON.stringify({ ...held, audit }, null, 2) : details(held, audit));
        return;
      }
      case 'release': {
        if (!id) throw new UsageError(USAGE);
        if (!(await releaseHeld(deps, id, actor, values.note ?? null))) throw new UsageError(`no held message ${id}`);
        console.log(`${id} released: it will be delivered now`);
        return;
      }
      case 'reject': {
        if (!id || !values.reason) throw new UsageError(`held reject needs an ID and --reason TEXT\n${USAGE}`);
        if (!(await rejectHeld(deps, id, actor, values.reason))) throw new UsageError(`no held message ${id}`);
        console.log(`${id} rejected; the sender has been notified`);
        return;
      }
      default:
        throw new UsageError(USAGE);
    }
  } finally {
    await store.close();
  }
}
