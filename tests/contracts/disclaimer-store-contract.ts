import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DisclaimerScope } from '../../src/core/disclaimer-scope.js';
import type { DisclaimerStore, NewDisclaimerVersion, Store } from '../../src/store/types.js';

export interface OpenedStore {
  store: Store;
  cleanup(): Promise<void>;
  /** Closes the store and opens it again on the same data; the caller's cleanup still applies. */
  reopen(): Promise<Store>;
}

/**
 * Disclaimer versions, for every Store engine: append-only history per scope, per-scope version
 * numbers, the current text of each scope (removals hide a scope), and a revision number that
 * moves with every change so delivery can tell cheaply whether to reload.
 */
export function disclaimerStoreContract(name: string, open: () => Promise<OpenedStore>): void {
  describe(`${name} store: disclaimer versions contract`, () => {
    let opened: OpenedStore;
    let store: DisclaimerStore;
    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });
    afterEach(async () => {
      await opened.cleanup();
    });

    const T0 = 1_800_000_000_000;
    const DEFAULT: DisclaimerScope = { kind: 'default' };
    const DOMAIN: DisclaimerScope = { kind: 'domain', value: 'smile.example' };
    const SENDER: DisclaimerScope = { kind: 'sender', value: 'ann@smile.example' };

    function v(scope: DisclaimerScope, text: string, extra: Partial<NewDisclaimerVersion> = {}): NewDisclaimerVersion {
      return { scope, text, html: `<p>${text}</p>`, derived: 'html', author: 'cli:tester', note: null, createdAt: T0, ...extra };
    }

    it('starts empty, revision 0', async () => {
      expect(await store.currentDisclaimers()).toEqual([]);
      expect(await store.disclaimerHistory(null, 10)).toEqual([]);
      expect(await store.disclaimerRevision()).toBe(0);
      expect(await store.disclaimerVersion(1)).toBeNull();
    });

    it('returns what was saved, with a version number per scope', async () => {
      const a = await store.addDisclaimerVersion(v(DEFAULT, 'one', { note: 'first', derived: null }));
      expect(a).toMatchObject({ scope: DEFAULT, version: 1, text: 'one', html: '<p>one</p>', derived: null, note: 'first' });
      expect(a).toMatchObject({ author: 'cli:tester', createdAt: T0, rollbackOf: null, removed: false });
      const b = await store.addDisclaimerVersion(v(DOMAIN, 'dom'));
      const c = await store.addDisclaimerVersion(v(DEFAULT, 'two'));
      expect([b.version, c.version]).toEqual([1, 2]);
      expect(new Set([a.id, b.id, c.id]).size).toBe(3);
      expect(b.id).toBeGreaterThan(a.id);
      expect(c.id).toBeGreaterThan(b.id);
      expect(await store.disclaimerVersion(b.id)).toEqual(b);
    });

    it('history is newest first, for one scope or all, and honours the limit', async () => {
      await store.addDisclaimerVersion(v(DEFAULT, 'd1'));
      await store.addDisclaimerVersion(v(SENDER, 's1'));
      await store.addDisclaimerVersion(v(DEFAULT, 'd2'));
      await store.addDisclaimerVersion(v(DEFAULT, 'd3'));
      expect((await store.disclaimerHistory(DEFAULT, 10)).map((x) => x.text)).toEqual(['d3', 'd2', 'd1']);
      expect((await store.disclaimerHistory(SENDER, 10)).map((x) => x.text)).toEqual(['s1']);
      expect((await store.disclaimerHistory(DOMAIN, 10)).map((x) => x.text)).toEqual([]);
      expect((await store.disclaimerHistory(null, 10)).map((x) => x.text)).toEqual(['d3', 'd2', 's1', 'd1']);
      expect((await store.disclaimerHistory(null, 2)).map((x) => x.text)).toEqual(['d3', 'd2']);
    });

    it('current is the newest version of each scope; a removal hides its scope until a new save', async () => {
      await store.addDisclaimerVersion(v(DEFAULT, 'd1'));
      await store.addDisclaimerVersion(v(DEFAULT, 'd2'));
      await store.addDisclaimerVersion(v(DOMAIN, 'dom1'));
      await store.addDisclaimerVersion(v(SENDER, 's1'));
      const texts = async () => new Map((await store.currentDisclaimers()).map((x) => [x.scope.kind, x.text]));
      expect(await texts()).toEqual(new Map([['default', 'd2'], ['domain', 'dom1'], ['sender', 's1']]));

      const removal = await store.addDisclaimerVersion(v(DOMAIN, '', { html: '', derived: null, removed: true }));
      expect(removal).toMatchObject({ version: 2, removed: true });
      expect(await texts()).toEqual(new Map([['default', 'd2'], ['sender', 's1']]));

      await store.addDisclaimerVersion(v(DOMAIN, 'dom3'));
      expect(await texts()).toEqual(new Map([['default', 'd2'], ['domain', 'dom3'], ['sender', 's1']]));
    });

    it('keeps the version a rollback restores', async () => {
      const first = await store.addDisclaimerVersion(v(DEFAULT, 'good'));
      await store.addDisclaimerVersion(v(DEFAULT, 'bad'));
      const back = await store.addDisclaimerVersion(v(DEFAULT, 'good', { rollbackOf: first.id, note: 'undo' }));
      expect(back).toMatchObject({ version: 3, rollbackOf: first.id, text: 'good' });
      expect((await store.disclaimerVersion(back.id))?.rollbackOf).toBe(first.id);
      expect((await store.currentDisclaimers()).map((x) => x.id)).toEqual([back.id]);
    });

    it('the revision moves with every change, removals included', async () => {
      const seen = [await store.disclaimerRevision()];
      await store.addDisclaimerVersion(v(DEFAULT, 'a'));
      seen.push(await store.disclaimerRevision());
      await store.addDisclaimerVersion(v(SENDER, 'b'));
      seen.push(await store.disclaimerRevision());
      await store.addDisclaimerVersion(v(SENDER, '', { removed: true }));
      seen.push(await store.disclaimerRevision());
      for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThan(seen[i - 1]!);
    });

    it('keeps unusual text exactly (quotes, newlines, non-ASCII, {{fields}})', async () => {
      const text = `Dr O'Brien — "Smile" Ltd\n{{practice_name}}\t£ 😀\n`;
      const saved = await store.addDisclaimerVersion(v(DEFAULT, text, { html: `<p style="color:#333">${text}</p>` }));
      expect((await store.disclaimerVersion(saved.id))?.text).toBe(text);
      expect((await store.disclaimerVersion(saved.id))?.html).toBe(`<p style="color:#333">${text}</p>`);
    });

    it('reopening the store keeps every version, and numbering continues', async () => {
      const a = await store.addDisclaimerVersion(v(DEFAULT, 'd1', { note: 'kept' }));
      await store.addDisclaimerVersion(v(SENDER, 's1'));
      await store.addDisclaimerVersion(v(SENDER, '', { removed: true, rollbackOf: a.id }));
      const before = { history: await store.disclaimerHistory(null, 10), revision: await store.disclaimerRevision() };
      store = await opened.reopen();
      expect(await store.disclaimerHistory(null, 10)).toEqual(before.history);
      expect(await store.disclaimerRevision()).toBe(before.revision);
      expect((await store.currentDisclaimers()).map((x) => x.text)).toEqual(['d1']);
      expect((await store.addDisclaimerVersion(v(DEFAULT, 'd2'))).version).toBe(2);
    });
  });
}
