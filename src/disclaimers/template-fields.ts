/** The {{fields}} a disclaimer template may use, and how a reference to one is written. */

export const TEMPLATE_FIELDS = [
  'sender_name',
  'sender_address',
  'practice_name',
  'practice_address',
  'practice_owner',
  'company_number',
  'date',
] as const;

export type TemplateField = (typeof TEMPLATE_FIELDS)[number];
export type TemplateValues = Readonly<Record<TemplateField, string>>;

/** `{{ name }}`: group 1 is the name as written (trim it). */
export const FIELD_PATTERN = /\{\{([^{}]*)\}\}/g;

export function isTemplateField(name: string): name is TemplateField {
  return (TEMPLATE_FIELDS as readonly string[]).includes(name);
}

/** Every field reference in a template, in order, with where it stands. */
export function fieldReferences(template: string): { name: string; index: number; length: number }[] {
  return [...template.matchAll(FIELD_PATTERN)].map((m) => ({ name: m[1]!.trim(), index: m.index, length: m[0].length }));
}
