import { AccountExistsError, type Account } from '../types.js';
import { toAccount, type AccountRow } from './rows.js';
import type { StatementCache } from './statement-cache.js';

/** The `accounts` table (migration 1): submission logins with their scrypt hashes and allowed senders. */
export class AccountQueries {
  constructor(private readonly statements: StatementCache) {}

  add(account: Omit<Account, 'createdAt'>): void {
    const now = Date.now();
    try {
      this.statements
        .get('INSERT INTO accounts (name, password_hash, allowed_senders_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?)')
        .run(account.name, account.passwordHash, JSON.stringify(account.allowedSenders), now, now);
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new AccountExistsError(account.name);
      throw err;
    }
  }

  get(name: string): Account | null {
    const row = this.statements.get('SELECT * FROM accounts WHERE name = ?').get(name) as AccountRow | undefined;
    return row ? toAccount(row) : null;
  }

  list(): Account[] {
    return (this.statements.get('SELECT * FROM accounts ORDER BY name').all() as AccountRow[]).map(toAccount);
  }

  remove(name: string): boolean {
    return this.statements.get('DELETE FROM accounts WHERE name = ?').run(name).changes === 1;
  }

  setPassword(name: string, passwordHash: string): boolean {
    return this.statements.get('UPDATE accounts SET password_hash = ?, updated_at = ? WHERE name = ?').run(passwordHash, Date.now(), name).changes === 1;
  }
}
