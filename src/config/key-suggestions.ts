import type { z } from 'zod';

/**
 * "Did you mean …?" for an unknown configuration key: the key of the same mapping it is closest
 * to ("reverseDNSLookup", "max_recipients", "maxRecipents"), or the same key where it belongs
 * ("smtp.maxRecipients" for smtp.limits.maxRecipients). The keys are read from the schema itself,
 * so a suggestion can never name a key that does not exist.
 */

/** Where a key sits: mapping keys, '[]' for any item of a list, '*' for any key of a map. */
type Segments = readonly string[];

interface KnownKey {
  readonly parent: Segments;
  readonly key: string;
}

/** The parts of a zod 4 schema definition that hold other schemas (the rest is not read). */
interface SchemaDef {
  readonly type: string;
  readonly shape?: Readonly<Record<string, z.core.$ZodType>>;
  readonly innerType?: z.core.$ZodType;
  readonly in?: z.core.$ZodType;
  readonly out?: z.core.$ZodType;
  readonly element?: z.core.$ZodType;
  readonly options?: readonly z.core.$ZodType[];
  readonly valueType?: z.core.$ZodType;
  readonly left?: z.core.$ZodType;
  readonly right?: z.core.$ZodType;
}

/** zod's definition of any schema kind, seen through the fields above. */
function definition(schema: z.core.$ZodType): SchemaDef {
  return schema._zod.def;
}

function collectKeys(schema: z.core.$ZodType | undefined, parent: Segments, out: KnownKey[]): void {
  if (!schema) return;
  const def = definition(schema);
  switch (def.type) {
    case 'object':
      for (const [key, inner] of Object.entries(def.shape ?? {})) {
        out.push({ parent, key });
        collectKeys(inner, [...parent, key], out);
      }
      return;
    case 'array':
      return collectKeys(def.element, [...parent, '[]'], out);
    case 'record':
      return collectKeys(def.valueType, [...parent, '*'], out);
    case 'pipe':
      collectKeys(def.in, parent, out);
      return collectKeys(def.out, parent, out);
    case 'union':
      for (const option of def.options ?? []) collectKeys(option, parent, out);
      return;
    case 'intersection':
      collectKeys(def.left, parent, out);
      return collectKeys(def.right, parent, out);
    default:
      // optional, nullable, default, prefault, catch, readonly, nonoptional: one schema inside.
      return collectKeys(def.innerType, parent, out);
  }
}

const known = new WeakMap<z.core.$ZodType, readonly KnownKey[]>();

function keysOf(schema: z.core.$ZodType): readonly KnownKey[] {
  let keys = known.get(schema);
  if (!keys) {
    const out: KnownKey[] = [];
    collectKeys(schema, [], out);
    keys = out;
    known.set(schema, keys);
  }
  return keys;
}

function sameParent(pattern: Segments, actual: readonly PropertyKey[]): boolean {
  return (
    pattern.length === actual.length &&
    pattern.every((segment, i) => {
      const here = String(actual[i]);
      return segment === '*' || (segment === '[]' ? /^\d+$/.test(here) : segment === here);
    })
  );
}

/** Case, separators and spaces do not tell keys apart for a reader: maxRecipients = max_recipients. */
function folded(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Optimal string alignment distance: edits, with a swap of two neighbours as one. */
function distance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

function shown(segments: readonly PropertyKey[]): string {
  return segments.map((s) => (s === '[]' ? '[i]' : s === '*' ? '<name>' : String(s))).join('.').replace(/\.\[i\]/g, '[i]');
}

/** The full key the unknown `key` in the mapping at `parent` was probably meant to be, or null. */
export function suggestKey(schema: z.core.$ZodType, parent: readonly PropertyKey[], key: string): string | null {
  const keys = keysOf(schema);
  const target = folded(key);
  const siblings = keys.filter((k) => sameParent(k.parent, parent)).map((k) => k.key);
  // The key itself is among them when it belongs to another form of a union (upstream.host of a capture upstream).
  if (siblings.includes(key)) return null;
  const exact = siblings.find((k) => folded(k) === target);
  if (exact !== undefined) return shown([...parent, exact]);
  // A slip of a letter or two, not another word: at most one edit in a short key, two in a longer one.
  const allowed = target.length >= 8 ? 2 : 1;
  const close = siblings
    .map((k) => ({ k, d: distance(folded(k), target) }))
    .filter(({ d }) => d <= allowed)
    .sort((a, b) => a.d - b.d);
  if (close.length > 0 && (close.length === 1 || close[0]!.d < close[1]!.d)) return shown([...parent, close[0]!.k]);
  // The right key in the wrong mapping: only when the schema has it in one place.
  const elsewhere = [...new Set(keys.filter((k) => folded(k.key) === target).map((k) => shown([...k.parent, k.key])))];
  return elsewhere.length === 1 ? elsewhere[0]! : null;
}
