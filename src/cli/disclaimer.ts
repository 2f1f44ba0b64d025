import { readFileSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import type { Config } from '../config/schema.js';
import { scopeKey, type DisclaimerScope } from '../core/disclaimer-scope.js';
import { chooseDisclaimer } from '../disclaimers/choose.js';
import { prepareDisclaimer } from '../disclaimers/validate.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/types.js';
import { historyLine, scopeLabel, versionDetails, versionJson } from './disclaimer-format.js';
import { UsageError } from './common.js';
import { configFrom } from './config-from.js';
import { applyCommand, previewCommand } from './disclaimer-render.js';

const USAGE = `usage:
  mouthguard disclaimer show [SCOPE] [--json]        the current text (of one scope, or of every scope)
  mouthguard disclaimer set [SCOPE] --text-file F [--html-file F] [--note TEXT]
                                                     save a new version (one of the files may be left out:
                                                     the other half is derived from it)
  mouthguard disclaimer history [SCOPE] [--json] [--limit N]
  mouthguard disclaimer rollback VERSION_ID [--note TEXT]   save a copy of an earlier version as the newest
  mouthguard disclaimer remove SCOPE [--note TEXT]   a sender, group or domain goes back to the less specific text
  mouthguard disclaimer preview [SCOPE] [--text-file F] [--html-file F] [FILE.eml] [--raw]
                                                     a sample reply (or FILE) as it would leave: its text and
                                                     HTML with the scope's saved text, or with an unsaved draft
  mouthguard disclaimer apply FILE.eml [--out-dir DIR FILE.eml...]
                                                     rewrite saved messages as delivery would (stdout, or into DIR)
SCOPE is one of --domain D (one of practice.domains), --group G (one of disclaimers.groups) or
--sender ADDR; without one, the default, used for every sender with no more specific text.
Templates may use {{sender_name}}, {{sender_address}}, {{practice_name}}, {{practice_address}},
{{practice_owner}}, {{company_number}} and {{date}}; a line whose field is empty is left out.
A change applies to messages delivered after it. All take --actor NAME (default cli:<your login>)
and --config FILE.`;

/** A disclaimer file is a few kilobytes; this only stops a wrong file being read whole. */
const MAX_FILE_BYTES = 1024 * 1024;
const HISTORY_LIMIT = 50;

const OPTIONS = {
  config: { type: 'string' },
  json: { type: 'boolean' },
  domain: { type: 'string' },
  group: { type: 'string' },
  sender: { type: 'string' },
  'text-file': { type: 'string' },
  'html-file': { type: 'string' },
  note: { type: 'string' },
  actor: { type: 'string' },
  limit: { type: 'string' },
  'out-dir': { type: 'string' },
  raw: { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parse>['values'];

function parse(args: string[]) {
  try {
    return parseArgs({ args, allowPositionals: true, options: OPTIONS });
  } catch (err) {
    throw new UsageError(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
  }
}

export async function disclaimerCommand(args: string[]): Promise<void> {
  const { values, positionals } = parse(args);
  const [action, ...rest] = positionals;
  switch (action) {
    case 'show':
    case 'set':
    case 'history':
    case 'rollback':
    case 'remove':
      return withStore(values, (store, config) => run(action, store, config, values, rest));
    case 'apply':
      return withStore(values, (store, config) => applyCommand(store, config, rest, values['out-dir']));
    case 'preview':
      return withStore(values, (store, config) =>
        previewCommand(store, config, {
          scope: scopeFrom(values, config, false),
          draft:
            values['text-file'] === undefined && values['html-file'] === undefined
              ? null
              : { text: values['text-file'] === undefined ? null : readTemplateFile(values['text-file']), html: values['html-file'] === undefined ? null : readTemplateFile(values['html-file']) },
          file: rest[0],
          raw: values.raw === true,
        }),
      );
    default:
      throw new UsageError(USAGE);
  }
}

async function withStore(values: Values, job: (store: Store, config: Readonly<Config>) => Promise<void>): Promise<void> {
  const config = configFrom(values.config);
  const { store } = await openStore(config);
  try {
    await job(store, config);
  } finally {
    await store.close();
  }
}

function run(action: 'show' | 'set' | 'history' | 'rollback' | 'remove', store: Store, config: Readonly<Config>, values: Values, rest: string[]): Promise<void> {
  const actor = values.actor ?? `cli:${userInfo().username}`;
  switch (action) {
    case 'show':
      return show(store, config, scopeFrom(values, config, false), values.json === true);
    case 'set':
      return set(store, scopeFrom(values, config, true) ?? { kind: 'default' }, values, actor);
    case 'history':
      return history(store, scopeFrom(values, config, false), values);
    case 'rollback':
      return rollback(store, rest[0], values.note ?? null, actor);
    case 'remove':
      return remove(store, scopeFrom(values, config, false), values.note ?? null, actor);
  }
}

/**
 * The scope the flags name, or null for none. `strict` (when saving): a group must be defined
 * in the config and a domain must be one of the practice's, else the text could never apply.
 */
export function scopeFrom(values: Pick<Values, 'domain' | 'group' | 'sender'>, config: Readonly<Config>, strict: boolean): DisclaimerScope | null {
  const given = (['domain', 'group', 'sender'] as const).filter((k) => values[k] !== undefined);
  if (given.length > 1) throw new UsageError(`give one of --domain, --group and --sender, not ${given.map((k) => `--${k}`).join(' and ')}`);
  if (values.domain !== undefined) {
    const domain = values.domain.trim().toLowerCase();
    if (strict && !config.practice.domains.includes(domain)) {
      throw new UsageError(`domain ${domain} is not one of the practice's domains (${config.practice.domains.join(', ')}): add it to practice.domains in the config first`);
    }
    return { kind: 'domain', value: domain };
  }
  if (values.group !== undefined) {
    const defined = Object.keys(config.disclaimers.groups);
    if (strict && !defined.includes(values.group)) {
      throw new UsageError(`group "${values.group}" is not defined (${defined.length ? `defined: ${defined.join(', ')}` : 'none are'}): add it under disclaimers.groups in the config first`);
    }
    return { kind: 'group', value: values.group };
  }
  if (values.sender !== undefined) {
    const sender = values.sender.trim().toLowerCase();
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(sender)) throw new UsageError(`--sender ${values.sender}: expected an address such as ann@example.org`);
    return { kind: 'sender', value: sender };
  }
  return null;
}

async function show(store: Store, config: Readonly<Config>, scope: DisclaimerScope | null, json: boolean): Promise<void> {
  const current = await store.currentDisclaimers();
  const shown = scope ? current.filter((v) => scopeKey(v.scope) === scopeKey(scope)) : current;
  if (json) {
    console.log(JSON.stringify(shown.map(versionJson), null, 2));
    return;
  }
  if (shown.length > 0) {
    console.log(shown.map(versionDetails).join('\n\n'));
    return;
  }
  if (!scope) {
    console.log('no disclaimer texts: messages go out without one. Set the default with: mouthguard disclaimer set --text-file FILE');
    return;
  }
  console.log(`no text for ${scopeLabel(scope)}`);
  if (scope.kind === 'sender') {
    const applies = chooseDisclaimer(current, scope.value, { groups: config.disclaimers.groups, practiceDomains: config.practice.domains });
    console.log(applies ? `mail from ${scope.value} gets the text of ${scopeLabel(applies.scope)} (#${applies.id})` : `mail from ${scope.value} goes out without a disclaimer`);
  }
}

export function readTemplateFile(file: string): string {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw new UsageError(`${file}: no such file`);
  }
  if (size > MAX_FILE_BYTES) throw new UsageError(`${file}: larger than 1 MiB; is it the disclaimer?`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(file));
  } catch {
    throw new UsageError(`${file}: not UTF-8 text; save it as UTF-8 and try again`);
  }
}

async function set(store: Store, scope: DisclaimerScope, values: Values, actor: string): Promise<void> {
  const textFile = values['text-file'];
  const htmlFile = values['html-file'];
  if (textFile === undefined && htmlFile === undefined) throw new UsageError(`give --text-file, --html-file or both\n\n${USAGE}`);
  const prepared = prepareDisclaimer({
    text: textFile === undefined ? null : readTemplateFile(textFile),
    html: htmlFile === undefined ? null : readTemplateFile(htmlFile),
  });
  if (prepared.removed.length > 0) {
    console.log('removed from the HTML:');
    for (const line of prepared.removed) console.log(`  ${line}`);
  }
  if (!prepared.ok) {
    console.error(`not saved: ${prepared.problems.length} problem${prepared.problems.length === 1 ? '' : 's'}`);
    for (const problem of prepared.problems) console.error(`  ${problem}`);
    process.exitCode = 2;
    return;
  }
  const [latest] = await store.disclaimerHistory(scope, 1);
  if (latest && !latest.removed && latest.text === prepared.text && latest.html === prepared.html) {
    console.log(`unchanged: ${scopeLabel(scope)} already has this text (version ${latest.version}, #${latest.id}); nothing saved`);
    return;
  }
  const saved = await store.addDisclaimerVersion({
    scope,
    text: prepared.text,
    html: prepared.html,
    derived: prepared.derived,
    author: actor,
    note: values.note ?? null,
    createdAt: Date.now(),
  });
  const derived = saved.derived === 'html' ? ' (HTML derived from the text)' : saved.derived === 'text' ? ' (text derived from the HTML)' : '';
  console.log(`saved ${scopeLabel(scope)}: version ${saved.version} (#${saved.id})${derived}; it applies to messages delivered from now on`);
}

async function history(store: Store, scope: DisclaimerScope | null, values: Values): Promise<void> {
  const limit = values.limit === undefined ? HISTORY_LIMIT : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit ${values.limit}: expected a whole number above 0`);
  const versions = await store.disclaimerHistory(scope, limit);
  if (values.json) console.log(JSON.stringify(versions.map(versionJson), null, 2));
  else console.log(versions.map(historyLine).join('\n') || `no versions${scope ? ` for ${scopeLabel(scope)}` : ''}`);
}

async function rollback(store: Store, idArg: string | undefined, note: string | null, actor: string): Promise<void> {
  const id = Number(idArg);
  if (!idArg || !Number.isInteger(id) || id < 1) throw new UsageError(`give the #id of the version to restore (see: mouthguard disclaimer history)\n\n${USAGE}`);
  const old = await store.disclaimerVersion(id);
  if (!old) throw new UsageError(`no disclaimer version #${id}`);
  if (old.removed) throw new UsageError(`#${id} is a removal, not a text: to remove ${scopeLabel(old.scope)} again, use: mouthguard disclaimer remove`);
  const saved = await store.addDisclaimerVersion({
    scope: old.scope,
    text: old.text,
    html: old.html,
    derived: old.derived,
    author: actor,
    note: note ?? `rollback to version ${old.version}`,
    createdAt: Date.now(),
    rollbackOf: old.id,
  });
  console.log(`restored #${old.id} as ${scopeLabel(saved.scope)} version ${saved.version} (#${saved.id}); it applies to messages delivered from now on`);
}

async function remove(store: Store, scope: DisclaimerScope | null, note: string | null, actor: string): Promise<void> {
  if (!scope) throw new UsageError('the default cannot be removed, only replaced (mouthguard disclaimer set --text-file F); name a --domain, --group or --sender to remove');
  const [latest] = await store.disclaimerHistory(scope, 1);
  if (!latest || latest.removed) {
    console.log(`${scopeLabel(scope)} has no text; nothing removed`);
    return;
  }
  const saved = await store.addDisclaimerVersion({ scope, text: '', html: '', derived: null, author: actor, note, createdAt: Date.now(), removed: true });
  console.log(`removed the text of ${scopeLabel(scope)} (version ${saved.version}, #${saved.id}); the next less specific text applies to messages delivered from now on`);
}
