import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { PeakMemoryMap, readMemoryMap } from '../../bench/memory-map.js';

describe("the bench's memory map of the relay process (/proc/PID/smaps)", () => {
  it('splits a live process’s resident memory into kinds that add up to the whole', () => {
    const map = readMemoryMap(process.pid)!;
    expect(map.total).toBeGreaterThan(10 * 1024 * 1024);
    expect(map.nodeBinary).toBeGreaterThan(1024 * 1024);
    expect(map.anonymous).toBeGreaterThan(1024 * 1024);
    expect(map.mainArena + map.anonymous + map.nodeBinary + map.otherFiles).toBe(map.total);
  });

  it('keeps the heaviest reading: a child that allocates 64 MB of Buffers shows them as anonymous or arena memory', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => { globalThis.keep = Buffer.alloc(64 * 1024 * 1024, 1); setTimeout(() => {}, 600); }, 300)']);
    try {
      const before = readMemoryMap(child.pid!)!;
      const peak = new PeakMemoryMap(child.pid!, 20);
      await new Promise((r) => setTimeout(r, 700));
      const heaviest = peak.stop()!;
      expect(heaviest.total - before.total).toBeGreaterThan(60 * 1024 * 1024);
      expect(heaviest.anonymous + heaviest.mainArena - (before.anonymous + before.mainArena)).toBeGreaterThan(60 * 1024 * 1024);
    } finally {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  });

  it('gives null for a process that does not exist', () => {
    expect(readMemoryMap(2 ** 22 + 12345)).toBeNull();
  });
});
