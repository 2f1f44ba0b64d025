import type { Readable } from 'node:stream';

const END = Buffer.from('\r\n\r\n');

/** Reads a message's header section (without the blank line), at most `max` bytes; closes the stream. */
export async function readHeaderSection(stream: Readable, max = 64 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      length += chunk.length;
      const joined = Buffer.concat(chunks, length);
      const end = joined.indexOf(END);
      if (end !== -1 && end + 2 <= max) return joined.subarray(0, end + 2);
      if (end !== -1 || length >= max) return cutAtLine(joined.subarray(0, max));
    }
    return cutAtLine(Buffer.concat(chunks, length));
  } finally {
    stream.destroy();
  }
}

/** Keeps whole lines only, so a truncated section never ends inside a field. */
function cutAtLine(buf: Buffer): Buffer {
  const last = buf.lastIndexOf('\r\n');
  return last === -1 ? Buffer.alloc(0) : buf.subarray(0, last + 2);
}
