import { existsSync } from 'node:fs';
import { ConfigError } from '../config/config-error.js';
import { StoreLockedError } from '../store/types.js';

/** A mistake on the command line: printed without a stack trace, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** --config, else MOUTHGUARD_CONFIG, else ./mouthguard.yaml when present, else env only. */
export function configPathFrom(path: string | undefined): string | undefined {
  return path ?? process.env.MOUTHGUARD_CONFIG ?? (existsSync('mouthguard.yaml') ? 'mouthguard.yaml' : undefined);
}

export function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

export function describeError(err: unknown): string {
  if (err instanceof ConfigError || err instanceof UsageError) return err.message;
  if (err instanceof StoreLockedError) return `${err.message}: try again when it has finished`;
  return err instanceof Error ? err.message : String(err);
}
