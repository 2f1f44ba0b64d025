import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { listenersClash } from '../../src/config/port-clash.js';

const PORT = 2525;
const at = (host: string, port = PORT) => ({ host, port });

describe('listenersClash (check-config: listeners that could not both bind)', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1', true],
    ['127.0.0.1', '127.0.0.2', false],
    ['127.0.0.1', '::1', false],
    ['0.0.0.0', '127.0.0.1', true],
    ['0.0.0.0', '::1', false],
    ['::', '127.0.0.1', true],
    ['::', '::1', true],
    ['::', '0.0.0.0', true],
    ['0:0:0:0:0:0:0:0', '127.0.0.1', true],
    ['::ffff:0.0.0.0', '127.0.0.1', true],
    ['::ffff:0.0.0.0', '::1', false],
    ['localhost', '127.0.0.1', true],
    ['localhost', '::1', true],
    ['LOCALHOST', '127.0.0.2', false],
    ['::ffff:127.0.0.1', '127.0.0.1', true],
    ['0:0:0:0:0:0:0:1', '::1', true],
    ['mail.example.test', 'MAIL.example.test', true],
    ['mail.example.test', '0.0.0.0', true],
    ['mail.example.test', '127.0.0.1', false],
  ])('%s and %s on one port: %s', (a, b, expected) => {
    expect(listenersClash(at(a), at(b))).toBe(expected);
    expect(listenersClash(at(b), at(a))).toBe(expected);
  });

  it('different ports, or port 0 (any free port), never clash', () => {
    expect(listenersClash(at('0.0.0.0', 2525), at('0.0.0.0', 2526))).toBe(false);
    expect(listenersClash(at('127.0.0.1', 0), at('127.0.0.1', 0))).toBe(false);
  });

  const closed = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

  /** Whether the OS lets a second socket listen on `b` while one listens on `a`, both on `port`. */
  async function bothBind(a: string, b: string, port: number): Promise<boolean> {
    const first = createServer();
    first.listen(port, a);
    await once(first, 'listening');
    const second: Server = createServer();
    try {
      second.listen(port, b);
      const bound = await new Promise<boolean>((resolve) => {
        second.once('listening', () => resolve(true));
        second.once('error', () => resolve(false));
      });
      if (bound) await closed(second);
      return bound;
    } finally {
      await closed(first);
    }
  }

  it('agrees with the operating system on loopback addresses (a clash it misses would stop the relay at start)', async () => {
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = (probe.address() as { port: number }).port;
    await closed(probe);
    const hosts = ['127.0.0.1', '127.0.0.2', '::1', '::ffff:127.0.0.1', 'localhost'];
    for (const a of hosts) {
      for (const b of hosts) {
        const osRefuses = !(await bothBind(a, b, port));
        const flagged = listenersClash(at(a, port), at(b, port));
        // "localhost" is one of the two loopbacks, whichever the resolver gives first: the rule flags both.
        if (a === 'localhost' || b === 'localhost') expect(flagged || !osRefuses, `${a} / ${b}`).toBe(true);
        else expect(flagged, `${a} / ${b}`).toBe(osRefuses);
      }
    }
  });
});
