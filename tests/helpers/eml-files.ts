import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every .eml file under `dir`, at any depth. */
export function emlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return emlFiles(path);
    return name.endsWith('.eml') ? [path] : [];
  });
}

/** The labelled evaluation corpus and the shared real-world MIME fixtures: every message we have. */
export function everyTestMessage(): string[] {
  return [...emlFiles(join(import.meta.dirname, '../../eval/corpus/messages')), ...emlFiles(join(import.meta.dirname, '../../../shared/fixtures/mime'))];
}
