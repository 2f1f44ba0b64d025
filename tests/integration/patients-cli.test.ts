import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { filesUnder } from '../helpers/data-dir.js';
import { RecordingUpstream } from '../helpers/recording-upstream.js';
import { runCli, startRelayProcess, type RelayProcess, stopRelayProcess } from '../helpers/relay-process.js';
import { SmtpTalk } from '../helpers/smtp-talk.js';
import { PRACTICE_DOMAIN, rawTestConfig, tempDir } from '../helpers/test-config.js';

/**
 * `mouthguard patients import|status|clear` through the built CLI, the store's raw bytes (no
 * plaintext), `scan` with the imported list, and a running relay picking up a new import.
 */

interface ScanLine {
  verdict: string;
  findings: { kind: string; value: string; confidence: number; location: string }[];
}

/** An export as practice systems write it: BOM, CRLF, semicolons, quoted fields with delimiters. */
const EXPORT =
  '\ufeff' +
  [
    '"Patient ID";"Title";"Forename";"Surname";"Date of Birth";"NHS Number";"Address"',
    '1001;Mrs;Jane;Smith;12/03/1967;943 476 5919;"1 Market Street; Leeds"',
    '1002;Mr;Gareth;"Lloyd Jones";01/07/1980;;"Flat 2, ""The Mews"", York"',
    '1003;Mr;Tom;Brown;;;',
    '1004;Ms;Priya;Patel;31/02/1990;401 023 2137;',
    '',
  ].join('\r\n');

/** Everything from the file that must never be stored, printed or logged, in any form. */
const PLAINTEXT = [
  'Jane', 'jane', 'JANE', 'Smith', 'smith', 'Gareth', 'gareth', 'Lloyd', 'lloydjones', 'Brown', 'Priya', 'Patel', 'patel',
  '943 476 5919', '9434765919', '4010232137', '401 023 2137', '12/03/1967', '1967-03-12', '1980-07-01', '01/07/1980',
  'Market Street', 'The Mews', 'name_dob', 'number:',
];

function expectNoPlaintext(bytes: Buffer, what: string): void {
  for (const value of PLAINTEXT) {
    expect(bytes.includes(Buffer.from(value, 'utf8')), `${what} contains ${value}`).toBe(false);
    expect(bytes.includes(Buffer.from(value, 'utf16le')), `${what} contains ${value} (UTF-16)`).toBe(false);
  }
}

function message(body: string, to = 'lab@lab.example'): string {
  return [`From: Reception <reception@${PRACTICE_DOMAIN}>`, `To: ${to}`, 'Subject: Lab work', '', body, ''].join('\r\n');
}

describe('mouthguard patients', () => {
  let dir: string;
  let dataDir: string;
  let config: string;
  const c = () => ['--config', config];

  beforeAll(() => {
    dir = tempDir('mouthguard-patients-');
    dataDir = join(dir, 'data');
    config = join(dir, 'mouthguard.yaml');
    writeFileSync(config, stringify({ practice: { name: 'Bright Smile', domains: [PRACTICE_DOMAIN] }, dataDir, upstream: { type: 'capture' } }));
    writeFileSync(join(dir, 'export.csv'), EXPORT);
    writeFileSync(join(dir, 'named.eml'), message('The crown for our patient Jane Smith (DOB 12/03/1967) is ready.'));
    writeFileSync(join(dir, 'number.eml'), message('Please find the report for ref 9434765919 attached.'));
    writeFileSync(join(dir, 'other.eml'), message('The crown for John Brown (DOB 12/03/1967) is ready.'));
  });

  async function scan(...files: string[]): Promise<ScanLine[]> {
    const result = await runCli(['scan', '--json', ...c(), ...files.map((f) => join(dir, f))]);
    expect(result.code, result.stderr).toBe(0);
    return result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ScanLine);
  }

  const matches = (line: ScanLine) => line.findings.filter((f) => f.kind === 'patient_list_match').map((f) => f.value);

  it('imports the export: rows read, skipped with row numbers and reasons, records stored; nothing from the file printed', async () => {
    const before = await scan('named.eml', 'number.eml');
    expect(before.map(matches)).toEqual([[], []]);
    expect(before[1]!.verdict).toBe('deliver');

    const result = await runCli(['patients', 'import', join(dir, 'export.csv'), ...c()]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/columns forename, surname, dob, number; 4 rows read/);
    expect(result.stdout).toMatch(/row 4: skipped: no date of birth/);
    expect(result.stdout).toMatch(/row 5: partly used: the date of birth is not a recognised date/);
    expect(result.stdout).toMatch(/stored 3 records \(4 entries\), 1 rows skipped/);
    expectNoPlaintext(Buffer.from(result.stdout + result.stderr), 'the import output');

    const status = await runCli(['patients', 'status', ...c()]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^patient list: 4 entries, imported \d{4}-\d{2}-\d{2}T/);
  });

  it('stores no plaintext: the raw bytes of the database, its WAL and every other file', () => {
    const files = filesUnder(dataDir);
    expect(files).toContain(join(dataDir, 'mouthguard.db'));
    for (const file of files) expectNoPlaintext(readFileSync(file), file);
  });

  it('scan with the config finds the imported patient by name with DOB, and by number alone', async () => {
    const [named, number, other] = await scan('named.eml', 'number.eml', 'other.eml');
    expect(named!.findings).toContainEqual({ kind: 'patient_list_match', value: 'Jane Smith', confidence: 0.99, location: 'body:text' });
    expect(named!.findings).toContainEqual({ kind: 'patient_list_match', value: '12/03/1967', confidence: 0.99, location: 'body:text' });
    expect(matches(number!)).toEqual(['9434765919']);
    expect(number!.verdict).toBe('hold');
    // The same date of birth with another name is no match.
    expect(matches(other!)).toEqual([]);
  });

  it('a new import replaces the list', async () => {
    writeFileSync(join(dir, 'second.csv'), 'Name,DOB\nJohn Brown,12/03/1967\n');
    const result = await runCli(['patients', 'import', join(dir, 'second.csv'), ...c()]);
    expect(result.code, result.stderr).toBe(0);
    expect((await runCli(['patients', 'status', ...c()])).stdout).toMatch(/^patient list: 1 entries/);
    const [named, number, other] = await scan('named.eml', 'number.eml', 'other.eml');
    expect(matches(named!)).toEqual([]);
    expect(matches(number!)).toEqual([]);
    expect(matches(other!).sort()).toEqual(['12/03/1967', 'John Brown']);
  });

  it('a file it cannot use changes nothing and quotes nothing', async () => {
    writeFileSync(join(dir, 'no-header.csv'), 'Jane,Smith,12/03/1967,943 476 5919\n');
    const noHeader = await runCli(['patients', 'import', join(dir, 'no-header.csv'), ...c()]);
    expect(noHeader.code).toBe(2);
    expect(noHeader.stderr).toMatch(/no usable columns/);
    expectNoPlaintext(Buffer.from(noHeader.stdout + noHeader.stderr), 'the error');

    writeFileSync(join(dir, 'unclosed.csv'), 'Name,DOB\nJane Smith,12/03/1967\n"Gareth Lloyd,01/07/1980\n');
    const unclosed = await runCli(['patients', 'import', join(dir, 'unclosed.csv'), ...c()]);
    expect(unclosed.code).toBe(2);
    expect(unclosed.stderr).toMatch(/row 3: a quoted field is never closed; the patient list is unchanged/);
    expectNoPlaintext(Buffer.from(unclosed.stdout + unclosed.stderr), 'the error');

    writeFileSync(join(dir, 'useless.csv'), 'Name,DOB\nJane,\n');
    const useless = await runCli(['patients', 'import', join(dir, 'useless.csv'), ...c()]);
    expect(useless.code).toBe(1);
    expect(useless.stdout).toMatch(/no usable rows/);

    const missing = await runCli(['patients', 'import', join(dir, 'missing.csv'), ...c()]);
    expect(missing.code).toBe(2);
    expect((await runCli(['patients', 'status', ...c()])).stdout).toMatch(/^patient list: 1 entries/);
  });

  it('clear removes the list', async () => {
    const cleared = await runCli(['patients', 'clear', ...c()]);
    expect(cleared.code).toBe(0);
    expect(cleared.stdout).toMatch(/patient list cleared \(1 entries removed\)/);
    expect((await runCli(['patients', 'status', ...c()])).stdout).toMatch(/^no patient list imported/);
    const [other] = await scan('other.eml');
    expect(matches(other!)).toEqual([]);
  });
});

describe('a running relay and a patient list import', () => {
  let upstream: RecordingUpstream;
  let relay: RelayProcess;
  let dir: string;
  let dataDir: string;
  let cliConfig: string;

  beforeAll(async () => {
    upstream = await new RecordingUpstream().start();
    dir = tempDir('mouthguard-patients-relay-');
    dataDir = join(dir, 'data');
    cliConfig = join(dir, 'cli.yaml');
    writeFileSync(cliConfig, stringify(rawTestConfig(upstream.port, dataDir)));
    writeFileSync(join(dir, 'export.csv'), EXPORT);
    relay = await startRelayProcess(rawTestConfig(upstream.port, dataDir), dir);
  }, 30_000);

  afterAll(async () => {
    await stopRelayProcess(relay);
    await upstream.stop();
  }, 30_000);

  async function send(body: string, rcpt: string): Promise<string> {
    const talk = await SmtpTalk.open(relay.port('plain'));
    await talk.expect(/^220 /);
    await talk.line('EHLO client.test').expect(/^250[ -]/);
    await talk.line(`MAIL FROM:<reception@${PRACTICE_DOMAIN}>`).expect(/^250 /);
    await talk.line(`RCPT TO:<${rcpt}>`).expect(/^250 /);
    await talk.line('DATA').expect(/^354 /);
    const reply = await talk.send(`${body}\r\n.\r\n`).reply();
    talk.close();
    return reply;
  }

  const loadedLines = () =>
    relay
      .output()
      .split('\n')
      .filter((l) => l.includes('"patient_list_loaded"'))
      .map((l) => JSON.parse(l) as { entries: number });

  it('picks a new import up without a restart, in its inspection thread, and holds a message with a listed number', { timeout: 90_000 }, async () => {
    const body = message('Please find the report for ref 9434765919 attached.', 'first@lab.example');
    expect(await send(body, 'first@lab.example')).toMatch(/^250 /);
    await upstream.waitFor(1, 20_000);
    expect(upstream.messages[0]!.rcptTo).toEqual(['first@lab.example']);
    expect(loadedLines()).toEqual([expect.objectContaining({ entries: 0 })]);

    const imported = await runCli(['patients', 'import', join(dir, 'export.csv'), '--config', cliConfig]);
    expect(imported.code, imported.stderr).toBe(0);
    // The relay has the database open: the import's pages are in its WAL too.
    expect(existsSync(join(dataDir, 'mouthguard.db-wal'))).toBe(true);
    for (const file of filesUnder(dataDir)) expectNoPlaintext(readFileSync(file), file);

    // Checked every 30 s.
    const deadline = Date.now() + 45_000;
    while (loadedLines().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect(loadedLines()[1], relay.output()).toEqual(expect.objectContaining({ entries: 4 }));

    const before = upstream.messages.length;
    expect(await send(message('Please find the report for ref 9434765919 attached.', 'second@lab.example'), 'second@lab.example')).toMatch(/^250 /);
    const notice = (await upstream.waitFor(before + 1, 20_000)).slice(before).find((m) => m.mailFrom === '');
    expect(notice, 'a hold notice to the sender').toBeDefined();
    const text = notice!.raw.toString('utf8');
    expect(text).toMatch(/Your message is held for review/);
    expect(text).not.toContain('9434765919');
    const held = await runCli(['held', 'list', '--config', cliConfig]);
    expect(held.code, held.stderr).toBe(0);
    expect(held.stdout).toMatch(/hold-identifiable-outside/);
    expect(upstream.messages.some((m) => m.rcptTo.includes('second@lab.example'))).toBe(false);
    // The relay's log names no patient data.
    expectNoPlaintext(Buffer.from(relay.output()), 'the relay log');
  });
});
