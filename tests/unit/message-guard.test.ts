import { describe, expect, it } from 'vitest';
import { replies } from '../../src/core/replies.js';
import { MessageGuard, type GuardLimits } from '../../src/mime/message-guard.js';

const LIMITS: GuardLimits = { maxMessageSize: 35_000_000, maxLineLength: 998, maxHeaderSize: 256 * 1024 };

interface Run {
  readonly guard: MessageGuard;
  /** Everything the guard passed on. */
  readonly out: Buffer;
  /** How many bytes had been emitted after each input chunk was written. */
  readonly emittedAfter: number[];
}

/** Gives the guard the chunks one by one, then ends it. */
function run(chunks: readonly Buffer[], limits: GuardLimits = LIMITS): Run {
  const guard = new MessageGuard(limits);
  const out: Buffer[] = [];
  let emitted = 0;
  const emittedAfter: number[] = [];
  for (const chunk of chunks) {
    const passed = guard.take(chunk);
    if (passed) {
      out.push(passed);
      emitted += passed.length;
    }
    emittedAfter.push(emitted);
  }
  guard.end();
  return { guard, out: Buffer.concat(out), emittedAfter };
}

const b = (s: string) => Buffer.from(s, 'latin1');

/** Splits `buf` at the given offsets (ascending). */
function splitAt(buf: Buffer, ...offsets: number[]): Buffer[] {
  const parts: Buffer[] = [];
  let from = 0;
  for (const at of offsets) {
    parts.push(buf.subarray(from, at));
    from = at;
  }
  parts.push(buf.subarray(from));
  return parts;
}

function bytesOf(buf: Buffer): Buffer[] {
  return [...buf].map((x) => Buffer.from([x]));
}

const HEADER = 'From: a@practice.test\r\nTo: b@lab.test\r\nSubject: x\r\n \tfolded\r\n\r\n';
const SHORT = b(HEADER + 'Hi\r\n\r\n.x\r\n');

describe('MessageGuard passes CRLF-clean messages through unchanged', () => {
  it('whole, in one chunk', () => {
    const { guard, out } = run([SHORT]);
    expect(guard.violation).toBeNull();
    expect(out.equals(SHORT)).toBe(true);
    expect(guard.bytes).toBe(SHORT.length);
    expect(guard.headerSection.toString('latin1')).toBe(HEADER);
  });

  it('split into two chunks at every possible offset', () => {
    for (let i = 0; i <= SHORT.length; i++) {
      const { guard, out } = run(splitAt(SHORT, i));
      expect(guard.violation, `split at ${i}`).toBeNull();
      expect(out.equals(SHORT), `split at ${i}`).toBe(true);
      expect(guard.headerSection.toString('latin1'), `split at ${i}`).toBe(HEADER);
    }
  });

  it('split into three non-empty chunks at every pair of offsets', () => {
    const msg = b('A: 1\r\nB: 2\r\n\r\nbody\r\nmore\r\n');
    const header = 'A: 1\r\nB: 2\r\n\r\n';
    for (let i = 1; i < msg.length; i++) {
      for (let j = i + 1; j < msg.length; j++) {
        const { guard, out } = run(splitAt(msg, i, j));
        expect(guard.violation, `split at ${i},${j}`).toBeNull();
        expect(out.equals(msg), `split at ${i},${j}`).toBe(true);
        expect(guard.headerSection.toString('latin1'), `split at ${i},${j}`).toBe(header);
      }
    }
  });

  it('in 1-byte chunks', () => {
    const { guard, out } = run(bytesOf(SHORT));
    expect(guard.violation).toBeNull();
    expect(out.equals(SHORT)).toBe(true);
    expect(guard.headerSection.toString('latin1')).toBe(HEADER);
  });

  // smtp-server never writes empty chunks today, but a Transform may be given them.
  it('with an empty chunk at any offset', () => {
    for (let i = 0; i <= SHORT.length; i++) {
      const [first, second] = splitAt(SHORT, i);
      const { guard, out } = run([first!, Buffer.alloc(0), second!]);
      expect(guard.violation, `empty chunk at ${i}`).toBeNull();
      expect(out.equals(SHORT), `empty chunk at ${i}`).toBe(true);
    }
  });

  it('8-bit bytes (UTF-8, latin1) are passed unchanged', () => {
    const msg = Buffer.concat([b('Subject: caf'), Buffer.from([0xc3, 0xa9, 0xff, 0x80]), b('\r\n\r\nbody \u00e9\r\n')]);
    const { guard, out } = run(bytesOf(msg));
    expect(guard.violation).toBeNull();
    expect(out.equals(msg)).toBe(true);
  });

  it('an empty message passes nothing and is refused: it has no header section', () => {
    const { guard, out } = run([]);
    expect(guard.violation).toBe('noHeaders');
    expect(out.length).toBe(0);
    expect(guard.headerSection.length).toBe(0);
  });

  it('refuses text with no header section: a blank first line, or a first line that is no header field', () => {
    for (const text of ['\r\njust body\r\n', 'just body\r\n', ': no name\r\n\r\nbody\r\n', 'Sub ject: x\r\n\r\n']) {
      const { guard } = run(bytesOf(b(text)));
      expect(guard.violation, JSON.stringify(text)).toBe('noHeaders');
    }
    for (const text of ['Subject: x\r\n', 'X-A:b\r\n\r\n', 'Subject : old style\r\n\r\nbody\r\n']) {
      const { guard } = run(bytesOf(b(text)));
      expect(guard.violation, JSON.stringify(text)).toBeNull();
    }
  });
});

describe('MessageGuard headerSection', () => {
  it('holds exactly the header lines plus the blank line, not the body', () => {
    const header = 'Subject: one\r\nX-Long: a\r\n  continued\r\n\r\n';
    const body = 'line\r\n\r\nSubject: not a header\r\n';
    const { guard } = run([b(header + body)]);
    expect(guard.headerSection.toString('latin1')).toBe(header);
  });

  it('is the whole message when there is no blank line', () => {
    const msg = 'Subject: only headers\r\nTo: x@y.test\r\n';
    const { guard } = run([b(msg)]);
    expect(guard.violation).toBeNull();
    expect(guard.headerSection.toString('latin1')).toBe(msg);
  });

  it('is only the blank line when the message starts with one', () => {
    const { guard } = run(bytesOf(b('\r\nbody\r\n')));
    expect(guard.headerSection.toString('latin1')).toBe('\r\n');
  });

  it('is a copy: it does not keep the DATA chunks it came from (each up to 64 KiB) alive', () => {
    const header = 'Subject: copied\r\nTo: x@y.test\r\n\r\n';
    const chunks = [b(header.slice(0, 10)), b(header.slice(10) + 'body\r\n'.repeat(10_000))];
    const { guard } = run(chunks);
    for (const chunk of chunks) chunk.fill(0x58); // 'X': the caller reuses its buffers
    expect(guard.headerSection.toString('latin1')).toBe(header);
    expect(guard.headerSection.buffer).not.toBe(chunks[1]!.buffer);
  });
});

type Case = readonly [name: string, chunks: readonly string[]];

/** Runs a refused message and checks the violation, that nothing after the bad chunk was emitted, and that it ended. */
function expectRefused(chunks: readonly Buffer[], violation: keyof typeof replies, limits: GuardLimits = LIMITS, label = '') {
  const { guard, out, emittedAfter } = run(chunks, limits);
  expect(guard.violation, label).toBe(violation);
  // Whatever was emitted is a prefix of the input, and nothing at all once the guard refused.
  const input = Buffer.concat(chunks);
  expect(input.subarray(0, out.length).equals(out), label).toBe(true);
  const firstStuck = emittedAfter.findIndex((n, i) => n < chunks.slice(0, i + 1).reduce((s, c) => s + c.length, 0));
  if (firstStuck !== -1) {
    expect(emittedAfter.slice(firstStuck).every((n) => n === emittedAfter[firstStuck]), label).toBe(true);
  }
  return { guard, out, emittedAfter };
}

describe('MessageGuard refuses bare line endings', () => {
  const bare: Case[] = [
    ['bare LF in a header', ['Subject: a\nX: b\r\n\r\nbody\r\n']],
    ['bare LF in the body', ['Subject: a\r\n\r\nbody\nmore\r\n']],
    ['bare LF as an empty line', ['Subject: a\r\n\n\r\nbody\r\n']],
    ['bare LF starting the message', ['\nSubject: a\r\n\r\n']],
    ['bare LF at the start of a chunk after a complete line', ['Subject: a\r\n', '\nbody\r\n']],
    ['bare LF at the start of a chunk after text', ['Subject: a', '\nbody\r\n']],
    ['bare CR mid-line', ['Subject: a\rb\r\n\r\nbody\r\n']],
    ['CR CR LF', ['Subject: a\r\r\n\r\nbody\r\n']],
    ['bare CR in the body', ['Subject: a\r\n\r\nbo\rdy\r\n']],
    ['bare CR at a chunk end followed by a non-LF', ['Subject: a\r', 'X: b\r\n\r\n']],
    ['bare CR at a chunk end followed by a CR', ['Subject: a\r', '\r\n\r\n']],
    ['bare CR at the very end', ['Subject: a\r\n\r\nbody\r']],
    ['bare CR alone at the very end, in its own chunk', ['Subject: a\r\n\r\nbody', '\r']],
  ];
  it.each(bare)('%s', (_name, chunks) => {
    expectRefused(chunks.map(b), 'bareLineEnding');
  });

  it('the same bare LF and bare CR are found in 1-byte chunks', () => {
    for (const [name, chunks] of bare) {
      expectRefused(bytesOf(b(chunks.join(''))), 'bareLineEnding', LIMITS, name);
    }
  });

  it('bare LF or CR anywhere in a message is found at every two-chunk split', () => {
    for (const bad of ['Subject: a\r\n\r\nbody\nx\r\n', 'Subject: a\r\n\r\nbody\rx\r\n', 'Subject: a\r\n\r\nbody\r']) {
      const msg = b(bad);
      for (let i = 0; i <= msg.length; i++) {
        expectRefused(splitAt(msg, i), 'bareLineEnding', LIMITS, `${JSON.stringify(bad)} split at ${i}`);
      }
    }
  });
});

describe('MessageGuard refuses NUL octets', () => {
  it('in a header', () => {
    expectRefused([b('Subject: a\0b\r\n\r\n')], 'nulOctet');
  });

  it('in the body, in a later chunk: the earlier chunk was passed, nothing after', () => {
    const first = b('Subject: a\r\n\r\nbody\r\n');
    const { out, emittedAfter } = expectRefused([first, b('x\0y\r\n'), b('more\r\n'), b('end\r\n')], 'nulOctet');
    expect(out.equals(first)).toBe(true);
    expect(emittedAfter).toEqual([first.length, first.length, first.length, first.length]);
  });

  it('as the only byte of a chunk', () => {
    expectRefused([b('Subject: a\r\n\r\n'), Buffer.from([0]), b('\r\n')], 'nulOctet');
  });
});

describe('MessageGuard line length (998 octets without CRLF)', () => {
  const line = (n: number) => 'X'.repeat(n);

  it('accepts a line of exactly 998 octets, in a header and in the body', () => {
    const msg = b(`Subject: ${line(998 - 9)}\r\n\r\n${line(998)}\r\n`);
    const { guard, out } = run([msg]);
    expect(guard.violation).toBeNull();
    expect(out.equals(msg)).toBe(true);
  });

  it('refuses a line of 999 octets, in a header and in the body', () => {
    expectRefused([b(`Subject: ${line(999 - 9)}\r\n\r\nbody\r\n`)], 'lineTooLong');
    expectRefused([b(`Subject: a\r\n\r\n${line(999)}\r\n`)], 'lineTooLong');
  });

  it('accepts 998 and refuses 999 at every split around the line end', () => {
    for (const [n, expected] of [
      [998, null],
      [999, 'lineTooLong'],
    ] as const) {
      const msg = b(`Subject: a\r\n\r\nfirst\r\n${line(n)}\r\nlast\r\n`);
      const lineStart = 'Subject: a\r\n\r\nfirst\r\n'.length;
      const offsets = [lineStart, lineStart + 1, lineStart + n - 2, lineStart + n - 1, lineStart + n, lineStart + n + 1, lineStart + n + 2];
      for (const i of offsets) {
        const label = `${n} octets, split at ${i}`;
        if (expected === null) {
          const { guard, out } = run(splitAt(msg, i));
          expect(guard.violation, label).toBeNull();
          expect(out.equals(msg), label).toBe(true);
        } else {
          expectRefused(splitAt(msg, i), expected, LIMITS, label);
        }
      }
    }
  });

  it('accepts 998 and refuses 999 in 1-byte chunks', () => {
    const ok = b(`Subject: a\r\n\r\n${line(998)}\r\n`);
    const okRun = run(bytesOf(ok));
    expect(okRun.guard.violation).toBeNull();
    expect(okRun.out.equals(ok)).toBe(true);
    expectRefused(bytesOf(b(`Subject: a\r\n\r\n${line(999)}\r\n`)), 'lineTooLong');
  });

  it('refuses a long line spread over many chunks', () => {
    const chunks = [b('Subject: a\r\n\r\n'), ...Array.from({ length: 10 }, () => b(line(200))), b('\r\n')];
    expectRefused(chunks, 'lineTooLong');
  });

  it('honours a configured limit', () => {
    const limits = { ...LIMITS, maxLineLength: 100 };
    expect((run([b(`Subject: a\r\n\r\n${line(100)}\r\n`)], limits)).guard.violation).toBeNull();
    expectRefused([b(`Subject: a\r\n\r\n${line(101)}\r\n`)], 'lineTooLong', limits);
  });
});

describe('MessageGuard header section size', () => {
  const limits = { ...LIMITS, maxHeaderSize: 100 };

  it('accepts a header section of exactly the limit (blank line included)', () => {
    const header = `Subject: ${'h'.repeat(100 - 9 - 4)}\r\n\r\n`;
    expect(header.length).toBe(100);
    const msg = b(header + 'x'.repeat(500) + '\r\n');
    const { guard, out } = run(bytesOf(msg), limits);
    expect(guard.violation).toBeNull();
    expect(out.equals(msg)).toBe(true);
    expect(guard.headerSection.toString('latin1')).toBe(header);
  });

  it('refuses a header section over the limit, whatever the chunking', () => {
    const msg = b(`Subject: a\r\n${'X-Filler: 0123456789\r\n'.repeat(6)}\r\nbody\r\n`);
    expectRefused([msg], 'headerTooLarge', limits);
    expectRefused(bytesOf(msg), 'headerTooLarge', limits);
    for (let i = 0; i <= msg.length; i += 7) expectRefused(splitAt(msg, i), 'headerTooLarge', limits, `split at ${i}`);
  });

  it('a large body does not count towards the header section', () => {
    const msg = b(`Subject: a\r\n\r\n${'body line\r\n'.repeat(100)}`);
    const { guard } = run([msg], limits);
    expect(guard.violation).toBeNull();
  });
});

describe('MessageGuard total size', () => {
  const msg = b(`Subject: a\r\n\r\n${'0123456789abcdefghi\r\n'.repeat(10)}`);

  it('accepts a message of exactly the limit', () => {
    const { guard, out } = run(bytesOf(msg), { ...LIMITS, maxMessageSize: msg.length });
    expect(guard.violation).toBeNull();
    expect(out.equals(msg)).toBe(true);
  });

  it('refuses one octet over, emitting nothing from the chunk that crossed the limit on', () => {
    const limits = { ...LIMITS, maxMessageSize: msg.length - 1 };
    const { out, guard } = expectRefused(splitAt(msg, 50), 'messageTooLarge', limits);
    expect(out.length).toBe(50);
    expect(guard.bytes).toBeGreaterThan(limits.maxMessageSize);
    expectRefused(bytesOf(msg), 'messageTooLarge', limits);
  });
});

describe('MessageGuard after a violation', () => {
  it('keeps consuming until the end (so the SMTP reply can be sent), emits nothing more and ends', () => {
    const chunks = [b('Subject: a\r\n\r\n'), b('bad\nline\r\n'), ...Array.from({ length: 50 }, () => b('fine line\r\n'))];
    const { guard, out } = expectRefused(chunks, 'bareLineEnding');
    expect(out.equals(chunks[0]!)).toBe(true);
    // The first violation stays, even when later chunks hold others.
    expect(guard.violation).toBe('bareLineEnding');
  });

  it('the first violation wins over later ones', () => {
    const { guard } = run([b('Subject: a\r\n\r\n'), b('x\0\r\n'), b('y\nz\r\n'), b('w\r')]);
    expect(guard.violation).toBe('nulOctet');
  });

  it('every violation the guard reports is a reply in the reply table with a 5xx code', () => {
    const cases: [Buffer[], GuardLimits][] = [
      [[b('a\nb\r\n')], LIMITS],
      [[b('a\0b\r\n')], LIMITS],
      [[b(`${'x'.repeat(1000)}\r\n`)], LIMITS],
      [[b('Subject: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n')], { ...LIMITS, maxHeaderSize: 20 }],
      [[b('Subject: a\r\n\r\nbody\r\n')], { ...LIMITS, maxMessageSize: 5 }],
    ];
    for (const [chunks, limits] of cases) {
      const { guard } = run(chunks, limits);
      expect(guard.violation).not.toBeNull();
      const reply = replies[guard.violation!];
      expect(reply.code).toBeGreaterThanOrEqual(500);
      expect(reply.enhanced).toMatch(/^5\./);
    }
  });
});
