import { describe, expect, it } from 'vitest';
import { RenderedDisclaimers } from '../../../src/disclaimers/rendered-cache.js';
import type { ContentConfig, DisclaimerTemplates } from '../../../src/disclaimers/content.js';

const config = {
  practice: { name: 'Smile Dental', domains: ['smile.example'] },
  disclaimers: { groups: {}, practices: {} },
} as unknown as ContentConfig; // only the sections rendering reads
const templates: DisclaimerTemplates[] = [
  { scope: { kind: 'default' }, text: '{{sender_name}}, {{practice_name}}, {{date}}', html: '<p>{{sender_name}}, {{date}}</p>' },
  { scope: { kind: 'sender', value: 'ann@smile.example' }, text: 'Ann only', html: '<p>Ann only</p>' },
];
const morning = new Date('2026-11-25T09:00:00Z');

describe('RenderedDisclaimers', () => {
  it('renders once per sender and day, and gives the same content again', () => {
    const cache = new RenderedDisclaimers(templates, config);
    const first = cache.contentFor({ address: 'bob@smile.example', name: 'Bob' }, morning);
    expect(first?.text).toBe('Bob, Smile Dental, 25 November 2026');
    expect(cache.contentFor({ address: 'bob@smile.example', name: 'Bob' }, new Date('2026-11-25T17:00:00Z'))).toBe(first);
  });

  it('keys on everything the rendering reads: address, display name and the UK day', () => {
    const cache = new RenderedDisclaimers(templates, config);
    expect(cache.contentFor({ address: 'bob@smile.example', name: 'Robert' }, morning)?.text).toBe('Robert, Smile Dental, 25 November 2026');
    expect(cache.contentFor({ address: 'bob@smile.example', name: 'Bob' }, morning)?.text).toBe('Bob, Smile Dental, 25 November 2026');
    expect(cache.contentFor({ address: 'ann@smile.example', name: 'Bob' }, morning)?.text).toBe('Ann only');
    // The UK day, not the UTC one: at 23:30 UTC in summer it is already tomorrow in London.
    expect(cache.contentFor({ address: 'bob@smile.example', name: 'Bob' }, new Date('2026-11-26T00:30:00Z'))?.text).toBe('Bob, Smile Dental, 26 November 2026');
    expect(cache.contentFor({ address: 'bob@smile.example', name: 'Bob' }, new Date('2026-06-30T23:30:00Z'))?.text).toBe('Bob, Smile Dental, 1 July 2026');
  });

  it('remembers that no text applies', () => {
    const cache = new RenderedDisclaimers([templates[1]!], config);
    expect(cache.contentFor({ address: 'bob@smile.example', name: '' }, morning)).toBeNull();
    expect(cache.contentFor({ address: 'ann@smile.example', name: '' }, morning)?.text).toBe('Ann only');
  });

  it('judges an invalid date as rendering does: only a text that applies needs one', () => {
    const cache = new RenderedDisclaimers([templates[1]!], config);
    expect(cache.contentFor({ address: 'bob@smile.example', name: '' }, new Date(NaN))).toBeNull();
    expect(() => cache.contentFor({ address: 'ann@smile.example', name: '' }, new Date(NaN))).toThrow(RangeError);
  });

  it('starts again past its bound instead of growing', () => {
    const cache = new RenderedDisclaimers(templates, config, 2);
    const first = cache.contentFor({ address: 'a@smile.example', name: 'A' }, morning);
    cache.contentFor({ address: 'b@smile.example', name: 'B' }, morning);
    cache.contentFor({ address: 'c@smile.example', name: 'C' }, morning);
    const again = cache.contentFor({ address: 'a@smile.example', name: 'A' }, morning);
    expect(again).toEqual(first);
    expect(again).not.toBe(first);
  });
});
