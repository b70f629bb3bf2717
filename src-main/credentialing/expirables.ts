/**
 * The expirables tracker: for each privilege, what runs out first (licence, board
 * certification, the privilege period) and how urgent it is: 90, 30 and 7-day warnings.
 */
import type { ExpiringItem, ExpiryWarning } from '../../src-shared/credentialing/schemas';

const DAY = 86_400_000;

export function warningFor(at: string, now: Date): { daysLeft: number; warning: ExpiryWarning } {
  const ms = Date.parse(at) - now.getTime();
  const daysLeft = Math.floor(ms / DAY);
  const warning: ExpiryWarning = ms <= 0 ? 'expired' : ms <= 7 * DAY ? '7' : ms <= 30 * DAY ? '30' : ms <= 90 * DAY ? '90' : 'none';
  return { daysLeft, warning };
}

/** The dated items behind one privilege, soonest first. */
export function expiringItems(p: { until: string; licenceUntil: string | null; boardUntil: string | null; kind: 'standard' | 'disaster' }, now: Date): ExpiringItem[] {
  const items: ExpiringItem[] = [{ what: 'privileges', label: p.kind === 'disaster' ? 'Disaster privileges' : 'Privilege period', at: p.until, ...warningFor(p.until, now) }];
  if (p.licenceUntil) items.push({ what: 'licence', label: 'Medical licence', at: p.licenceUntil, ...warningFor(p.licenceUntil, now) });
  if (p.boardUntil) items.push({ what: 'board-certification', label: 'Board certification', at: p.boardUntil, ...warningFor(p.boardUntil, now) });
  return items.sort((a, b) => a.at.localeCompare(b.at));
}
