/**
 * Forwards and replies in the styles of Outlook, Gmail, Apple Mail and Thunderbird, with chains
 * that disclose no earlier recipients, one or two, three or more, only internal ones, only
 * display names, or recipients in the real headers of an attached message.
 */
import { anyBody, orgSignature, reSubject, signature } from './common.js';
import { blocksText, chain, p, type Block, type ClientStyle, type Earlier, type Recip } from './doc.js';
import { Msg, type Built } from './message.js';
import { messageLeaf, renderMessage, textLeaf, type Leaf } from './mime.js';
import { rfcDate } from './doc.js';
import {
  ACCOUNTANT,
  COLLEAGUE_PRACTICES,
  EMMA,
  LABS,
  MISC_EXTERNAL,
  NHS_CONTACTS,
  OTHER_FIRST,
  OTHER_LAST,
  RECEPTION,
  SARAH,
  SPECIALISTS,
  STUDY_CLUB,
  SUPPLIERS,
  TOM,
  consumerAddress,
  person,
  type Address,
  type Person,
  type Staff,
} from './people.js';
import type { Rng } from './random.js';
import { dobStyle, numberStyle } from './cat-clinical.js';
import type { Labels } from './labels.js';

type TopStyle = 'outlook' | 'gmail' | 'apple' | 'thunderbird';

interface Topic {
  readonly subject: string;
  /** External people who take part (distinct addresses). */
  readonly externals: readonly Address[];
  readonly opener: Address;
  readonly firstBody: (L: Labels) => Block[];
  readonly replies: readonly string[];
  readonly patient: boolean;
}

function personAt(rng: Rng, domain: string): Address {
  const first = rng.pick(OTHER_FIRST);
  const last = rng.pick(OTHER_LAST);
  return { name: `${first} ${last}`, email: `${first.toLowerCase()}.${last.toLowerCase()}@${domain}` };
}

function distinct(list: readonly Address[]): Address[] {
  const seen = new Set<string>();
  return list.filter((a) => (seen.has(a.email) ? false : (seen.add(a.email), true)));
}

function topic(rng: Rng, withPatient: boolean): Topic & { pt?: Person } {
  if (withPatient) {
    const pt = person(rng);
    const lab = rng.pick(LABS);
    if (rng.chance(0.5)) {
      const externals = distinct([...lab.contacts, personAt(rng, lab.domain), personAt(rng, lab.domain), personAt(rng, lab.domain)]);
      return {
        pt,
        subject: `Crown remake - case ${rng.digits(4)}/${rng.int(10, 99)}`,
        externals,
        opener: lab.contacts[1] ?? lab.contacts[0] ?? SARAH,
        firstBody: (L) => [
          p(`Hi Sarah, the impression for ${L.name(pt, 'title')} (${rng.chance(0.5) ? `DOB ${L.dob(pt, dobStyle(rng))}` : `age ${2025 - pt.dob.y}`}) has a drag on the margin of ${rng.pick(['UR1', 'UL6', 'LR6'])}. Could you retake it? We can hold the slot until Friday.`),
          orgSignature(rng, lab, lab.contacts[1]?.name ?? 'Lab'),
        ],
        replies: ['Thanks, she is booked in on Thursday for a retake.', 'No problem, courier will collect on Friday.', 'Adding our manager for the remake charge question.'],
        patient: true,
      };
    }
    const nhs = rng.pick(NHS_CONTACTS);
    const externals = distinct([nhs, ...NHS_CONTACTS.filter((c) => c !== nhs).slice(0, 2), personAt(rng, 'nhs.net'), personAt(rng, 'nhs.net')]);
    return {
      pt,
      subject: 'Clinic letter from today',
      externals,
      opener: nhs,
      firstBody: (L) => [
        p(`Dear Dr Patel, we saw your patient ${L.name(pt, 'full')} in clinic today.`),
        p(`Hospital number: ${L.hospitalNo(pt)}. NHS number: ${L.nhs(pt, numberStyle(rng))}.`),
        p(`${rng.pick(['LR8 removed under LA, no complications.', 'Biopsy taken from the right buccal mucosa; we will write with the result.', 'We have listed the patient for GA extractions.'])} Please continue routine care.`),
      ],
      replies: ['Thank you for letting us know.', 'Forwarding for the notes.', 'Please scan this into the record.'],
      patient: true,
    };
  }
  switch (rng.int(0, 4)) {
    case 0: {
      const externals = distinct([STUDY_CLUB.contacts[1] ?? STUDY_CLUB.contacts[0] ?? SARAH, ...COLLEAGUE_PRACTICES.flatMap((o) => o.contacts), personAt(rng, 'gmail.com'), personAt(rng, 'moortown-dental.co.uk')]);
      return {
        subject: rng.pick(['Study club: venue for May', 'CPD evening - speakers', 'Peer review group dates']),
        externals,
        opener: STUDY_CLUB.contacts[1] ?? SARAH,
        firstBody: () => [p('Dear all, we need to confirm the venue for the next meeting. The Queens Hotel can do Thursday 15 May; the alternative is the LDI seminar room. Please reply with your preference.')],
        replies: ['Thursday works for me.', 'Queens Hotel please - parking is easier.', 'Happy with either, thanks for organising.', 'I can bring the projector.'],
        patient: false,
      };
    }
    case 1: {
      const supplier = rng.pick(SUPPLIERS);
      const externals = distinct([...supplier.contacts, personAt(rng, supplier.domain), personAt(rng, supplier.domain)]);
      return {
        subject: `Account ${rng.digits(10)} - disputed charges`,
        externals,
        opener: supplier.contacts[0] ?? SARAH,
        firstBody: () => [p(`Dear Tom, our records show invoice ${rng.digits(10)} for £${rng.int(100, 900)}.${rng.digits(2)} remains unpaid. Please arrange payment to sort code 30-94-57, account 11223344.`), orgSignature(rng, supplier, supplier.contacts[0]?.name ?? 'Accounts')],
        replies: ['This was paid on 3 March, remittance attached.', 'Copying in our accounts team.', 'Apologies, I can see the payment now.'],
        patient: false,
      };
    }
    case 2: {
      const externals = distinct([MISC_EXTERNAL[2] ?? SARAH, personAt(rng, 'leeds-plumbing.co.uk'), personAt(rng, 'northern-electrics.co.uk'), personAt(rng, 'harrison-property.co.uk'), personAt(rng, 'yorkshire-roofing.com')]);
      return {
        subject: 'Leak in the waiting room ceiling',
        externals,
        opener: MISC_EXTERNAL[2] ?? SARAH,
        firstBody: () => [p('Hello Tom, the plumber can attend on Tuesday at 8am. The electrician will need to isolate the lighting circuit first. Access via the rear door please.')],
        replies: ['Tuesday is fine, we open at 8:30.', 'Can the electrician come at 7:30?', 'Quote attached, ref Q-2025-0412.'],
        patient: false,
      };
    }
    case 3: {
      const externals = distinct([{ name: 'Yorkshire Dental Staffing', email: 'bookings@yorkshire-dental-staffing.co.uk' }, personAt(rng, 'yorkshire-dental-staffing.co.uk'), consumerAddress(rng, rng.pick(OTHER_FIRST), rng.pick(OTHER_LAST)), personAt(rng, 'gmail.com')]);
      return {
        subject: 'Locum cover for August',
        externals,
        opener: externals[0] ?? SARAH,
        firstBody: () => [p('Hi Sarah, we have two locums available for 4-15 August. Both are on the performers list; CVs and GDC numbers (187456 and 203119) to follow.')],
        replies: ['Great, could we have the first option for both weeks?', 'Confirmed, thank you.', 'Please send the indemnity certificates.'],
        patient: false,
      };
    }
    default: {
      const externals = distinct([...ACCOUNTANT.contacts, personAt(rng, ACCOUNTANT.domain), { name: 'Dental Protection', email: 'advice@dentalprotection-uk.org' }, personAt(rng, 'yorkshire-insure.co.uk')]);
      return {
        subject: 'Year-end accounts and insurance renewal',
        externals,
        opener: ACCOUNTANT.contacts[1] ?? SARAH,
        firstBody: () => [p('Dear Tom, please send the bank statements for March and the renewal schedule from your insurer by Friday so we can close the year.')],
        replies: ['Attached, thanks.', 'Insurer has the schedule, copying them in.', 'Will do.'],
        patient: false,
      };
    }
  }
}

const INNER_STYLES: readonly ClientStyle[] = ['outlook', 'outlook-old', 'gmail', 'apple', 'thunderbird'];

function recips(rng: Rng, list: readonly Address[], show?: Recip['show']): Recip[] {
  return list.map((addr) => ({ addr, show: show ?? rng.pick(['both', 'both', 'both', 'addr', 'mailto']) }));
}

/** Top recipients: mostly external (so a long chain is disclosed to a third party), sometimes internal only. */
function topRecipients(rng: Rng, patient: boolean, plan: number): { to: Address[]; note: string } {
  const r = rng.int(0, 9);
  if (r <= 1) return { to: [rng.pick([TOM, EMMA, RECEPTION])], note: 'forwarded internally' };
  if (r <= 4) {
    const o = rng.pick(COLLEAGUE_PRACTICES);
    return { to: [o.contacts[0] ?? SARAH], note: 'to another practice' };
  }
  if (r <= 6) {
    const name = { first: rng.pick(OTHER_FIRST), last: rng.pick(OTHER_LAST) };
    return { to: [consumerAddress(rng, name.first, name.last)], note: 'to a consumer webmail address' };
  }
  if (patient && r === 7 && (plan === 0 || plan === 1 || plan === 3)) return { to: [rng.pick(NHS_CONTACTS)], note: 'to nhs.net' };
  const org = rng.pick(SPECIALISTS);
  return { to: [org.contacts[1] ?? SARAH], note: 'to a private specialist' };
}

export function chainMessage(rng: Rng, style: TopStyle, i: number): Built {
  const plan = i % 6;
  const withPatient = rng.chance(0.25);
  const t = topic(rng, withPatient);
  const sender: Staff = rng.pick([SARAH, TOM, EMMA]);
  const m = new Msg(rng, `chain-${style}`, sender);
  const L = m.labels;
  const top = topRecipients(rng, t.patient, plan);
  m.to = top.to.filter((a) => a.email !== sender.email);
  if (m.to.length === 0) m.to = [sender === TOM ? EMMA : TOM];
  m.note(top.note);
  const ext = rng.shuffle(t.externals.filter((a) => a.email !== t.opener.email));
  const innerStyle = (): ClientStyle => rng.pick(INNER_STYLES);
  const topClient: ClientStyle = style;
  const attachments: Leaf[] = [];
  let subject = t.subject;
  let inner: { earlier: Earlier; mode: 'forward' | 'reply'; style: ClientStyle } | undefined;
  let daysBack = rng.int(4, 9);
  let patientShown = false;
  const firstBody = (): Block[] => {
    patientShown = t.patient;
    return t.firstBody(L);
  };

  const wrap = (from: Address, to: Recip[], cc: Recip[], text: string, mode: 'forward' | 'reply', s: ClientStyle, first = false): void => {
    const body: Block[] = first ? firstBody() : [p(text)];
    if (inner) body.push(chain(inner.earlier, inner.mode, inner.style));
    daysBack = Math.max(0, daysBack - rng.int(1, 2));
    inner = { earlier: { from, to, cc, date: m.earlier(daysBack * 24 + rng.int(1, 5)), subject, body }, mode, style: s };
    subject = reSubject(rng, t.subject, false);
  };

  const me: Address = sender;
  switch (plan) {
    case 0: {
      // Attribution-only replies (or Outlook with display names only): no address disclosed.
      const s: ClientStyle = style === 'outlook' ? 'outlook' : style;
      wrap(t.opener, recips(rng, [me], style === 'outlook' ? 'name' : undefined), [], '', 'reply', s, true);
      wrap(me, recips(rng, [t.opener], style === 'outlook' ? 'name' : undefined), [], rng.pick(t.replies), 'reply', s);
      m.note(style === 'outlook' ? 'Outlook header blocks with display names only' : 'replies with attribution lines (which disclose only senders)');
      break;
    }
    case 1: {
      const a = ext.slice(0, rng.int(1, 2));
      wrap(t.opener, recips(rng, [me, ...a.slice(0, 1)]), recips(rng, a.slice(1)), '', 'forward', innerStyle(), true);
      if (rng.chance(0.5)) wrap(me, recips(rng, [t.opener, ...a.slice(0, 1)]), [], rng.pick(t.replies), 'reply', 'outlook');
      m.note(`chain discloses ${a.length} external address(es), possibly repeated`);
      break;
    }
    case 2: {
      const n = rng.int(3, Math.min(6, ext.length));
      const a = ext.slice(0, n);
      const firstTo = a.slice(0, Math.ceil(n / 2));
      const later = a.slice(Math.ceil(n / 2));
      wrap(t.opener, recips(rng, [me, ...firstTo]), [], '', 'forward', innerStyle(), true);
      wrap(firstTo[0] ?? t.opener, recips(rng, [me, ...firstTo.slice(1)]), recips(rng, later), rng.pick(t.replies), rng.chance(0.5) ? 'forward' : 'reply', rng.pick(['outlook', 'outlook-old', 'thunderbird'] as const));
      m.note(`chain discloses up to ${n} external addresses over two levels, with repeats`);
      break;
    }
    case 3: {
      const internal = [TOM, EMMA, SARAH, RECEPTION].filter((a) => a.email !== sender.email);
      wrap(internal[0] ?? TOM, recips(rng, internal.slice(1)), recips(rng, [me]), rng.pick(['Can you deal with this please?', 'See below, FYI.', 'Has this been paid?']), 'forward', innerStyle());
      m.note('chain discloses internal addresses only');
      break;
    }
    case 4: {
      const a = ext.slice(0, rng.int(3, Math.min(5, ext.length)));
      const shown = a.slice(0, rng.int(0, 2));
      const hidden = a.slice(shown.length);
      wrap(t.opener, [...recips(rng, shown), ...recips(rng, hidden, 'name')], recips(rng, [me], 'name'), '', 'forward', rng.pick(['outlook', 'outlook-old'] as const), true);
      m.note(`${hidden.length} earlier recipients shown by display name only (not disclosed), ${shown.length} with addresses`);
      break;
    }
    default: {
      // Outlook: forward as attachment (message/rfc822 with real headers); others: a deep chain.
      if (style === 'outlook') {
        const a = ext.slice(0, rng.int(1, Math.min(5, ext.length)));
        const body: Block[] = firstBody();
        const raw = renderMessage(
          { from: t.opener, to: [me, ...a.slice(0, 2)], cc: a.slice(2), subject: t.subject, date: rfcDate(m.earlier(rng.int(5, 60))), messageId: `${rng.token(10)}@${t.opener.email.split('@')[1] ?? 'example.org'}` },
          textLeaf('text/plain', blocksText(body, L)),
        );
        for (const x of [me, ...a]) L.earlierRecipient(x.email);
        attachments.push(messageLeaf(raw, `${t.subject.replace(/[^A-Za-z0-9 -]/g, '').slice(0, 40)}.eml`));
        m.note(`forwarded as an attached message: its real To/Cc hold ${a.length} external address(es)`);
      } else {
        const a = ext.slice(0, rng.int(2, Math.min(5, ext.length)));
        wrap(t.opener, recips(rng, [me, a[0] ?? t.opener]), [], '', 'forward', innerStyle(), true);
        wrap(a[0] ?? t.opener, recips(rng, [t.opener]), recips(rng, a.slice(1, 3)), rng.pick(t.replies), 'reply', innerStyle());
        wrap(me, recips(rng, a.slice(0, 1)), recips(rng, a.slice(3)), rng.pick(t.replies), 'forward', innerStyle());
        m.note('three-level chain in mixed client styles');
      }
      break;
    }
  }

  const forward = inner === undefined || plan === 1 || plan === 2 || plan === 4 || rng.chance(0.6);
  m.subject = inner ? reSubject(rng, t.subject, forward) : `FW: ${t.subject}`;
  const blocks: Block[] = [p(rng.pick(['Please see below.', 'FYI - see the thread below.', 'Forwarding this to you as discussed.', 'Could you take a look at this?', 'See below, any thoughts?']))];
  blocks.push(signature(rng, sender));
  if (inner) blocks.push(chain(inner.earlier, forward ? 'forward' : 'reply', topClient));
  if (patientShown) m.note('patient details inside the quoted chain');
  const shapes = style === 'outlook' || style === 'gmail' ? (['alt', 'alt', 'alt', 'html'] as const) : (['alt', 'text', 'html'] as const);
  const body = m.body(blocks, { ...anyBody(rng, style, shapes) });
  return m.build(m.mixed(body, attachments));
}
