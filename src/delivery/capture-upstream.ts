import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { RecipientOutcome, Upstream } from './upstream.js';

/**
 * DEMO ONLY: "delivers" by writing each message as `<queue id>.eml` into a directory, with
 * X-Mouthguard-Demo-Envelope lines on top naming the envelope, so a newcomer can see where
 * mail went without an upstream provider.
 */
export class CaptureUpstream implements Upstream {
  readonly description: string;

  constructor(private readonly dir: string) {
    this.description = `demo capture to ${dir}`;
  }

  async send(mailFrom: string, recipients: readonly string[], raw: Readable, id: string): Promise<RecipientOutcome[]> {
    await mkdir(this.dir, { recursive: true });
    const final = join(this.dir, `${id}.eml`);
    const temp = `${final}.tmp`;
    try {
      const out = createWriteStream(temp, { mode: 0o600 });
      out.write(`X-Mouthguard-Demo-Envelope: from <${mailFrom}> to ${recipients.map((r) => `<${r}>`).join(', ')}\r\n`);
      await pipeline(raw, out);
      const handle = await open(temp, 'r');
      await handle.sync();
      await handle.close();
      await rename(temp, final);
      return recipients.map((address) => ({ address, status: 'delivered', reply: `250 2.0.0 written to ${final}` }));
    } catch (err) {
      await rm(temp, { force: true });
      const reply = `451 4.3.0 capture failed: ${(err as Error).message}`;
      return recipients.map((address) => ({ address, status: 'deferred', reply }));
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
