import { describe, expect, it } from 'vitest';
import { chooseDisclaimer, fieldsFor, practiceDomainOf, senderGroups, type ChooseSettings, type FieldsConfig } from '../../../src/disclaimers/choose.js';
import type { DisclaimerScope } from '../../../src/core/disclaimer-scope.js';

const v = (scope: DisclaimerScope, text: string, removed = false) => ({ scope, text, removed });
const DEFAULT = v({ kind: 'default' }, 'default');
const SMILE = v({ kind: 'domain', value: 'smile.example' }, 'smile');
const GRIN = v({ kind: 'domain', value: 'grin.example' }, 'grin');
const RECEPTION = v({ kind: 'group', value: 'reception' }, 'reception');
const ALPHA = v({ kind: 'group', value: 'alpha' }, 'alpha');
const ANN = v({ kind: 'sender', value: 'ann@smile.example' }, 'ann');

const settings: ChooseSettings = {
  groups: { reception: ['front@smile.example', '@desk.grin.example'], zeta: ['ann@smile.example'], alpha: ['bob@smile.example', 'front@smile.example'] },
  practiceDomains: ['smile.example', 'grin.example'],
};
const texts = (current: ReturnType<typeof v>[], sender: string) => chooseDisclaimer(current, sender, settings)?.text ?? null;

describe('chooseDisclaimer', () => {
  const all = [DEFAULT, SMILE, GRIN, RECEPTION, ALPHA, ANN];

  it('the sender\'s own text wins over everything, ignoring case', () => {
    expect(texts(all, 'ann@smile.example')).toBe('ann');
    expect(texts(all, 'Ann@SMILE.example')).toBe('ann');
  });

  it('a group wins over the domain; among several groups the first by name', () => {
    expect(texts(all, 'front@smile.example')).toBe('alpha');
    expect(texts([DEFAULT, SMILE, RECEPTION], 'front@smile.example')).toBe('reception');
    expect(texts(all, 'bob@smile.example')).toBe('alpha');
  });

  it('a group without a text is passed over for the next one that has one', () => {
    // ann is in group zeta, which has no text: the domain text applies.
    expect(texts([DEFAULT, SMILE, RECEPTION], 'ann@smile.example')).toBe('smile');
  });

  it('an "@domain" member covers the domain and its subdomains', () => {
    expect(texts(all, 'x@desk.grin.example')).toBe('reception');
    expect(texts(all, 'x@a.desk.grin.example')).toBe('reception');
    expect(texts(all, 'x@grin.example')).toBe('grin');
  });

  it('the domain text applies to the practice domain and its subdomains', () => {
    expect(texts(all, 'carol@smile.example')).toBe('smile');
    expect(texts(all, 'carol@mail.smile.example')).toBe('smile');
    expect(texts(all, 'dan@GRIN.example')).toBe('grin');
  });

  it('falls back to the default, and to null when there is none', () => {
    expect(texts(all, 'eve@elsewhere.example')).toBe('default');
    expect(texts(all, '')).toBe('default');
    expect(texts([SMILE], 'eve@elsewhere.example')).toBeNull();
    expect(texts([], 'ann@smile.example')).toBeNull();
  });

  it('ignores removed versions', () => {
    expect(texts([DEFAULT, v(ANN.scope, 'gone', true)], 'ann@smile.example')).toBe('default');
  });
});

describe('senderGroups and practiceDomainOf', () => {
  it('lists groups by name', () => {
    expect(senderGroups('FRONT@smile.example', settings.groups)).toEqual(['alpha', 'reception']);
    expect(senderGroups('nobody@smile.example', settings.groups)).toEqual([]);
  });

  it('picks the longest practice domain that covers the sender', () => {
    expect(practiceDomainOf('a@x.smile.example', ['example', 'smile.example'])).toBe('smile.example');
    expect(practiceDomainOf('a@notsmile.example', ['smile.example'])).toBe('notsmile.example');
  });
});

describe('fieldsFor', () => {
  const config: FieldsConfig = {
    practice: { name: 'Smile Group', domains: ['smile.example', 'grin.example', 'plain.example'], address: '1 Main St', owner: 'Dr Main', companyNumber: '111' },
    disclaimers: {
      practices: {
        'grin.example': { name: 'Grin Dental', address: '2 Side St', owner: 'Dr Grin', companyNumber: '222' },
        'plain.example': { name: 'Plain Teeth' },
      },
    },
  };
  const NOW = new Date('2026-11-24T10:00:00Z');

  it('uses the top-level practice for a domain without its own section', () => {
    expect(fieldsFor('ann@smile.example', ' Ann Jones ', config, NOW)).toEqual({
      sender_name: 'Ann Jones',
      sender_address: 'ann@smile.example',
      practice_name: 'Smile Group',
      practice_address: '1 Main St',
      practice_owner: 'Dr Main',
      company_number: '111',
      date: '24 November 2026',
    });
  });

  it('uses the practice section of the sender\'s practice domain, subdomains included', () => {
    expect(fieldsFor('bob@mail.grin.example', null, config, NOW)).toMatchObject({
      sender_name: '',
      practice_name: 'Grin Dental',
      practice_address: '2 Side St',
      practice_owner: 'Dr Grin',
      company_number: '222',
    });
  });

  it('falls back field by field to the top-level practice', () => {
    expect(fieldsFor('c@plain.example', 'C', config, NOW)).toMatchObject({ practice_name: 'Plain Teeth', practice_address: '1 Main St', practice_owner: 'Dr Main', company_number: '111' });
  });

  it('leaves a field empty when nothing provides it', () => {
    const bare: FieldsConfig = { practice: { name: 'Bare', domains: ['bare.example'] }, disclaimers: { practices: {} } };
    expect(fieldsFor('d@bare.example', null, bare, NOW)).toMatchObject({ practice_address: '', practice_owner: '', company_number: '' });
  });
});
