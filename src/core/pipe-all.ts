import type { Readable, Writable } from 'node:stream';

/**
 * Pipes each stream into the next and settles when the last has finished, or rejects with the
 * first error after destroying every stream, as stream.pipeline does. Not stream.pipeline
 * itself: it makes an AbortController per call and a DOMException (with a stack) at every
 * finish, a tenth of the CPU of rewriting a small message.
 */
export function pipeAll(first: Readable, ...rest: [...(Readable & Writable)[], Writable]): Promise<void> {
  const streams: (Readable | Writable)[] = [first, ...rest];
  const last = rest[rest.length - 1]!;
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      for (let i = 0; i + 1 < streams.length; i++) (streams[i] as Readable).unpipe(streams[i + 1] as Writable);
      for (const stream of streams) stream.destroy(err);
      reject(err);
    };
    for (const stream of streams) stream.on('error', fail);
    // A stream destroyed without an error before its end would otherwise leave the rest waiting.
    for (const stream of streams.slice(0, -1) as Readable[]) {
      stream.once('close', () => {
        if (!stream.readableEnded) fail(new Error('a stream closed before its end'));
      });
    }
    last.once('finish', () => {
      settled = true;
      resolve();
    });
    last.once('close', () => fail(new Error('the stream closed before it finished')));
    for (let i = 0; i + 1 < streams.length; i++) (streams[i] as Readable).pipe(streams[i + 1] as Writable);
  });
}
