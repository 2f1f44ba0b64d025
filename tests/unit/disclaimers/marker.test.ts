import { describe, expect, it } from 'vitest';
import { disclaimerMarker } from '../../../src/disclaimers/marker.js';

describe('disclaimerMarker', () => {
  it('is "mg-" and 12 hex digits of SHA-256 over text, NUL, html', () => {
    // printf 'a\0b' | sha256sum → 59b271ae1bbcb1d3…
    expect(disclaimerMarker({ text: 'a', html: 'b' })).toBe('mg-59b271ae1bbc');
    expect(disclaimerMarker({ text: 'é', html: '' })).toMatch(/^mg-[0-9a-f]{12}$/);
  });

  it('is stable for the same pair and differs when either half changes', () => {
    const m = disclaimerMarker({ text: 'Confidential {{sender_name}}', html: '<p>Confidential {{sender_name}}</p>' });
    expect(disclaimerMarker({ text: 'Confidential {{sender_name}}', html: '<p>Confidential {{sender_name}}</p>' })).toBe(m);
    expect(disclaimerMarker({ text: 'Confidential {{sender_name}}.', html: '<p>Confidential {{sender_name}}</p>' })).not.toBe(m);
    expect(disclaimerMarker({ text: 'Confidential {{sender_name}}', html: '<p>Confidential {{sender_name}}.</p>' })).not.toBe(m);
  });

  it('separates the halves, so moving text across the boundary changes it', () => {
    expect(disclaimerMarker({ text: 'ab', html: 'c' })).not.toBe(disclaimerMarker({ text: 'a', html: 'bc' }));
  });
});
