import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { decoyPasswordHash, hashPassword, verifyPassword } from '../../src/accounts/passwords.js';
import { isSenderAllowed, normaliseSenderRule } from '../../src/accounts/sender-rules.js';
import type { ClientInfo } from '../../src/core/envelope.js';
import { isQueueId, newQueueId } from '../../src/core/ids.js';
import { fromAddresses, headerValues, senderFields } from '../../src/mime/header-fields.js';
import { readHeaderSection } from '../../src/mime/header-section.js';
import { receivedHeader } from '../../src/pipeline/trace-header.js';
import { addressRoutingProblem } from '../../src/smtp/address-rules.js';
import { AuthThrottle } from '../../src/smtp/auth-throttle.js';
import { RecipientLimit } from '../../src/smtp/recipient-limit.js';
import { TrustedNetworks } from '../../src/smtp/trusted-networks.js';

describe('addressRoutingProblem', () => {
  it('accepts ordinary addresses', () => {
    for (const a of ['alice@practice.test', 'a.b+tag@lab.example.co.uk', 'x_y-z@sub.domain.test', "o'brien@lab.test"]) {
      expect(addressRoutingProblem(a), a).toBeNull();
    }
  });

  it('refuses the percent hack, bang paths and quoted local parts that hide routing', () => {
    for (const a of [
      'victim%elsewhere.test@relay.test',
      'elsewhere.test!victim@relay.test',
      '"victim@elsewhere.test"@relay.test',
      '"victim%elsewhere.test"@relay.test',
      '"a!b"@relay.test',
    ]) {
      expect(addressRoutingProblem(a), a).toBe('addressRouting');
    }
  });

  it('refuses addresses without a local part, a domain or an @ (not as routing: the reply says what is missing)', () => {
    for (const a of ['@relay.test', 'postmaster', '', 'alice@']) expect(addressRoutingProblem(a), a).toBe('addressIncomplete');
  });

  it('refuses an IP address written as a domain, as it does a literal', () => {
    for (const a of ['alice@127.0.0.1', 'alice@192.0.2.1.', 'alice@host.123']) expect(addressRoutingProblem(a), a).toBe('addressLiteral');
    for (const a of ['alice@123.example', 'alice@3com.test', 'alice@x1.co.uk']) expect(addressRoutingProblem(a), a).toBeNull();
  });

  it('refuses IP address literals, IPv4 and IPv6', () => {
    expect(addressRoutingProblem('alice@[192.0.2.1]')).toBe('addressLiteral');
    expect(addressRoutingProblem('alice@[IPv6:2001:db8::1]')).toBe('addressLiteral');
    expect(addressRoutingProblem('alice@[127.0.0.1]')).toBe('addressLiteral');
  });
});

describe('isSenderAllowed', () => {
  const practice = ['practice.test', 'practice-two.test'];

  it('with no rules, any address in the practice domains, case-insensitively', () => {
    expect(isSenderAllowed('alice@practice.test', [], practice)).toBe(true);
    expect(isSenderAllowed('Bob@PRACTICE-TWO.test', [], practice)).toBe(true);
    expect(isSenderAllowed('alice@other.test', [], practice)).toBe(false);
  });

  it('subdomains and look-alike domains are not the practice domain', () => {
    expect(isSenderAllowed('alice@sub.practice.test', [], practice)).toBe(false);
    expect(isSenderAllowed('alice@evilpractice.test', [], practice)).toBe(false);
    expect(isSenderAllowed('alice@practice.test.evil.test', [], practice)).toBe(false);
  });

  it('full-address rules allow exactly that address', () => {
    const rules = ['reception@practice.test'];
    expect(isSenderAllowed('reception@practice.test', rules, practice)).toBe(true);
    expect(isSenderAllowed('RECEPTION@Practice.Test', rules, practice)).toBe(true);
    expect(isSenderAllowed('dentist@practice.test', rules, practice)).toBe(false);
    expect(isSenderAllowed('xreception@practice.test', rules, practice)).toBe(false);
  });

  it('domain rules allow the domain only, and replace the practice default', () => {
    const rules = ['@lab.test', 'Boss@Other.Test'];
    expect(isSenderAllowed('anyone@lab.test', rules, practice)).toBe(true);
    expect(isSenderAllowed('boss@other.test', rules, practice)).toBe(true);
    expect(isSenderAllowed('alice@practice.test', rules, practice)).toBe(false);
    expect(isSenderAllowed('x@sub.lab.test', rules, practice)).toBe(false);
  });

  it('an address without a domain is never allowed', () => {
    expect(isSenderAllowed('alice', [], practice)).toBe(false);
    expect(isSenderAllowed('', [], practice)).toBe(false);
    expect(isSenderAllowed('alice@', ['@'], practice)).toBe(false);
  });
});

describe('normaliseSenderRule', () => {
  it('a domain, with or without @, becomes "@domain" in lower case', () => {
    expect(normaliseSenderRule('Practice.Test')).toBe('@practice.test');
    expect(normaliseSenderRule('@lab.example.co.uk')).toBe('@lab.example.co.uk');
    expect(normaliseSenderRule('  @Lab.Test  ')).toBe('@lab.test');
  });

  it('a full address is lower-cased', () => {
    expect(normaliseSenderRule('Alice.Smith@Practice.Test')).toBe('alice.smith@practice.test');
  });

  it('anything else is refused', () => {
    for (const bad of ['', 'practice', '@', 'a b@practice.test', 'alice@', 'alice@practice', '@@practice.test', 'a@b@practice.test', 'alice@practice.test extra']) {
      expect(normaliseSenderRule(bad), bad).toBeNull();
    }
  });
});

describe('AuthThrottle', () => {
  function throttle(limits = { max: 3, window: 60_000, coolDown: 300_000 }, maxTracked?: number) {
    const clock = { now: 1_000_000 };
    const t = new AuthThrottle(limits, maxTracked, () => clock.now);
    return { t, clock };
  }

  it('lets only as many password checks run at once as could all fail within the limit', async () => {
    const { t } = throttle();
    const ends = await Promise.all([t.turn('192.0.2.1'), t.turn('192.0.2.1'), t.turn('192.0.2.1')]);
    expect(ends.every((end) => end !== null)).toBe(true);
    let fourth: (() => void) | null | 'waiting' = 'waiting';
    void t.turn('192.0.2.1').then((end) => (fourth = end));
    await new Promise((r) => setTimeout(r, 10));
    expect(fourth).toBe('waiting');
    // Other addresses do not wait.
    expect(await t.turn('192.0.2.2')).not.toBeNull();
    for (const end of ends) {
      t.recordFailure('192.0.2.1');
      end!();
    }
    await new Promise((r) => setTimeout(r, 0));
    expect(fourth).toBeNull(); // blocked while it waited
  });

  it('after a cool-down shorter than the window, lets one check run at a time (the old failures still count)', async () => {
    const { t, clock } = throttle({ max: 3, window: 3_600_000, coolDown: 60_000 });
    for (let i = 0; i < 3; i++) t.recordFailure('192.0.2.1');
    expect(await t.turn('192.0.2.1')).toBeNull();
    clock.now += 61_000;
    const first = await t.turn('192.0.2.1');
    expect(first).not.toBeNull();
    let second: (() => void) | null | 'waiting' = 'waiting';
    void t.turn('192.0.2.1').then((end) => (second = end));
    await new Promise((r) => setTimeout(r, 10));
    expect(second).toBe('waiting');
    t.recordFailure('192.0.2.1'); // blocked again
    first!();
    await new Promise((r) => setTimeout(r, 0));
    expect(second).toBeNull();
  });

  it('lets a waiting check run once a success clears the count', async () => {
    const { t } = throttle();
    t.recordFailure('192.0.2.1');
    t.recordFailure('192.0.2.1');
    const first = await t.turn('192.0.2.1');
    let second: (() => void) | null | 'waiting' = 'waiting';
    void t.turn('192.0.2.1').then((end) => (second = end));
    await new Promise((r) => setTimeout(r, 10));
    expect(second).toBe('waiting');
    t.recordSuccess('192.0.2.1');
    first!();
    await new Promise((r) => setTimeout(r, 0));
    expect(typeof second).toBe('function');
  });

  it('blocks an address after max failures within the window, for coolDown', () => {
    const { t, clock } = throttle();
    expect(t.recordFailure('192.0.2.1')).toBe(false);
    clock.now += 1000;
    expect(t.recordFailure('192.0.2.1')).toBe(false);
    expect(t.isBlocked('192.0.2.1')).toBe(false);
    clock.now += 1000;
    expect(t.recordFailure('192.0.2.1')).toBe(true);
    expect(t.isBlocked('192.0.2.1')).toBe(true);
    clock.now += 300_000 - 1;
    expect(t.isBlocked('192.0.2.1')).toBe(true);
    clock.now += 1;
    expect(t.isBlocked('192.0.2.1')).toBe(false);
  });

  it('counts per address', () => {
    const { t } = throttle();
    for (let i = 0; i < 3; i++) t.recordFailure('192.0.2.1');
    expect(t.isBlocked('192.0.2.1')).toBe(true);
    expect(t.isBlocked('192.0.2.2')).toBe(false);
    expect(t.recordFailure('192.0.2.2')).toBe(false);
  });

  it('failures spread beyond the window do not block', () => {
    const { t, clock } = throttle();
    for (let i = 0; i < 10; i++) {
      expect(t.recordFailure('192.0.2.1')).toBe(false);
      if (i % 2 === 1) clock.now += 60_001;
    }
    expect(t.isBlocked('192.0.2.1')).toBe(false);
  });

  it('a success clears the count of an address that is not blocked', () => {
    const { t } = throttle();
    t.recordFailure('192.0.2.1');
    t.recordFailure('192.0.2.1');
    t.recordSuccess('192.0.2.1');
    expect(t.recordFailure('192.0.2.1')).toBe(false);
    expect(t.recordFailure('192.0.2.1')).toBe(false);
    expect(t.recordFailure('192.0.2.1')).toBe(true);
  });

  it('a success does not lift a block', () => {
    const { t } = throttle();
    for (let i = 0; i < 3; i++) t.recordFailure('192.0.2.1');
    t.recordSuccess('192.0.2.1');
    expect(t.isBlocked('192.0.2.1')).toBe(true);
  });

  it('a failure while blocked, after the window has passed, does not lift the block', () => {
    const { t, clock } = throttle();
    for (let i = 0; i < 3; i++) t.recordFailure('192.0.2.1');
    clock.now += 100_000;
    expect(t.recordFailure('192.0.2.1')).toBe(true);
    expect(t.isBlocked('192.0.2.1')).toBe(true);
  });

  it('with many addresses, memory is bounded and the newest blocks still hold', () => {
    const { t } = throttle({ max: 1, window: 60_000, coolDown: 300_000 }, 100);
    for (let i = 0; i < 1000; i++) t.recordFailure(`10.0.${i >> 8}.${i & 255}`);
    expect(t.isBlocked('10.0.3.231')).toBe(true);
    const blocked = Array.from({ length: 1000 }, (_, i) => t.isBlocked(`10.0.${i >> 8}.${i & 255}`)).filter(Boolean).length;
    expect(blocked).toBeLessThanOrEqual(100);
    expect(blocked).toBeGreaterThan(0);
  });
});

describe('RecipientLimit', () => {
  it('takes up to the limit per transaction, an address again in any case for free, and counts what goes over', () => {
    const limit = new RecipientLimit(2);
    const first = {};
    expect(limit.admit(first, 'a@x.example')).toBeNull();
    expect(limit.admit(first, 'b@x.example')).toBeNull();
    expect(limit.admit(first, 'c@x.example')).toBe(1);
    expect(limit.admit(first, 'A@X.example')).toBeNull(); // already in: smtp-server keeps one of them
    expect(limit.admit(first, 'd@x.example')).toBe(2);
    expect(limit.admit(first, 'c@x.example')).toBe(3); // refused before, so still not in
    const next = {}; // smtp-server makes a new envelope for each transaction
    expect(limit.admit(next, 'c@x.example')).toBeNull();
  });
});

describe('TrustedNetworks', () => {
  const nets = new TrustedNetworks(['10.0.0.0/8', '192.168.1.0/24', '203.0.113.7', '2001:db8::/32', '::1']);

  it('matches IPv4 ranges', () => {
    expect(nets.contains('10.0.0.1')).toBe(true);
    expect(nets.contains('10.255.255.255')).toBe(true);
    expect(nets.contains('11.0.0.1')).toBe(false);
    expect(nets.contains('192.168.1.200')).toBe(true);
    expect(nets.contains('192.168.2.1')).toBe(false);
  });

  it('matches single addresses exactly', () => {
    expect(nets.contains('203.0.113.7')).toBe(true);
    expect(nets.contains('203.0.113.8')).toBe(false);
    expect(nets.contains('::1')).toBe(true);
    expect(nets.contains('::2')).toBe(false);
  });

  it('matches IPv6 ranges', () => {
    expect(nets.contains('2001:db8::1')).toBe(true);
    expect(nets.contains('2001:db8:ffff::1')).toBe(true);
    expect(nets.contains('2001:db9::1')).toBe(false);
  });

  it('matches IPv4-mapped IPv6 client addresses against IPv4 ranges', () => {
    expect(nets.contains('::ffff:10.0.0.1')).toBe(true);
    expect(nets.contains('::ffff:203.0.113.7')).toBe(true);
    expect(nets.contains('::ffff:11.0.0.1')).toBe(false);
  });

  it('an IPv4-mapped single address in the configuration matches the IPv4 client', () => {
    const mapped = new TrustedNetworks(['::ffff:10.0.0.1']);
    expect(mapped.contains('10.0.0.1')).toBe(true);
    expect(mapped.contains('::ffff:10.0.0.1')).toBe(true);
    expect(mapped.contains('10.0.0.2')).toBe(false);
  });

  it('an IPv4 range never matches an unrelated IPv6 address', () => {
    const v4 = new TrustedNetworks(['0.0.0.0/0']);
    expect(v4.contains('2001:db8::1')).toBe(false);
    expect(v4.contains('198.51.100.1')).toBe(true);
  });

  it('nothing is trusted by an empty list, and garbage is never trusted', () => {
    expect(new TrustedNetworks([]).contains('127.0.0.1')).toBe(false);
    for (const bad of ['', 'localhost', 'not an ip', '10.0.0.1/8', '10.0.0.1 ']) expect(nets.contains(bad), bad).toBe(false);
  });
});

describe('passwords', () => {
  it('a hash verifies its password and not another', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterY', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('the hash is self-describing scrypt with salt and key in base64', async () => {
    const hash = await hashPassword('s3cret');
    const parts = hash.split('$');
    expect(parts).toHaveLength(6);
    expect(parts.slice(0, 4)).toEqual(['scrypt', '32768', '8', '1']);
    expect(Buffer.from(parts[4]!, 'base64')).toHaveLength(16);
    expect(Buffer.from(parts[5]!, 'base64')).toHaveLength(32);
    expect(hash).not.toContain('s3cret');
  });

  it('the same password hashes differently each time (random salt)', async () => {
    const [a, b] = await Promise.all([hashPassword('same'), hashPassword('same')]);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same', b)).toBe(true);
  });

  it('non-ASCII passwords are normalised (NFC)', async () => {
    const hash = await hashPassword('caf\u00e9');
    expect(await verifyPassword('cafe\u0301', hash)).toBe(true);
  });

  it('a malformed hash does not verify (and does not throw)', async () => {
    const good = await hashPassword('pw');
    const [, , , , salt, key] = good.split('$');
    for (const bad of [
      '',
      'garbage',
      'scrypt',
      'scrypt$32768$8$1',
      `bcrypt$32768$8$1$${salt}$${key}`,
      `scrypt$32768$8$1$${salt}$`,
      `scrypt$32768$8$1$$${key}`,
      `scrypt$abc$8$1$${salt}$${key}`,
      `scrypt$3$8$1$${salt}$${key}`,
      `scrypt$32768$x$1$${salt}$${key}`,
      `scrypt$1073741824$8$1$${salt}$${key}`,
      `scrypt$32768$8$1$${salt}$${key!.slice(0, 10)}`,
    ]) {
      await expect(verifyPassword('pw', bad), bad).resolves.toBe(false);
    }
  });

  it('the decoy hash is a valid hash that is reused', async () => {
    const decoy = await decoyPasswordHash();
    expect(decoy).toMatch(/^scrypt\$/);
    expect(await decoyPasswordHash()).toBe(decoy);
    expect(await verifyPassword('anything', decoy)).toBe(false);
  });
});

describe('queue ids', () => {
  it('are 18 characters of Crockford base32', () => {
    const id = newQueueId();
    expect(id).toHaveLength(18);
    expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{18}$/);
    expect(isQueueId(id)).toBe(true);
  });

  it('sort by time', () => {
    const times = [0, 1, 31, 32, 1_000, 1_700_000_000_000, 1_700_000_000_001, 1_800_000_000_000, 2 ** 45];
    const ids = times.map((t) => newQueueId(t));
    expect([...ids].sort()).toEqual(ids);
    for (let i = 1; i < ids.length; i++) expect(ids[i - 1]! < ids[i]!).toBe(true);
  });

  it('are unique over 10,000 made at once', () => {
    const now = Date.now();
    const ids = new Set(Array.from({ length: 10_000 }, () => newQueueId(now)));
    expect(ids.size).toBe(10_000);
  });

  it('isQueueId rejects anything else', () => {
    for (const bad of ['', '01JABCDEFGHJKMNPQ', '01JABCDEFGHJKMNPQRS', '01jabcdefghjkmnpqr', '01JABCDEFGHJKMNPQI', '01JABCDEFGHJKMNPQU', '../../etc/passwd0']) {
      expect(isQueueId(bad), bad).toBe(false);
    }
  });
});

describe('headerValues and fromAddresses', () => {
  const section = (...lines: string[]) => Buffer.from(lines.map((l) => `${l}\r\n`).join(''), 'latin1');

  it('unfolds folded fields', () => {
    const s = section('Subject: a long', '\tsubject', '  folded twice', 'To: x@lab.test');
    expect(headerValues(s, 'subject')).toEqual(['a long\tsubject  folded twice']);
    expect(headerValues(s, 'to')).toEqual(['x@lab.test']);
  });

  it('matches names case-insensitively and returns every occurrence', () => {
    const s = section('SUBJECT: one', 'subject: two', 'Subject:three');
    expect(headerValues(s, 'Subject')).toEqual(['one', 'two', 'three']);
  });

  it('does not match fields whose name merely starts with the name', () => {
    const s = section('From-Other: evil@elsewhere.test', 'X-From: evil@elsewhere.test', 'From: good@practice.test');
    expect(headerValues(s, 'from')).toEqual(['good@practice.test']);
  });

  it('senderFields reads From, Sender, Resent-From and Resent-Sender in one pass, each once, in that order', () => {
    const s = section('Resent-From: r@lab.test', 'From: a@practice.test', 'Subject: x', 'from: b@practice.test', 'Sender: The Boss');
    expect(senderFields(s)).toEqual([
      { name: 'from', mailboxes: ['a@practice.test', 'b@practice.test'], mentioned: ['a@practice.test', 'b@practice.test'] },
      { name: 'sender', mailboxes: [], mentioned: [] },
      { name: 'resent-from', mailboxes: ['r@lab.test'], mentioned: ['r@lab.test'] },
    ]);
    expect(senderFields(section('Subject: none'))).toEqual([]);
  });

  it('works on a section that ends with its blank line (as the guard keeps it)', () => {
    expect(fromAddresses(Buffer.from('From: a@practice.test\r\nTo: b@lab.test\r\n\r\n'))).toEqual(['a@practice.test']);
  });

  it('finds every address in From: several mailboxes, display names, comments', () => {
    const s = section('From: "Smith, Jane" <jane@practice.test>, bob@practice.test (Bob), Carol <carol@elsewhere.test>');
    expect(fromAddresses(s)).toEqual(['jane@practice.test', 'bob@practice.test', 'carol@elsewhere.test']);
  });

  it('finds addresses in group syntax', () => {
    const s = section('From: Reception team: alice@practice.test, bob@elsewhere.test;');
    expect(fromAddresses(s)).toEqual(['alice@practice.test', 'bob@elsewhere.test']);
  });

  it('finds addresses in several From fields, folded, any case', () => {
    const s = section('from: a@practice.test', 'FROM: "B"', ' <b@elsewhere.test>');
    expect(fromAddresses(s)).toEqual(['a@practice.test', 'b@elsewhere.test']);
  });

  it('finds the address in the obsolete "From :" form (white space before the colon, RFC 5322 section 4.5.3)', () => {
    expect(fromAddresses(section('From : evil@elsewhere.test'))).toEqual(['evil@elsewhere.test']);
    expect(fromAddresses(section('From\t: evil@elsewhere.test'))).toEqual(['evil@elsewhere.test']);
  });

  it('an absent From gives no addresses', () => {
    expect(fromAddresses(section('Subject: x'))).toEqual([]);
    expect(fromAddresses(Buffer.alloc(0))).toEqual([]);
  });

  it('8-bit display names do not hide the address', () => {
    const s = Buffer.concat([Buffer.from('From: '), Buffer.from('Ren\u00e9e', 'utf8'), Buffer.from(' <renee@practice.test>\r\n')]);
    expect(fromAddresses(s)).toEqual(['renee@practice.test']);
  });
});

describe('readHeaderSection', () => {
  const msg = Buffer.from('From: a@practice.test\r\nSubject: hello\r\n\r\nbody line\r\n\r\nmore\r\n');
  const header = 'From: a@practice.test\r\nSubject: hello\r\n';

  it('returns the header section without the blank line', async () => {
    expect((await readHeaderSection(Readable.from([msg]))).toString()).toBe(header);
  });

  it('whatever the chunking', async () => {
    for (let i = 0; i <= msg.length; i++) {
      const stream = Readable.from([msg.subarray(0, i), msg.subarray(i)].filter((c) => c.length));
      expect((await readHeaderSection(stream)).toString(), `split at ${i}`).toBe(header);
    }
    const bytes = Readable.from([...msg].map((x) => Buffer.from([x])));
    expect((await readHeaderSection(bytes)).toString()).toBe(header);
  });

  it('a message without a blank line is all header', async () => {
    const only = Buffer.from('From: a@practice.test\r\nSubject: x\r\n');
    expect((await readHeaderSection(Readable.from([only]))).equals(only)).toBe(true);
  });

  it('stops reading and closes the stream once it has the section', async () => {
    let pulled = 0;
    const source = Readable.from(
      (function* () {
        yield Buffer.from('Subject: x\r\n\r\n');
        for (let i = 0; i < 1000; i++) {
          pulled++;
          yield Buffer.alloc(64 * 1024, 0x61);
        }
      })(),
    );
    expect((await readHeaderSection(source)).toString()).toBe('Subject: x\r\n');
    expect(source.destroyed).toBe(true);
    expect(pulled).toBeLessThan(1000);
  });

  it('truncates a long section at `max`, keeping whole lines only', async () => {
    const lines = Array.from({ length: 50 }, (_, i) => `X-Line-${i}: ${'v'.repeat(30)}\r\n`).join('');
    const big = Buffer.from(`${lines}\r\nbody\r\n`);
    for (const chunks of [[big], [...big].map((x) => Buffer.from([x])), [big.subarray(0, 300), big.subarray(300)]]) {
      const out = (await readHeaderSection(Readable.from(chunks), 200)).toString();
      expect(out.length).toBeLessThanOrEqual(200);
      expect(out.length).toBeGreaterThan(0);
      expect(out.endsWith('\r\n')).toBe(true);
      expect(lines.startsWith(out)).toBe(true);
    }
  });
});

describe('receivedHeader', () => {
  const at = new Date('2026-03-02T09:30:00Z');
  const client = (over: Partial<ClientInfo> = {}): ClientInfo => ({
    address: '192.0.2.10',
    helo: 'reception-pc.practice.test',
    user: null,
    tls: false,
    listener: 'submission',
    ...over,
  });

  it('names HELO, address, relay, protocol, id and date, CRLF-folded', () => {
    const h = receivedHeader(client(), 'relay.practice.test', '01JABCDEFGHJKMNPQR', at);
    expect(h).toBe(
      'Received: from reception-pc.practice.test ([192.0.2.10])\r\n\tby relay.practice.test (Mouthguard) with ESMTP id 01JABCDEFGHJKMNPQR;\r\n\tMon, 02 Mar 2026 09:30:00 +0000\r\n',
    );
  });

  it('uses the RFC 3848 protocol keywords', () => {
    const proto = (c: ClientInfo) => / with (\S+) id /.exec(receivedHeader(c, 'relay.test', 'ID', at))?.[1];
    expect(proto(client())).toBe('ESMTP');
    expect(proto(client({ tls: true }))).toBe('ESMTPS');
    expect(proto(client({ user: 'reception' }))).toBe('ESMTPA');
    expect(proto(client({ tls: true, user: 'reception' }))).toBe('ESMTPSA');
  });

  it('never names the login', () => {
    const h = receivedHeader(client({ tls: true, user: 'secret-login-name' }), 'relay.test', 'ID', at);
    expect(h).not.toContain('secret-login-name');
  });

  it('sanitises the HELO: no line breaks, spaces or control characters can be injected', () => {
    const h = receivedHeader(client({ helo: 'evil\r\nX-Injected: yes\t(\u0000)\u00e9' }), 'relay.test', 'ID', at);
    const lines = h.split('\r\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^Received: from \S+ \(\[192\.0\.2\.10\]\)$/);
    expect(lines[1]).toMatch(/^\tby /);
    expect(lines[2]).toMatch(/^\t/);
    expect(lines[3]).toBe('');
    expect(h).not.toMatch(/\nX-Injected/);
    expect(/^[\x20-\x7e\r\n\t]*$/.test(h)).toBe(true);
  });

  it('an empty or all-invalid HELO becomes "unknown"', () => {
    expect(receivedHeader(client({ helo: '' }), 'relay.test', 'ID', at)).toMatch(/^Received: from unknown \(/);
    expect(receivedHeader(client({ helo: ' \r\n ' }), 'relay.test', 'ID', at)).toMatch(/^Received: from unknown \(/);
  });
});

describe('Received header address literals (RFC 5321 4.1.3)', () => {
  const at = new Date('2026-03-02T09:30:00Z');
  const client = (address: string): ClientInfo => ({ address, helo: 'pc.practice.test', user: null, tls: false, listener: 'plain' });
  it('tags IPv6 and unwraps IPv4-mapped addresses', () => {
    expect(receivedHeader(client('::1'), 'relay.test', 'ID', at)).toContain('([IPv6:::1])');
    expect(receivedHeader(client('2001:db8::5'), 'relay.test', 'ID', at)).toContain('([IPv6:2001:db8::5])');
    expect(receivedHeader(client('::ffff:192.0.2.7'), 'relay.test', 'ID', at)).toContain('([192.0.2.7])');
    expect(receivedHeader(client('192.0.2.7'), 'relay.test', 'ID', at)).toContain('([192.0.2.7])');
  });
});
