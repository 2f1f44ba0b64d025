import { readFileSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CsvFormatError, decodeCsvBytes, importPatientCsv, type RowProblem } from '../policies/patient-csv.js';
import { openStore } from '../store/open-store.js';
import { UsageError } from './common.js';
import { configFrom } from './config-from.js';

const USAGE = `usage:
  mouthguard patients import FILE.csv   replace the patient list with the practice system's CSV export
  mouthguard patients status            how many entries are loaded, and when they were imported
  mouthguard patients clear             remove the patient list
The CSV needs a header row: Forename/First name and Surname/Last name (or Name), DOB/Date of birth,
NHS number/CHI/H&C. Only keyed hashes of a row's numbers, and of its name with its date of birth,
are stored; nothing from the file is printed or logged. A running relay picks a new list up within 30 s.`;

/** Larger than any practice's export; a bound on what is read into memory. */
const MAX_FILE_BYTES = 200 * 1024 * 1024;
/** Problem rows listed per kind of report; the rest are counted. */
const LISTED_ROWS = 20;

function printProblems(verb: string, problems: readonly RowProblem[]): void {
  for (const p of problems.slice(0, LISTED_ROWS)) console.log(`  row ${p.row}: ${verb}: ${p.reason}`);
  if (problems.length > LISTED_ROWS) console.log(`  … and ${problems.length - LISTED_ROWS} more rows ${verb}`);
}

function readCsv(file: string): string {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw new UsageError(`${file}: no such file`);
  }
  if (size > MAX_FILE_BYTES) throw new UsageError(`${file}: larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB; is it the patient list?`);
  return decodeCsvBytes(readFileSync(file));
}

export async function patientsCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { config: { type: 'string' } } });
  const [action, file] = positionals;
  if (action !== 'import' && action !== 'status' && action !== 'clear') throw new UsageError(USAGE);
  if (action === 'import' && !file) throw new UsageError(USAGE);
  const config = configFrom(values.config);
  // Read and check the file before touching the store: a bad file changes nothing.
  const text = action === 'import' ? readCsv(file!) : '';
  const { store } = await openStore(config);
  try {
    switch (action) {
      case 'import': {
        const secret = await store.patientListSecret();
        let result;
        try {
          result = importPatientCsv(text, secret);
        } catch (err) {
          if (err instanceof CsvFormatError) throw new UsageError(`${file}: ${err.message}; the patient list is unchanged`);
          throw err;
        }
        console.log(`${file}: columns ${result.columns.join(', ')}; ${result.rowsRead} rows read`);
        printProblems('skipped', result.skipped);
        printProblems('partly used', result.partial);
        if (result.recordsStored === 0) {
          process.exitCode = 1;
          console.log(`no usable rows (${result.skipped.length} skipped): the patient list is unchanged`);
          return;
        }
        await store.replacePatientHashes(result.hashes, Date.now());
        console.log(
          `stored ${result.recordsStored} records (${result.hashes.length} entries), ${result.skipped.length} rows skipped; ` +
            'the previous list is replaced and a running relay uses this one within 30 s',
        );
        return;
      }
      case 'status': {
        const info = await store.patientListInfo();
        if (info.importedAt === null) console.log('no patient list imported');
        else console.log(`patient list: ${info.count} entries, imported ${new Date(info.importedAt).toISOString()}`);
        return;
      }
      case 'clear': {
        const info = await store.patientListInfo();
        await store.clearPatientList();
        console.log(info.importedAt === null ? 'no patient list to clear' : `patient list cleared (${info.count} entries removed)`);
        return;
      }
    }
  } finally {
    await store.close();
  }
}
