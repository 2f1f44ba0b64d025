import { readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One relay per data directory: two relays on one SQLite queue would deliver twice. The
 * lock is a pid file; a stale one (its process is gone, e.g. after kill -9) is taken over.
 */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, 'relay.pid');
  try {
    writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const holder = Number(readFileSync(path, 'utf8').trim());
    if (holder && holder !== process.pid && isAlive(holder)) {
      throw new Error(`another mouthguard (pid ${holder}) is using the data directory ${dataDir}: stop it, or set dataDir to another directory`);
    }
    writeFileSync(path, `${process.pid}\n`);
  }
  return () => rmSync(path, { force: true });
}

/** The pid of the relay that holds the data directory, or null when none is running. */
export function relayHoldingDataDir(dataDir: string): number | null {
  try {
    const holder = Number(readFileSync(join(dataDir, 'relay.pid'), 'utf8').trim());
    return holder && isAlive(holder) ? holder : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
