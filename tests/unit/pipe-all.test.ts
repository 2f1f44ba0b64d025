import { PassThrough, Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { pipeAll } from '../../src/core/pipe-all.js';

function collector(): Writable & { text: () => string } {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, done) {
      chunks.push(chunk);
      done();
    },
  });
  return Object.assign(sink, { text: () => Buffer.concat(chunks).toString() });
}

describe('pipeAll', () => {
  it('pipes through every stream and settles when the last has finished', async () => {
    const sink = collector();
    await pipeAll(Readable.from([Buffer.from('a'), Buffer.from('b')]), new PassThrough(), new PassThrough(), sink);
    expect(sink.text()).toBe('ab');
  });

  it('an error anywhere rejects with it and destroys every stream', async () => {
    const source = new PassThrough();
    const middle = new PassThrough();
    const sink = collector();
    const piped = pipeAll(source, middle, sink);
    middle.destroy(new Error('broken in the middle'));
    await expect(piped).rejects.toThrow('broken in the middle');
    expect([source.destroyed, middle.destroyed, sink.destroyed]).toEqual([true, true, true]);
  });

  it('a stream destroyed before its end without an error rejects instead of hanging', async () => {
    const source = new PassThrough();
    const piped = pipeAll(source, new PassThrough(), collector());
    source.write('partial');
    source.destroy();
    await expect(piped).rejects.toThrow(/closed before its end/);
  });

  it('the last stream closing before it finished rejects', async () => {
    const sink = collector();
    const piped = pipeAll(new PassThrough(), sink);
    sink.destroy();
    await expect(piped).rejects.toThrow(/closed before it finished/);
  });
});
