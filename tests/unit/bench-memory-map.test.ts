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
    // The child says when it holds the memory, so the test does not depend on how fast it starts.
    const script = "process.stdin.once('data', () => { globalThis.keep = Buffer.alloc(64 * 1024 * 1024, 1); process.stdout.write('held'); }); setTimeout(() => {}, 60000);";
    const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      await once(child, 'spawn');
      const before = readMemoryMap(child.pid!)!;
      const peak = new PeakMemoryMap(child.pid!, 20);
      child.stdin.write('go');
      await once(child.stdout, 'data');
      await new Promise((r) => setTimeout(r, 60)); // a few readings after the allocation
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
