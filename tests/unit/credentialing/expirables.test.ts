/**
 * The expirables tracker's warnings: 90, 30 and 7 days before, and expired; items soonest first.
 */
import { describe, expect, it } from 'vitest';
import { expiringItems, warningFor } from '../../../src-main/credentialing/expirables';

const NOW = new Date('2026-12-07T09:00:00Z');
const inDays = (d: number): string => new Date(NOW.getTime() + d * 86_400_000).toISOString();

describe('expirables', () => {
  it('warns at 90, 30 and 7 days and says expired after', () => {
    expect([91, 90, 31, 30, 8, 7, 0.5, 0, -1].map((d) => warningFor(inDays(d), NOW).warning)).toEqual(['none', '90', '90', '30', '30', '7', '7', 'expired', 'expired']);
    expect(warningFor(inDays(10.5), NOW).daysLeft).toBe(10);
  });

  it('lists privilege, licence and board certification soonest first', () => {
    const items = expiringItems({ until: inDays(14), licenceUntil: inDays(5), boardUntil: inDays(400), kind: 'standard' }, NOW);
    expect(items.map((i) => [i.what, i.warning])).toEqual([
      ['licence', '7'],
      ['privileges', '30'],
      ['board-certification', 'none'],
    ]);
    expect(expiringItems({ until: inDays(3), licenceUntil: null, boardUntil: null, kind: 'disaster' }, NOW)[0]?.label).toBe('Disaster privileges');
  });
});
