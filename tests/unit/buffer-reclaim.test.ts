import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { LAUNCH_ENV, LAUNCH_FLAGS } from '../../src/cli/launch-settings.js';
import { BufferReclaim, type Collector } from '../../src/core/buffer-reclaim.js';

const MiB = 1024 * 1024;
const steps = { minorAfter: 4 * MiB, majorAfter: 16 * MiB, everyMs: 1 };

/** The thread's external memory as a number the test moves, and a record of what was asked of V8. */
function scene(freedByMinor: (bytes: number) => number) {
  let external = 0;
  const asked: string[] = [];
  const collect: Collector = (options) => {
    asked.push(options?.type ?? 'full');
    external = options?.type === 'minor' ? freedByMinor(external) : 10 * MiB;
  };
  const reclaim = new BufferReclaim(collect, steps, () => external);
  return { reclaim, asked, grow: (bytes: number) => (external += bytes), set: (bytes: number) => (external = bytes) };
}

describe('BufferReclaim: collecting spent Buffers while large bodies move', () => {
  it('asks for a young collection each time the memory has grown by the step, not before', () => {
    const s = scene(() => 10 * MiB); // every young collection frees back to 10 MB
    s.set(10 * MiB);
    const stop = s.reclaim.track();
    s.grow(3 * MiB);
    s.reclaim.check();
    expect(s.asked).toEqual([]);
    s.grow(1 * MiB);
    s.reclaim.check();
    expect(s.asked).toEqual(['minor']);
    s.grow(4 * MiB);
    s.reclaim.check();
    expect(s.asked).toEqual(['minor', 'minor']);
    stop();
  });

  it('asks for a full collection when what young collections leave keeps growing (Buffers in the old generation)', () => {
    const s = scene((bytes) => bytes - 1 * MiB); // each young collection frees only 1 MB of what grew
    s.set(10 * MiB);
    const stop = s.reclaim.track();
    for (let i = 0; i < 5; i++) {
      s.grow(5 * MiB);
      s.reclaim.check();
    }
    // Left after each: +4, +8, +12, +16 MB over the start: the fourth asks for a full one.
    expect(s.asked).toEqual(['minor', 'minor', 'minor', 'minor', 'full', 'minor']);
    expect(s.reclaim.collections).toEqual({ minor: 5, major: 1 });
    stop();
  });

  it('counts growth from the lowest reading, so a collection V8 made on its own is not counted again', () => {
    const s = scene(() => 2 * MiB);
    s.set(20 * MiB);
    const stop = s.reclaim.track();
    s.set(6 * MiB); // V8 collected in between
    s.reclaim.check();
    expect(s.asked).toEqual([]);
    s.set(9 * MiB); // +3 MB from the low point: not yet
    s.reclaim.check();
    expect(s.asked).toEqual([]);
    s.set(10 * MiB);
    s.reclaim.check();
    expect(s.asked).toEqual(['minor']);
    stop();
  });

  it('looks only while something is tracked, and one stop per track counts once', async () => {
    const s = scene(() => 0);
    const first = s.reclaim.track();
    const second = s.reclaim.track();
    first();
    first(); // a second call is ignored: the other body still moves
    s.grow(8 * MiB);
    await new Promise((r) => setTimeout(r, 30));
    expect(s.asked.length).toBeGreaterThan(0);
    second();
    const seen = s.asked.length;
    s.grow(8 * MiB);
    await new Promise((r) => setTimeout(r, 30));
    expect(s.asked.length).toBe(seen);
  });

  it('does nothing without a collector (Node started without --expose-gc)', () => {
    const reclaim = new BufferReclaim(null, steps, () => 1024 * MiB);
    const stop = reclaim.track();
    reclaim.check();
    expect(reclaim.collections).toEqual({ minor: 0, major: 0 });
    stop();
  });

  it('in Node started as the relay is, keeps spent Buffers far below what V8 lets pile up on its own', async () => {
    // 256 MB of 64 KB Buffers, each dropped at once, as a body streamed through a thread; the
    // script yields between chunks as stream I/O would. It reports the most external memory seen.
    const module = resolve(import.meta.dirname, '../../dist/src/core/buffer-reclaim.js');
    const script = `
      const { bufferReclaim } = await import(${JSON.stringify(module)});
      const { getHeapStatistics } = await import('node:v8');
      const track = process.argv[1] === 'track';
      const stop = track ? bufferReclaim.track() : () => {};
      let most = 0;
      for (let i = 0; i < 4096; i++) {
        Buffer.allocUnsafeSlow(64 * 1024).fill(i);
        if (i % 16 === 0) {
          most = Math.max(most, getHeapStatistics().external_memory);
          await new Promise((r) => setTimeout(r, 1));
        }
      }
      stop();
      console.log(JSON.stringify({ most, ...bufferReclaim.collections }));`;
    const run = async (mode: string) => {
      const { stdout } = await promisify(execFile)(process.execPath, [...LAUNCH_FLAGS, '--input-type=module', '-e', script, mode], { env: { ...process.env, ...LAUNCH_ENV } });
      return JSON.parse(stdout) as { most: number; minor: number; major: number };
    };
    const tracked = await run('track');
    const untracked = await run('none');
    expect(tracked.minor).toBeGreaterThan(10);
    expect(untracked.minor).toBe(0);
    expect(tracked.most).toBeLessThan(16 * MiB);
    expect(untracked.most).toBeGreaterThan(tracked.most + 8 * MiB);
  });
});
