import { describe, expect, it } from 'vitest';
import { Permits } from '../../src/pipeline/permits.js';

describe('Permits', () => {
  it('grants up to capacity at once, then in arrival order as permits come back', async () => {
    const permits = new Permits(2);
    const order: string[] = [];
    const a = await permits.acquire();
    const b = await permits.acquire();
    const waits = ['c', 'd', 'e'].map((name) => permits.acquire().then((release) => (order.push(name), release)));
    await Promise.resolve();
    expect(order).toEqual([]);
    expect(permits.waiting).toBe(3);
    a();
    const c = await waits[0]!;
    expect(order).toEqual(['c']);
    b();
    c();
    const [d, e] = [await waits[1]!, await waits[2]!];
    expect(order).toEqual(['c', 'd', 'e']);
    d();
    e();
    expect(permits.waiting).toBe(0);
  });

  it('a release called twice frees one permit only', async () => {
    const permits = new Permits(1);
    const first = await permits.acquire();
    first();
    first();
    const second = await permits.acquire();
    let third = false;
    void permits.acquire().then(() => (third = true));
    await new Promise((r) => setImmediate(r));
    expect(third).toBe(false);
    second();
    await new Promise((r) => setImmediate(r));
    expect(third).toBe(true);
  });
});
