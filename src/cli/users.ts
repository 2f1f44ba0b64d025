import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { hashPassword } from '../accounts/passwords.js';
import { normaliseSenderRule } from '../accounts/sender-rules.js';
import { openStore } from '../store/open-store.js';
import { AccountExistsError } from '../store/types.js';
import { readStdin, UsageError } from './common.js';
import { configFrom } from './config-from.js';

const USAGE = `usage:
  mouthguard users add NAME [--password-stdin | --generate-password] [--sender ADDR|@DOMAIN ...]
  mouthguard users passwd NAME [--password-stdin | --generate-password]
  mouthguard users list
  mouthguard users remove NAME
Accounts with no --sender may send as any address in practice.domains.`;

/** What a login name may be: what mail clients send in AUTH, and what `users list` can print. */
const ACCOUNT_NAME = /^[A-Za-z0-9._@+'-]{1,128}$/;

async function passwordFrom(values: { 'password-stdin'?: boolean; 'generate-password'?: boolean }): Promise<{ password: string; generated: boolean }> {
  if (values['generate-password'] && values['password-stdin']) throw new UsageError('give --password-stdin or --generate-password, not both\n' + USAGE);
  if (values['generate-password']) return { password: randomBytes(18).toString('base64url'), generated: true };
  if (!values['password-stdin']) throw new UsageError('give --password-stdin (reads one line) or --generate-password\n' + USAGE);
  const [password = '', ...rest] = (await readStdin()).split(/\r?\n/);
  // One line: a second one would otherwise become part of the password without anyone noticing.
  if (rest.some((line) => line !== '')) throw new UsageError('--password-stdin reads one line; the input has more than one');
  if (password.length < 10) throw new UsageError('the password must be at least 10 characters');
  return { password, generated: false };
}

export async function usersCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      'generate-password': { type: 'boolean' },
      sender: { type: 'string', multiple: true },
    },
  });
  const [action, name] = positionals;
  const config = configFrom(values.config);
  const { store } = await openStore(config);
  try {
    switch (action) {
      case 'add': {
        if (!name) throw new UsageError(USAGE);
        if (!ACCOUNT_NAME.test(name)) {
          throw new UsageError(`account name ${JSON.stringify(name)}: use 1 to 128 letters, digits and . _ @ + ' - (an address works), no spaces`);
        }
        const senders = (values.sender ?? []).map((s) => {
          const rule = normaliseSenderRule(s);
          if (!rule) throw new UsageError(`--sender ${s}: expected an address (alice@example.org) or a domain (@example.org)`);
          return rule;
        });
        const { password, generated } = await passwordFrom(values);
        await store
          .addAccount({ name, passwordHash: await hashPassword(password), allowedSenders: senders })
          .catch((err: unknown) => {
            throw err instanceof AccountExistsError ? new UsageError(`${err.message}: use "users passwd ${name}" to change its password`) : err;
          });
        console.log(`added ${name}${generated ? `; password: ${password}` : ''}`);
        return;
      }
      case 'passwd': {
        if (!name) throw new UsageError(USAGE);
        const { password, generated } = await passwordFrom(values);
        if (!(await store.setPassword(name, await hashPassword(password)))) throw new UsageError(`no account named ${name}`);
        console.log(`password changed for ${name}${generated ? `; password: ${password}` : ''}`);
        return;
      }
      case 'list': {
        const accounts = await store.listAccounts();
        if (accounts.length === 0) console.log('(no accounts: add one with "mouthguard users add NAME --password-stdin")');
        for (const a of accounts) {
          const senders = a.allowedSenders.length ? a.allowedSenders.join(', ') : `(practice domains: ${config.practice.domains.join(', ')})`;
          console.log(`${a.name}\t${senders}\tcreated ${new Date(a.createdAt).toISOString()}`);
        }
        return;
      }
      case 'remove': {
        if (!name) throw new UsageError(USAGE);
        if (!(await store.removeAccount(name))) throw new UsageError(`no account named ${name}`);
        console.log(`removed ${name}`);
        return;
      }
      default:
        throw new UsageError(USAGE);
    }
  } finally {
    await store.close();
  }
}
