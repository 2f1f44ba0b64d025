import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ByteBudget } from '../../../src/mime/byte-budget.js';
import { extractMessage } from '../../../src/mime/extract.js';

/** Lets pending promise callbacks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('ByteBudget', () => {
  it('grants room up to the capacity and makes a message that holds nothing wait for more', async () => {
    const budget = new ByteBudget(100);
    const a = budget.account();
    const b = budget.account();
    await a.reserve(80);
    let bGranted = false;
    const waiting = b.reserve(50).then(() => (bGranted = true));
    await settle();
    expect(bGranted).toBe(false);
    expect(budget.used).toBe(80);
    a.releaseAll();
    await waiting;
    expect(bGranted).toBe(true);
    expect(budget.used).toBe(50);
  });

  it('never makes a message that already holds room wait (no deadlock between two holders)', async () => {
    const budget = new ByteBudget(100);
    const a = budget.account();
    const b = budget.account();
    await a.reserve(60);
    const bFirst = b.reserve(60); // waits: a holds 60
    await a.reserve(60); // a holds room already: granted at once, past the capacity
    expect(budget.used).toBe(120);
    a.releaseAll();
    await bFirst;
    expect(budget.used).toBe(60);
  });

  it('lets a request larger than the whole budget through once nothing else is held', async () => {
    const budget = new ByteBudget(10);
    const a = budget.account();
    await a.reserve(5);
    const b = budget.account();
    const big = b.reserve(50);
    a.releaseAll();
    await big;
    expect(budget.used).toBe(50);
  });

  it('grants a request larger than the whole budget at once when nothing is held (nobody would ever give room back)', async () => {
    const budget = new ByteBudget(10);
    await budget.account().reserve(50);
    expect(budget.used).toBe(50);
  });

  it('withdraws a waiting request when its message is released, and gives back what was held', async () => {
    const budget = new ByteBudget(100);
    const a = budget.account();
    await a.reserve(100);
    const b = budget.account();
    const waiting = b.reserve(10);
    b.releaseAll();
    await expect(waiting).rejects.toThrow(/released/);
    a.giveBack(30);
    expect(budget.used).toBe(70);
    a.releaseAll();
    expect(budget.used).toBe(0);
  });
});

function pdfMessage(bytes: number): Buffer {
  const encoded = Buffer.alloc(bytes, 7).toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.from(
    'From: a@example.org\r\nTo: b@example.net\r\nSubject: scan\r\nMIME-Version: 1.0\r\n' +
      'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n' +
      '--b\r\nContent-Type: application/pdf; name="x.pdf"\r\nContent-Disposition: attachment; filename="x.pdf"\r\n' +
      `Content-Transfer-Encoding: base64\r\n\r\n${encoded}\r\n--b--\r\n`,
    'latin1',
  );
}

describe('extractMessage with an attachment budget', () => {
  it('waits for room before keeping a document past its head, then reads it whole', async () => {
    const budget = new ByteBudget(300_000);
    const holder = budget.account();
    await holder.reserve(300_000);
    const raw = new PassThrough();
    const account = budget.account();
    let done = false;
    const extraction = extractMessage(raw, { maxTextChars: 10_000, maxAttachmentBytes: 200_000, budget: account }).then((m) => {
      done = true;
      return m;
    });
    raw.end(pdfMessage(150_000));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(done).toBe(false); // stalled on the budget, not skipped
    holder.releaseAll();
    const message = await extraction;
    expect(message.attachments[0]).toMatchObject({ filename: 'x.pdf', size: 150_000, complete: true });
    expect(message.attachments[0]!.bytes.length).toBe(150_000);
    account.releaseAll();
    expect(budget.used).toBe(0);
  });

  it('keeps only the head of a document longer than the limit, giving the rest of its room back', async () => {
    const budget = new ByteBudget(1_000_000);
    const account = budget.account();
    const raw = new PassThrough();
    const extraction = extractMessage(raw, { maxTextChars: 10_000, maxAttachmentBytes: 400_000, budget: account });
    raw.end(pdfMessage(600_000));
    const message = await extraction;
    expect(message.attachments[0]).toMatchObject({ size: 600_000, complete: false });
    expect(message.attachments[0]!.bytes.length).toBe(256 * 1024);
    expect(budget.used).toBeLessThanOrEqual(256 * 1024);
    account.releaseAll();
    expect(budget.used).toBe(0);
  });
});
