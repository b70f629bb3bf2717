import { describe, expect, it } from 'vitest';
import { Backoff } from '../../../src-main/ledger/backoff';

describe('reconnect backoff', () => {
  it('doubles up to the cap, with half of each delay random', () => {
    const low = new Backoff({ initialMs: 100, maxMs: 1_000, random: () => 0 });
    expect(Array.from({ length: 6 }, () => low.next())).toEqual([50, 100, 200, 400, 500, 500]);
    const high = new Backoff({ initialMs: 100, maxMs: 1_000, random: () => 0.999999 });
    expect(Array.from({ length: 6 }, () => high.next())).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('starts again from the first delay after a success', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 10_000, random: () => 0 });
    b.next();
    b.next();
    b.next();
    expect(b.attempt).toBe(3);
    b.reset();
    expect(b.attempt).toBe(0);
    expect(b.next()).toBe(50);
  });

  it('spreads workstations that fail at the same moment', () => {
    const delays = new Set(Array.from({ length: 50 }, () => new Backoff({ initialMs: 1_000 }).next()));
    expect(delays.size).toBeGreaterThan(10);
    for (const d of delays) expect(d >= 500 && d <= 1_000).toBe(true);
  });
});
