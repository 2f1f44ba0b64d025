import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { Splitter, type SplitterChunk } from '@zone-eu/mailsplit';
import { describe, expect, it } from 'vitest';
import { everyTestMessage } from '../../helpers/eml-files.js';
import { patchedPackage } from '../../helpers/patched-package.js';

// patches/@zone-eu+mailsplit+<version>.patch makes the splitter find line ends with
// Buffer#indexOf instead of a byte-by-byte loop in JavaScript (README, Dependencies).

/** What the splitter emits, as comparable text: each node's header section, then its body and data runs by type. */
async function split(message: Buffer, chunkSize: number): Promise<string[]> {
  const chunks: Buffer[] = [];
  for (let at = 0; at < message.length; at += chunkSize) chunks.push(message.subarray(at, at + chunkSize));
  const out: string[] = [];
  const splitter = Readable.from(chunks, { objectMode: false }).pipe(new Splitter());
  for await (const chunk of splitter as AsyncIterable<SplitterChunk>) {
    if (chunk.type === 'node') {
      out.push(`node ${chunk.getHeaders().toString('latin1')}`);
      continue;
    }
    // Runs of one type are joined: how they are cut into chunks follows the input's chunks.
    const label = `${chunk.type} `;
    if (out.length && out[out.length - 1]!.startsWith(label)) out[out.length - 1] += chunk.value.toString('latin1');
    else out.push(label + chunk.value.toString('latin1'));
  }
  return out;
}

describe('the patched mailsplit splitter', () => {
  it('is the version the patch was made for, with the patch applied (npm ci runs patch-package)', () => {
    const mailsplit = patchedPackage('@zone-eu/mailsplit');
    expect(mailsplit.patchedForThisVersion, `patches/ for @zone-eu/mailsplit ${mailsplit.version}`).toBe(true);
    expect(mailsplit.file('lib/message-splitter.js')).toContain('chunk.indexOf(0x0a, i)');
  });

  it('splits every test message the same however its bytes are chunked (line ends straddling chunks)', async () => {
    const messages = everyTestMessage();
    expect(messages.length).toBeGreaterThan(100);
    for (const file of messages) {
      const message = readFileSync(file);
      const whole = await split(message, message.length || 1);
      expect(whole.length, file).toBeGreaterThan(0);
      for (const size of [1013, 64 * 1024]) expect(await split(message, size), `${file} in ${size}-byte chunks`).toEqual(whole);
    }
    // Tiny chunks, where most chunks hold no line end at all: a few messages, to keep it quick.
    for (const file of messages.slice(0, 12)) {
      const message = readFileSync(file);
      expect(await split(message, 7), `${file} in 7-byte chunks`).toEqual(await split(message, message.length || 1));
    }
  });
});
