import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCli } from '../helpers/relay-process.js';
import { PRACTICE_DOMAIN, tempDir } from '../helpers/test-config.js';

/**
 * `mouthguard disclaimer show|set|history|rollback|remove` through the built CLI (npm run build
 * first), each test against a fresh data directory; every command is a new process, so what
 * one saves another reads back from the store.
 */

interface VersionJson {
  id: number;
  scope: string;
  version: number;
  author: string;
  note: string | null;
  derived: 'text' | 'html' | null;
  rollbackOf: number | null;
  removed: boolean;
  marker?: string;
  text?: string;
  html?: string;
}

describe('mouthguard disclaimer', () => {
  let dir: string;
  let config: string;
  const c = () => ['--config', config];
  const file = (name: string, content: string | Buffer) => {
    writeFileSync(join(dir, name), content);
    return join(dir, name);
  };
  const cli = (...args: string[]) => runCli(['disclaimer', ...args, ...c()]);
  async function json(...args: string[]): Promise<VersionJson[]> {
    const result = await cli(...args, '--json');
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as VersionJson[];
  }

  beforeEach(() => {
    dir = tempDir('mouthguard-disclaimer-');
    config = join(dir, 'mouthguard.yaml');
    writeFileSync(
      config,
      stringify({
        practice: { name: 'Bright Smile', domains: [PRACTICE_DOMAIN, 'grin.test'], companyNumber: '01234567' },
        dataDir: join(dir, 'data'),
        upstream: { type: 'capture' },
        disclaimers: { groups: { reception: ['front@practice.test', '@desk.practice.test'] } },
      }),
    );
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts with no texts and says how to set one', async () => {
    const result = await cli('show');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/no disclaimer texts: messages go out without one/);
    expect(await json('show')).toEqual([]);
  });

  it('sets the default from a text file (Windows line ends and BOM read), derives the HTML, shows it', async () => {
    const text = file('d.txt', '\ufeffConfidential. Sent by {{sender_name}}.\r\nCompany no. {{company_number}}\r\n');
    const set = await cli('set', '--text-file', text, '--note', 'first text', '--actor', 'manager');
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toBe('saved the default: version 1 (#1) (HTML derived from the text); it applies to messages delivered from now on\n');

    const [current, ...others] = await json('show');
    expect(others).toEqual([]);
    expect(current).toMatchObject({ id: 1, scope: 'default', version: 1, author: 'manager', note: 'first text', derived: 'html', rollbackOf: null, removed: false });
    expect(current!.text).toBe('Confidential. Sent by {{sender_name}}.\nCompany no. {{company_number}}');
    expect(current!.html).toBe('<p>Confidential. Sent by {{sender_name}}.<br />\nCompany no. {{company_number}}</p>');
    expect(current!.marker).toMatch(/^mg-[0-9a-f]{12}$/);

    const shown = await cli('show');
    expect(shown.stdout).toMatch(/^the default: version 1 \(#1\), \d{4}-\d\d-\d\dT[\d:]+Z by manager\nnote: first text\nHTML derived from the text; marker mg-/);
    expect(shown.stdout).toContain('--- text ---\nConfidential. Sent by {{sender_name}}.\nCompany no. {{company_number}}\n--- html ---\n');
  });

  it('the actor defaults to cli:<login>', async () => {
    await cli('set', '--text-file', file('d.txt', 'Hello'));
    const [v] = await json('show');
    expect(v!.author).toMatch(/^cli:.+/);
  });

  it('sets a group text from HTML alone: reports what sanitising removed and derives the text', async () => {
    const html = file('g.html', '<p onclick="steal()">From reception<br><img src="https://tracker.example/p.gif">{{sender_name}}</p><script>alert(1)</script>');
    const set = await cli('set', '--group', 'reception', '--html-file', html);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('removed from the HTML:\n  onclick on <p>: event handlers are not allowed\n');
    expect(set.stdout).toContain('  <img>: images and other embedded or remote resources are not allowed\n');
    expect(set.stdout).toContain('  <script>: scripts are not allowed\n');
    expect(set.stdout).toMatch(/saved group reception: version 1 \(#1\) \(text derived from the HTML\)/);
    const [v] = await json('show', '--group', 'reception');
    expect(v).toMatchObject({ scope: 'group:reception', derived: 'text', text: 'From reception\n{{sender_name}}', html: '<p>From reception<br />\n{{sender_name}}</p>' });
  });

  it('keeps both halves when both files are given', async () => {
    const set = await cli('set', '--domain', 'GRIN.test', '--text-file', file('t.txt', 'Plain {{practice_name}}'), '--html-file', file('h.html', '<p><b>Rich</b> {{practice_name}}</p>'));
    expect(set.code, set.stderr).toBe(0);
    expect(await json('show', '--domain', 'grin.test')).toMatchObject([{ scope: 'domain:grin.test', derived: null, text: 'Plain {{practice_name}}', html: '<p><b>Rich</b> {{practice_name}}</p>' }]);
  });

  it('refuses a text with problems: lists every one, exit 2, saves nothing', async () => {
    const bad = file('bad.txt', 'Content-Type: text/html\n\n--boundary\nHello {{senderName}}\nnul\u0000\n' + 'x'.repeat(1000));
    const result = await cli('set', '--text-file', bad);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^not saved: 5 problems\n/);
    expect(result.stderr).toContain('text, line 1: starts with lines that look like mail headers');
    expect(result.stderr).toContain('text, line 3: starts with "--"');
    expect(result.stderr).toContain('text, line 4: unknown field {{senderName}}; the fields are {{sender_name}}, {{sender_address}}');
    expect(result.stderr).toContain('text, line 5: NUL (U+0000) is not allowed');
    expect(result.stderr).toContain('text, line 6: 1000 octets long, more than the 998');
    expect(await json('history')).toEqual([]);
  });

  it('refuses a group not in the config and a domain not among practice.domains, naming the key to fix', async () => {
    const text = file('t.txt', 'Hello');
    const group = await cli('set', '--group', 'surgery', '--text-file', text);
    expect(group.code).toBe(2);
    expect(group.stderr).toMatch(/group "surgery" is not defined \(defined: reception\): add it under disclaimers\.groups in the config/);
    const domain = await cli('set', '--domain', 'elsewhere.test', '--text-file', text);
    expect(domain.code).toBe(2);
    expect(domain.stderr).toMatch(/domain elsewhere\.test is not one of the practice's domains \(practice\.test, grin\.test\): add it to practice\.domains/);
    const both = await cli('set', '--domain', 'grin.test', '--sender', 'a@practice.test', '--text-file', text);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/give one of --domain, --group and --sender, not --domain and --sender/);
    const none = await cli('set');
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/give --text-file, --html-file or both/);
    const notUtf8 = await cli('set', '--text-file', file('latin1.txt', Buffer.from([0x43, 0x61, 0x66, 0xe9])));
    expect(notUtf8.code).toBe(2);
    expect(notUtf8.stderr).toMatch(/not UTF-8 text/);
    expect(await json('history')).toEqual([]);
  });

  it('history lists every change newest first, per scope or all; an unchanged text is not saved again', async () => {
    await cli('set', '--text-file', file('1.txt', 'One'), '--note', 'first');
    await cli('set', '--sender', 'Ann@Practice.test', '--text-file', file('a.txt', 'Ann'));
    await cli('set', '--text-file', file('2.txt', 'Two'));
    const again = await cli('set', '--text-file', file('2b.txt', 'Two\n'));
    expect(again.stdout).toMatch(/unchanged: the default already has this text \(version 2, #3\); nothing saved/);

    expect((await json('history')).map((v) => [v.id, v.scope, v.version])).toEqual([
      [3, 'default', 2],
      [2, 'sender:ann@practice.test', 1],
      [1, 'default', 1],
    ]);
    expect((await json('history', '--sender', 'ann@practice.test')).map((v) => v.id)).toEqual([2]);
    const lines = (await cli('history')).stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(/^#1 {2}default {2}v1 {2}\S+ {2}cli:\S+ {2}set: first$/);
    expect((await cli('history', '--limit', '1')).stdout.trim().split('\n')).toHaveLength(1);
  });

  it('rollback saves a copy of an earlier version as the newest, recording which', async () => {
    await cli('set', '--text-file', file('1.txt', 'Good'));
    await cli('set', '--text-file', file('2.txt', 'Bad'));
    const back = await cli('rollback', '1', '--actor', 'manager');
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toMatch(/restored #1 as the default version 3 \(#3\)/);
    expect(await json('show')).toMatchObject([{ id: 3, version: 3, text: 'Good', rollbackOf: 1, author: 'manager', note: 'rollback to version 1' }]);
    expect((await cli('history')).stdout).toMatch(/^#3 {2}default {2}v3 .* rollback to #1: rollback to version 1$/m);

    expect((await cli('rollback', '99')).stderr).toMatch(/no disclaimer version #99/);
    expect((await cli('rollback')).code).toBe(2);
  });

  it('remove takes a scope back to the less specific text; the default cannot be removed', async () => {
    await cli('set', '--text-file', file('d.txt', 'Default'));
    await cli('set', '--sender', 'ann@practice.test', '--text-file', file('a.txt', 'Ann only'));
    expect((await cli('show', '--sender', 'ann@practice.test')).stdout).toContain('Ann only');

    const removed = await cli('remove', '--sender', 'ann@practice.test', '--note', 'left the practice');
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toMatch(/removed the text of sender ann@practice\.test \(version 2, #3\)/);
    expect((await json('show')).map((v) => v.scope)).toEqual(['default']);
    const show = await cli('show', '--sender', 'ann@practice.test');
    expect(show.stdout).toBe('no text for sender ann@practice.test\nmail from ann@practice.test gets the text of the default (#1)\n');
    expect((await json('history', '--sender', 'ann@practice.test'))[0]).toMatchObject({ removed: true, note: 'left the practice', version: 2 });

    expect((await cli('remove', '--sender', 'ann@practice.test')).stdout).toMatch(/has no text; nothing removed/);
    const noDefault = await cli('remove');
    expect(noDefault.code).toBe(2);
    expect(noDefault.stderr).toMatch(/the default cannot be removed/);
  });

  it('show --sender names the group or domain text a sender gets', async () => {
    await cli('set', '--group', 'reception', '--text-file', file('r.txt', 'Reception'));
    await cli('set', '--domain', 'grin.test', '--text-file', file('g.txt', 'Grin'));
    expect((await cli('show', '--sender', 'x@desk.practice.test')).stdout).toMatch(/gets the text of group reception \(#1\)/);
    expect((await cli('show', '--sender', 'y@grin.test')).stdout).toMatch(/gets the text of domain grin\.test \(#2\)/);
    expect((await cli('show', '--sender', 'z@practice.test')).stdout).toMatch(/goes out without a disclaimer/);
  });

  it('unknown subcommands and options print the usage with exit 2, listing preview and apply', async () => {
    const result = await cli('frobnicate');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/mouthguard disclaimer preview \[SCOPE\]/);
    expect(result.stderr).toMatch(/mouthguard disclaimer apply FILE\.eml/);
    expect((await cli('show', '--colour')).code).toBe(2);
    const help = await runCli(['help']);
    expect(help.stdout).toMatch(/disclaimer show\|set\|history\|rollback\|remove\|preview\|apply/);
  });

  describe('preview and apply', () => {
    const GOLDEN_INPUTS = join(import.meta.dirname, '../golden/disclaimers/inputs');

    it('previews a draft in the sample reply, above the quoted message, without saving it', async () => {
      const draft = file('draft.txt', 'Bright Smile, company no. {{company_number}}.\nPlease tell {{sender_name}} if this reached you in error.\n');
      const result = await cli('preview', '--text-file', draft);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('Sarah Patel\n\n-- \nBright Smile, company no. 01234567.\nPlease tell Sarah Patel if this reached you in error.\n\nOn Mon, 23 Nov 2026');
      expect(result.stdout).toMatch(/===== HTML =====[\s\S]*<div data-mouthguard-disclaimer="mg-[0-9a-f]{12}"[\s\S]*<div class="gmail_quote">/);
      expect((await json('history')).length).toBe(0);
    });

    it('refuses a draft that could not be saved, saying why', async () => {
      const result = await cli('preview', '--text-file', file('bad.txt', 'Hello {{patient_name}}\n'));
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('patient_name');
    });

    it('applies the saved text for the sender of each message, to stdout or into a directory', async () => {
      expect((await cli('set', '--text-file', file('t.txt', 'Bright Smile Dental: confidential.\n'))).code).toBe(0);
      const one = await cli('apply', join(GOLDEN_INPUTS, 'gmail-reply.eml'));
      expect(one.code, one.stderr).toBe(0);
      expect(one.stdout).toContain('Sarah\n\n-- \nBright Smile Dental: confidential.\n\nOn Mon, 23 Nov 2026'.replace(/\n/g, '\r\n'));
      expect(one.stderr).toContain('disclaimer added to 2 part(s)');

      const out = join(dir, 'out');
      const many = await cli('apply', '--out-dir', out, join(GOLDEN_INPUTS, 'apple-reply.eml'), join(GOLDEN_INPUTS, 'outlook-reply.eml'));
      expect(many.code, many.stderr).toBe(0);
      expect(readFileSync(join(out, 'apple-reply.eml'), 'latin1')).toContain('data-mouthguard-disclaimer');
      expect(readFileSync(join(out, 'outlook-reply.eml'), 'latin1')).toContain('Bright Smile Dental: confidential.');
      expect((await cli('apply', join(GOLDEN_INPUTS, 'apple-reply.eml'), join(GOLDEN_INPUTS, 'gmail-reply.eml'))).code).toBe(2);
    });
  });
});
