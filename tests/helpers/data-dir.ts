import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every file under a data directory (the database, its WAL, spool, tls …). */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * The files under `dir` whose raw bytes contain `marker`: where a message body is at rest,
 * whichever way the store keeps it (a spool file, a database page, a log frame).
 */
export function filesHolding(dir: string, marker: string | Buffer): string[] {
  const needle = typeof marker === 'string' ? Buffer.from(marker, 'utf8') : marker;
  return filesUnder(dir).filter((path) => {
    try {
      return readFileSync(path).includes(needle);
    } catch {
      return false; // removed between listing and reading
    }
  });
}
